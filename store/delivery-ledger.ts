/**
 * The delivery ledger: one row per (run, partition, destination). A row turns `delivered` only after the
 * destination confirmed the write, with its receipt and checksum; every attempt is counted. Retries of the
 * same unit reuse the same delivery key, which is what makes destinations' writes idempotent.
 */
import type { Queryable } from './database.js';

export const DELIVERY_STATE = {
  pending: 'pending',
  delivering: 'delivering',
  delivered: 'delivered',
  failed: 'failed',
} as const;
export type DeliveryState = (typeof DELIVERY_STATE)[keyof typeof DELIVERY_STATE];

export interface LedgerEntry {
  runId: string;
  partitionKey: string;
  destinationId: string;
  deliveryKey: string;
  state: DeliveryState;
  attempts: number;
  rows: number | null;
  checksum: string | null;
  receipt: Record<string, unknown> | null;
  error: string | null;
  updatedAt: Date;
}

const toEntry = (r: Record<string, unknown>): LedgerEntry => ({
  runId: r.run_id as string,
  partitionKey: r.partition_key as string,
  destinationId: r.destination_id as string,
  deliveryKey: r.delivery_key as string,
  state: r.state as DeliveryState,
  attempts: Number(r.attempts),
  rows: r.rows === null ? null : Number(r.rows),
  checksum: (r.checksum as string | null) ?? null,
  receipt: (r.receipt as Record<string, unknown> | null) ?? null,
  error: (r.error as string | null) ?? null,
  updatedAt: r.updated_at as Date,
});

export interface LedgerUnit {
  runId: string;
  partitionKey: string;
  destinationId: string;
  deliveryKey: string;
}

export class DeliveryLedger {
  constructor(private readonly db: Queryable) {}

  /** Records an attempt and returns the entry as it now stands (a delivered entry stays delivered). */
  async beginAttempt(unit: LedgerUnit): Promise<LedgerEntry> {
    const rows = await this.db.query(
      `INSERT INTO delivery_ledger (run_id, partition_key, destination_id, delivery_key, state, attempts)
       VALUES ($1, $2, $3, $4, 'delivering', 1)
       ON CONFLICT (run_id, partition_key, destination_id) DO UPDATE SET
         attempts = delivery_ledger.attempts + 1,
         state = CASE WHEN delivery_ledger.state = 'delivered' THEN 'delivered' ELSE 'delivering' END,
         updated_at = now()
       RETURNING *`,
      [unit.runId, unit.partitionKey, unit.destinationId, unit.deliveryKey],
    );
    return toEntry(rows[0]!);
  }

  async markDelivered(unit: LedgerUnit, result: { rows: number; checksum: string; receipt: Record<string, unknown> }): Promise<void> {
    await this.db.query(
      `UPDATE delivery_ledger SET state = 'delivered', rows = $4, checksum = $5, receipt = $6, error = NULL, updated_at = now()
       WHERE run_id = $1 AND partition_key = $2 AND destination_id = $3`,
      [unit.runId, unit.partitionKey, unit.destinationId, result.rows, result.checksum, JSON.stringify(result.receipt)],
    );
  }

  async markFailed(unit: LedgerUnit, error: string): Promise<void> {
    await this.db.query(
      `UPDATE delivery_ledger SET state = 'failed', error = $4, updated_at = now()
       WHERE run_id = $1 AND partition_key = $2 AND destination_id = $3 AND state <> 'delivered'`,
      [unit.runId, unit.partitionKey, unit.destinationId, error],
    );
  }

  async forRun(runId: string): Promise<LedgerEntry[]> {
    const rows = await this.db.query(
      'SELECT * FROM delivery_ledger WHERE run_id = $1 ORDER BY destination_id, partition_key',
      [runId],
    );
    return rows.map(toEntry);
  }
}
