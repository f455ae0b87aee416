import type { Queryable } from './database.js';
import type { SecretBox } from '../platform/secret-box.js';
import { newId } from './ids.js';
import { type Scope, tenantClause } from './scope.js';

export interface Destination {
  id: string;
  tenantId: string | null;
  name: string;
  type: string;
  /** Non-secret configuration only; secret fields live encrypted in `secrets` and never leave the store. */
  config: Record<string, unknown>;
  /** Whether sealed secret fields are stored (their values never leave the store). */
  hasSecrets: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const sealedOf = (r: Record<string, unknown>): string | null => (r.secrets as string | null) ?? null;

const toDestination = (r: Record<string, unknown>): Destination => ({
  id: r.id as string,
  tenantId: (r.tenant_id as string | null) ?? null,
  name: r.name as string,
  type: r.type as string,
  config: r.config as Record<string, unknown>,
  hasSecrets: sealedOf(r) !== null,
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
});

/**
 * Destinations. Secret fields (the connector names them) are kept apart from the config: sealed with the
 * master key into `secrets`, opened only by `getForDelivery`, never returned by get or list.
 */
export class DestinationRepository {
  constructor(
    private readonly db: Queryable,
    private readonly box?: SecretBox,
  ) {}

  async create(
    scope: Scope,
    input: { name: string; type: string; config: Record<string, unknown>; secrets?: Record<string, unknown>; tenantId?: string | null },
  ): Promise<Destination> {
    const tenantId = scope.role === 'tenant' ? scope.tenantId : (input.tenantId ?? null);
    let sealed: string | null = null;
    if (input.secrets && Object.keys(input.secrets).length > 0) {
      if (!this.box) throw new Error('no master key: destination secrets cannot be stored');
      sealed = this.box.seal(JSON.stringify(input.secrets));
    }
    const rows = await this.db.query(
      `INSERT INTO destinations (id, tenant_id, name, type, config, secrets) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [newId('destination'), tenantId, input.name, input.type, JSON.stringify(input.config), sealed],
    );
    return toDestination(rows[0]!);
  }

  /**
   * A destination with the full configuration a connector needs: the stored config with its secrets opened.
   * With a scope, only if that caller may see it (API checks and edits); workers pass none.
   */
  async getForDelivery(id: string, scope?: Scope): Promise<{ destination: Destination; config: Record<string, unknown> } | undefined> {
    const params: unknown[] = [id];
    const rows = await this.db.query(`SELECT * FROM destinations WHERE id = $1${scope ? tenantClause(scope, 'tenant_id', params) : ''}`, params);
    const row = rows[0];
    if (!row) return undefined;
    const destination = toDestination(row);
    const sealed = sealedOf(row);
    if (!sealed) return { destination, config: destination.config };
    if (!this.box) throw new Error('no master key: destination secrets cannot be opened');
    return { destination, config: { ...destination.config, ...(JSON.parse(this.box.open(sealed)) as Record<string, unknown>) } };
  }

  /** Replaces the name and/or the configuration (plain part and sealed secrets) of a visible destination. */
  async update(
    scope: Scope,
    id: string,
    input: { name?: string; config?: Record<string, unknown>; secrets?: Record<string, unknown> },
  ): Promise<Destination | undefined> {
    let sealed: string | null | undefined;
    if (input.secrets !== undefined) {
      if (Object.keys(input.secrets).length === 0) sealed = null;
      else if (!this.box) throw new Error('no master key: destination secrets cannot be stored');
      else sealed = this.box.seal(JSON.stringify(input.secrets));
    }
    const params: unknown[] = [id, input.name ?? null, input.config ? JSON.stringify(input.config) : null, sealed === undefined ? null : sealed, sealed !== undefined];
    const rows = await this.db.query(
      `UPDATE destinations SET name = coalesce($2, name), config = coalesce($3::jsonb, config),
         secrets = CASE WHEN $5 THEN $4 ELSE secrets END, updated_at = now()
       WHERE id = $1${tenantClause(scope, 'tenant_id', params)} RETURNING *`,
      params,
    );
    return rows[0] ? toDestination(rows[0]) : undefined;
  }

  async get(scope: Scope, id: string): Promise<Destination | undefined> {
    const params: unknown[] = [id];
    const rows = await this.db.query(`SELECT * FROM destinations WHERE id = $1${tenantClause(scope, 'tenant_id', params)}`, params);
    return rows[0] ? toDestination(rows[0]) : undefined;
  }

  async list(scope: Scope): Promise<Destination[]> {
    const params: unknown[] = [];
    const rows = await this.db.query(
      `SELECT * FROM destinations WHERE true${tenantClause(scope, 'tenant_id', params)} ORDER BY created_at, id`,
      params,
    );
    return rows.map(toDestination);
  }

  async delete(scope: Scope, id: string): Promise<boolean> {
    const params: unknown[] = [id];
    const rows = await this.db.query(
      `DELETE FROM destinations WHERE id = $1${tenantClause(scope, 'tenant_id', params)} RETURNING id`,
      params,
    );
    return rows.length > 0;
  }

}
