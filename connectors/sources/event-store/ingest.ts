/**
 * Ingestion into the event store. Each record is validated on its own (a bad record is reported with its
 * index and reason, the good ones are kept); valid records are de-duplicated by the dataset's id column
 * against everything stored (a record re-sent days later is a duplicate) and within the batch (first
 * wins); late records (event time in the past) are simply stored. The insert commits before the caller
 * answers, so an accepted record survives the process being killed after the response.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EventStore } from './index.js';
import type { DatasetDefinition } from '../../../datasets/types.js';
import { quoteIdent } from '../../../datasets/catalog.js';
import { normaliseRecord, recordSchema } from '../../../datasets/record-schema.js';

export interface Rejection {
  index: number;
  reason: string;
}

export interface IngestResult {
  received: number;
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
}

/** One ingestion at a time per dataset, so the duplicate check and the insert see the same table. */
const queues = new Map<string, Promise<unknown>>();

export async function ingestRecords(
  events: EventStore,
  dataset: DatasetDefinition,
  records: readonly unknown[],
  tenant: { tenantId: string } | null,
  preRejected: readonly Rejection[] = [],
): Promise<IngestResult> {
  const schema = recordSchema(dataset);
  const rejected: Rejection[] = [...preRejected];
  const valid: Record<string, unknown>[] = [];
  records.forEach((record, index) => {
    if (record === undefined) return;
    let candidate = record;
    if (tenant && dataset.tenantColumn && record && typeof record === 'object' && !Array.isArray(record)) {
      const own = (record as Record<string, unknown>)[dataset.tenantColumn];
      if (own !== undefined && own !== tenant.tenantId) {
        rejected.push({ index, reason: `${dataset.tenantColumn}: must be your own tenant (${tenant.tenantId}) or omitted` });
        return;
      }
      candidate = { ...(record as Record<string, unknown>), [dataset.tenantColumn]: tenant.tenantId };
    }
    const parsed = schema.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys.join(', ') : issue.path.join('.') || '(record)';
      rejected.push({ index, reason: `${field}: ${issue.message}` });
      return;
    }
    valid.push(normaliseRecord(dataset, parsed.data));
  });
  rejected.sort((a, b) => a.index - b.index);

  let accepted = 0;
  if (valid.length > 0) {
    const previous = queues.get(dataset.id) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => insertNew(events, dataset, valid));
    queues.set(dataset.id, run);
    accepted = await run;
  }
  return { received: records.length, accepted, duplicates: valid.length - accepted, rejected };
}

async function insertNew(events: EventStore, dataset: DatasetDefinition, rows: Record<string, unknown>[]): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-ingest-'));
  const file = path.join(dir, 'batch.ndjson');
  try {
    await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const cols = dataset.columns.map((c) => quoteIdent(c.name));
    const types = `{${dataset.columns.map((c) => `'${c.name}': '${c.type}'`).join(', ')}}`;
    const id = quoteIdent(dataset.idColumn);
    return await events.execute(
      `INSERT INTO ${quoteIdent(dataset.table)} (${cols.join(', ')}, ingested_at)
       SELECT ${cols.join(', ')}, current_timestamp::TIMESTAMP FROM (
         SELECT *, row_number() OVER () AS _n FROM read_json('${file.replaceAll("'", "''")}', format = 'newline_delimited', columns = ${types})
       ) batch
       WHERE ${id} NOT IN (SELECT ${id} FROM ${quoteIdent(dataset.table)})
       QUALIFY row_number() OVER (PARTITION BY ${id} ORDER BY _n) = 1`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
