import type { Queryable } from './database.js';
import { newId } from './ids.js';

export interface Tenant {
  id: string;
  name: string;
  /** Where background exports of this tenant's keys are announced when the request names no address. */
  notifyEmail: string | null;
  createdAt: Date;
}

const toTenant = (r: Record<string, unknown>): Tenant => ({
  id: r.id as string,
  name: r.name as string,
  notifyEmail: (r.notify_email as string | null) ?? null,
  createdAt: r.created_at as Date,
});

export class TenantRepository {
  constructor(private readonly db: Queryable) {}

  async create(name: string, notifyEmail: string | null = null): Promise<Tenant> {
    const rows = await this.db.query('INSERT INTO tenants (id, name, notify_email) VALUES ($1, $2, $3) RETURNING *', [newId('tenant'), name, notifyEmail]);
    return toTenant(rows[0]!);
  }

  async setNotifyEmail(id: string, notifyEmail: string | null): Promise<Tenant | undefined> {
    const rows = await this.db.query('UPDATE tenants SET notify_email = $2 WHERE id = $1 RETURNING *', [id, notifyEmail]);
    return rows[0] ? toTenant(rows[0]) : undefined;
  }

  async get(id: string): Promise<Tenant | undefined> {
    const rows = await this.db.query('SELECT * FROM tenants WHERE id = $1', [id]);
    return rows[0] ? toTenant(rows[0]) : undefined;
  }

  async findByName(name: string): Promise<Tenant | undefined> {
    const rows = await this.db.query('SELECT * FROM tenants WHERE name = $1', [name]);
    return rows[0] ? toTenant(rows[0]) : undefined;
  }

  async list(): Promise<Tenant[]> {
    return (await this.db.query('SELECT * FROM tenants ORDER BY created_at, id')).map(toTenant);
  }
}
