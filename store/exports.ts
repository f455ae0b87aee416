import type { Queryable } from './database.js';
import { newId } from './ids.js';
import { type Scope, tenantClause } from './scope.js';
import type { ExportSpec } from '../workflows/definitions.js';
import type { Schedule } from '../datasets/schedule.js';

/** Continuous delivery of newly ingested events (seed 003). */
export interface StreamSettings {
  intervalMinutes: number;
}

/** A saved export definition: what to export and where; runs start it for a window, or it streams. */
export interface ExportDefinition {
  id: string;
  tenantId: string | null;
  name: string;
  dataset: string;
  spec: ExportSpec;
  destinationIds: string[];
  mode: 'batch' | 'stream';
  stream: StreamSettings | null;
  /** When it runs by itself (a Temporal Schedule), or null. */
  schedule: Schedule | null;
  createdAt: Date;
  updatedAt: Date;
}

interface StoredSpec {
  spec: ExportSpec;
  destinationIds: string[];
  stream?: StreamSettings;
}

const toExport = (r: Record<string, unknown>): ExportDefinition => {
  const stored = r.spec as StoredSpec;
  return {
    id: r.id as string,
    tenantId: (r.tenant_id as string | null) ?? null,
    name: r.name as string,
    dataset: r.dataset as string,
    spec: stored.spec,
    destinationIds: stored.destinationIds,
    mode: stored.stream ? 'stream' : 'batch',
    stream: stored.stream ?? null,
    schedule: (r.schedule as Schedule | null) ?? null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
};

export class ExportRepository {
  constructor(private readonly db: Queryable) {}

  async create(input: {
    tenantId: string | null;
    name: string;
    dataset: string;
    spec: ExportSpec;
    destinationIds: string[];
    stream?: StreamSettings | null;
    schedule?: Schedule | null;
  }): Promise<ExportDefinition> {
    const stored: StoredSpec = { spec: input.spec, destinationIds: input.destinationIds, ...(input.stream ? { stream: input.stream } : {}) };
    const rows = await this.db.query(
      `INSERT INTO exports (id, tenant_id, name, dataset, spec, schedule) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [newId('export'), input.tenantId, input.name, input.dataset, JSON.stringify(stored), input.schedule ? JSON.stringify(input.schedule) : null],
    );
    return toExport(rows[0]!);
  }

  async get(scope: Scope, id: string): Promise<ExportDefinition | undefined> {
    const params: unknown[] = [id];
    const rows = await this.db.query(`SELECT * FROM exports WHERE id = $1 AND deleted_at IS NULL${tenantClause(scope, 'tenant_id', params)}`, params);
    return rows[0] ? toExport(rows[0]) : undefined;
  }

  async list(scope: Scope): Promise<ExportDefinition[]> {
    const params: unknown[] = [];
    const rows = await this.db.query(
      `SELECT * FROM exports WHERE deleted_at IS NULL${tenantClause(scope, 'tenant_id', params)} ORDER BY created_at, id`,
      params,
    );
    return rows.map(toExport);
  }

  async setSchedule(scope: Scope, id: string, schedule: Schedule | null): Promise<ExportDefinition | undefined> {
    const params: unknown[] = [id, schedule ? JSON.stringify(schedule) : null];
    const rows = await this.db.query(
      `UPDATE exports SET schedule = $2, updated_at = now() WHERE id = $1 AND deleted_at IS NULL${tenantClause(scope, 'tenant_id', params)} RETURNING *`,
      params,
    );
    return rows[0] ? toExport(rows[0]) : undefined;
  }

  /** Marks the export deleted; its runs keep their history. */
  async delete(scope: Scope, id: string): Promise<boolean> {
    const params: unknown[] = [id];
    const rows = await this.db.query(
      `UPDATE exports SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL${tenantClause(scope, 'tenant_id', params)} RETURNING id`,
      params,
    );
    return rows.length > 0;
  }
}
