import type { Queryable } from './database.js';
import { newId } from './ids.js';

export interface Tenant {
  id: string;
  name: string;
  createdAt: Date;
}

const toTenant = (r: Record<string, unknown>): Tenant => ({
  id: r.id as string,
  name: r.name as string,
  createdAt: r.created_at as Date,
});

export class TenantRepository {
  constructor(private readonly db: Queryable) {}

  async create(name: string): Promise<Tenant> {
    const rows = await this.db.query('INSERT INTO tenants (id, name) VALUES ($1, $2) RETURNING *', [newId('tenant'), name]);
    return toTenant(rows[0]!);
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
