import type { Queryable } from './database.js';
import { type Scope, scopeTenantId, tenantClause } from './scope.js';

export interface AuditEntry {
  id: number;
  at: Date;
  actor: string;
  tenantId: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  details: Record<string, unknown>;
}

export interface AuditRecord {
  action: string;
  resourceType: string;
  resourceId?: string | null;
  tenantId?: string | null;
  details?: Record<string, unknown>;
}

const toEntry = (r: Record<string, unknown>): AuditEntry => ({
  id: Number(r.id),
  at: r.at as Date,
  actor: r.actor as string,
  tenantId: (r.tenant_id as string | null) ?? null,
  action: r.action as string,
  resourceType: r.resource_type as string,
  resourceId: (r.resource_id as string | null) ?? null,
  details: (r.details as Record<string, unknown>) ?? {},
});

/** Append-only: the table's trigger refuses UPDATE and DELETE, and this class offers neither. */
export class AuditLog {
  constructor(private readonly db: Queryable) {}

  async append(scope: Scope, record: AuditRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_log (actor, tenant_id, action, resource_type, resource_id, details) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        scope.actor,
        record.tenantId !== undefined ? record.tenantId : scopeTenantId(scope),
        record.action,
        record.resourceType,
        record.resourceId ?? null,
        JSON.stringify(record.details ?? {}),
      ],
    );
  }

  async list(scope: Scope, limit = 100): Promise<AuditEntry[]> {
    const params: unknown[] = [];
    const where = tenantClause(scope, 'tenant_id', params);
    params.push(limit);
    const rows = await this.db.query(
      `SELECT * FROM audit_log WHERE true${where} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toEntry);
  }
}
