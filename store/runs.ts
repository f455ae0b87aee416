import type { ExportRunInput } from '../workflows/definitions.js';
import type { Queryable } from './database.js';
import type { ExportSpec } from '../workflows/definitions.js';
import { newId } from './ids.js';
import { type Scope, tenantClause } from './scope.js';

export const RUN_STATUS = {
  Pending: 'Pending',
  Processing: 'Processing',
  Completed: 'Completed',
  Failed: 'Failed',
  Cancelled: 'Cancelled',
  Expired: 'Expired',
} as const;
export type RunStatus = (typeof RUN_STATUS)[keyof typeof RUN_STATUS];
export const TERMINAL_STATUSES: readonly RunStatus[] = ['Completed', 'Failed', 'Cancelled', 'Expired'];

export interface RunError {
  /** A failure type from workflows/failures.ts, or `Internal`. */
  type: string;
  /** What happened and what to do about it, for a person. */
  message: string;
}

/** The export shape a run was started with (workflows/definitions.ts ExportSpec). */
export type RunSettings = ExportSpec;

export interface Run {
  id: string;
  tenantId: string | null;
  exportId: string | null;
  dataset: string;
  format: string;
  window: { from: string; to: string };
  settings: RunSettings;
  destinationIds: string[];
  status: RunStatus;
  workflowId: string;
  requestedBy: string | null;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  expiresAt: Date | null;
  rows: number | null;
  bytes: number | null;
  files: number | null;
  error: RunError | null;
}

export type ArtifactKind = 'data' | 'manifest' | 'marker';

export interface Artifact {
  id: string;
  /** A data file, a run's manifest, or its completion marker. */
  kind: ArtifactKind;
  runId: string;
  destinationId: string;
  partitionKey: string;
  objectKey: string;
  location: string;
  format: string;
  rows: number;
  bytes: number;
  sha256: string;
  createdAt: Date;
  expiresAt: Date | null;
}

const isoDate = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const toRun = (r: Record<string, unknown>): Run => ({
  id: r.id as string,
  tenantId: (r.tenant_id as string | null) ?? null,
  exportId: (r.export_id as string | null) ?? null,
  dataset: r.dataset as string,
  format: r.format as string,
  window: { from: isoDate(r.window_from), to: isoDate(r.window_to) },
  settings: r.settings as RunSettings,
  destinationIds: r.destination_ids as string[],
  status: r.status as RunStatus,
  workflowId: r.workflow_id as string,
  requestedBy: (r.requested_by as string | null) ?? null,
  requestedAt: r.requested_at as Date,
  startedAt: (r.started_at as Date | null) ?? null,
  finishedAt: (r.finished_at as Date | null) ?? null,
  expiresAt: (r.expires_at as Date | null) ?? null,
  rows: num(r.rows),
  bytes: num(r.bytes),
  files: num(r.files),
  error: (r.error as RunError | null) ?? null,
});

const toArtifact = (r: Record<string, unknown>): Artifact => ({
  id: r.id as string,
  kind: r.kind as ArtifactKind,
  runId: r.run_id as string,
  destinationId: r.destination_id as string,
  partitionKey: r.partition_key as string,
  objectKey: r.object_key as string,
  location: r.location as string,
  format: r.format as string,
  rows: Number(r.rows),
  bytes: Number(r.bytes),
  sha256: r.sha256 as string,
  createdAt: r.created_at as Date,
  expiresAt: (r.expires_at as Date | null) ?? null,
});

export interface NewRun {
  id?: string;
  tenantId: string | null;
  exportId?: string | null;
  dataset: string;
  format: string;
  window: { from: string; to: string };
  settings: RunSettings;
  destinationIds: string[];
  requestedBy: string | null;
}

/** The exportRun workflow's input for a run record: references and settings only, never rows or secrets. */
export function exportRunInput(
  run: Run,
  destinations: { id: string; type: string }[],
  options: { artifactTtlSeconds: number; notifyEmail?: string },
): ExportRunInput {
  return {
    runId: run.id,
    tenantId: run.tenantId,
    exportId: run.exportId,
    dataset: run.dataset,
    spec: run.settings,
    window: run.window,
    requestedAt: run.requestedAt.toISOString(),
    artifactTtlSeconds: options.artifactTtlSeconds,
    destinations: destinations.map((d) => ({ id: d.id, type: d.type })),
    ...(options.notifyEmail ? { notifyEmail: options.notifyEmail } : {}),
  };
}

export const workflowIdForRun = (runId: string): string => `sluice-run-${runId}`;

export class RunRepository {
  constructor(private readonly db: Queryable) {}

  async create(input: NewRun): Promise<Run> {
    const id = input.id ?? newId('run');
    const rows = await this.db.query(
      `INSERT INTO runs (id, tenant_id, export_id, dataset, format, window_from, window_to, settings, destination_ids,
         status, workflow_id, requested_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'Pending', $10, $11) RETURNING *`,
      [
        id,
        input.tenantId,
        input.exportId ?? null,
        input.dataset,
        input.format,
        input.window.from,
        input.window.to,
        JSON.stringify(input.settings),
        input.destinationIds,
        workflowIdForRun(id),
        input.requestedBy,
      ],
    );
    return toRun(rows[0]!);
  }

  async get(scope: Scope, id: string): Promise<Run | undefined> {
    const params: unknown[] = [id];
    const rows = await this.db.query(`SELECT * FROM runs WHERE id = $1${tenantClause(scope, 'tenant_id', params)}`, params);
    return rows[0] ? toRun(rows[0]) : undefined;
  }

  async list(
    scope: Scope,
    filter: { status?: RunStatus; exportId?: string; requestedAfter?: Date; requestedBefore?: Date; limit?: number } = {},
  ): Promise<Run[]> {
    const params: unknown[] = [];
    let where = tenantClause(scope, 'tenant_id', params);
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where += ` AND ${sql} $${params.length}`;
    };
    if (filter.status) add('status =', filter.status);
    if (filter.exportId) add('export_id =', filter.exportId);
    if (filter.requestedAfter) add('requested_at >=', filter.requestedAfter);
    if (filter.requestedBefore) add('requested_at <', filter.requestedBefore);
    params.push(filter.limit ?? 100);
    const rows = await this.db.query(
      `SELECT * FROM runs WHERE true${where} ORDER BY requested_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toRun);
  }

  /** An export's runs for exactly this window, oldest first (a schedule's dedupe: one live run per window). */
  async forExportWindow(exportId: string, window: { from: string; to: string }): Promise<Run[]> {
    const rows = await this.db.query(
      `SELECT * FROM runs WHERE export_id = $1 AND window_from = $2 AND window_to = $3 ORDER BY requested_at, id`,
      [exportId, window.from, window.to],
    );
    return rows.map(toRun);
  }

  /** Pending -> Processing; a retried attempt of an already processing run is a no-op. */
  async markProcessing(id: string): Promise<void> {
    await this.db.query(
      `UPDATE runs SET status = 'Processing', started_at = coalesce(started_at, now()) WHERE id = $1 AND status IN ('Pending', 'Processing')`,
      [id],
    );
  }

  async finish(
    id: string,
    outcome: {
      status: 'Completed' | 'Failed' | 'Cancelled';
      rows?: number | null;
      bytes?: number | null;
      files?: number | null;
      error?: RunError | null;
      expiresInSeconds?: number | undefined;
    },
  ): Promise<void> {
    await this.db.query(
      `UPDATE runs SET status = $2, finished_at = coalesce(finished_at, now()), rows = coalesce($3, rows),
         bytes = coalesce($4, bytes), files = coalesce($5, files), error = $6,
         expires_at = CASE WHEN $7::float8 IS NULL THEN expires_at ELSE now() + make_interval(secs => $7::float8) END
       WHERE id = $1 AND status NOT IN ('Completed', 'Failed', 'Cancelled', 'Expired')`,
      [id, outcome.status, outcome.rows ?? null, outcome.bytes ?? null, outcome.files ?? null, outcome.error ? JSON.stringify(outcome.error) : null, outcome.expiresInSeconds ?? null],
    );
    await this.db.query(`UPDATE artifacts SET expires_at = (SELECT expires_at FROM runs WHERE id = $1) WHERE run_id = $1`, [id]);
  }

  /** Completed -> Expired, once its files are gone. */
  async markExpired(id: string): Promise<void> {
    await this.db.query(`UPDATE runs SET status = 'Expired' WHERE id = $1 AND status = 'Completed'`, [id]);
  }

  async artifact(id: string): Promise<Artifact | undefined> {
    const rows = await this.db.query('SELECT * FROM artifacts WHERE id = $1', [id]);
    return rows[0] ? toArtifact(rows[0]) : undefined;
  }

  /** A run of this export that has not finished, if any. */
  async inFlightForExport(exportId: string): Promise<Run | undefined> {
    const rows = await this.db.query(
      `SELECT * FROM runs WHERE export_id = $1 AND status IN ('Pending', 'Processing') ORDER BY requested_at LIMIT 1`,
      [exportId],
    );
    return rows[0] ? toRun(rows[0]) : undefined;
  }

  async recordArtifact(a: Omit<Artifact, 'id' | 'createdAt' | 'kind'> & { kind?: ArtifactKind }): Promise<Artifact> {
    const rows = await this.db.query(
      `INSERT INTO artifacts (id, run_id, destination_id, partition_key, object_key, location, format, rows, bytes, sha256, expires_at, kind)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (run_id, destination_id, partition_key) DO UPDATE SET object_key = EXCLUDED.object_key,
         location = EXCLUDED.location, rows = EXCLUDED.rows, bytes = EXCLUDED.bytes, sha256 = EXCLUDED.sha256
       RETURNING *`,
      [newId('artifact'), a.runId, a.destinationId, a.partitionKey, a.objectKey, a.location, a.format, a.rows, a.bytes, a.sha256, a.expiresAt, a.kind ?? 'data'],
    );
    return toArtifact(rows[0]!);
  }

  /** A run's artifacts: its data files by default, or every kind (expiry deletes them all). */
  async artifacts(runId: string, kinds: readonly ArtifactKind[] = ['data']): Promise<Artifact[]> {
    const rows = await this.db.query('SELECT * FROM artifacts WHERE run_id = $1 AND kind = ANY($2) ORDER BY destination_id, kind, partition_key', [runId, kinds]);
    return rows.map(toArtifact);
  }
}
