/**
 * Writes one export file from the event store: the query for the spec's format, one DuckDB COPY, and for
 * gzip the parallel compressor. Shared by the export activity (staged files) and the API's immediate
 * answers (seed 000: small exports return at once), so both produce the same bytes.
 */
import { rm } from 'node:fs/promises';
import type { EventStore } from './index.js';
import { type BoundQuery, type Selection, TIMESTAMP_FORMAT, countQuery, recordsQuery, rowsQuery, timeSeriesQuery } from '../../../datasets/sql.js';
import { gzipFile } from '../../../platform/parallel-gzip.js';
import type { ExportSpec } from '../../../workflows/definitions.js';

const PARQUET_CODEC = { none: 'snappy', gzip: 'gzip', zstd: 'zstd' } as const;

export interface CopyPlan {
  query: BoundQuery;
  options: string;
  /** False when the file is an aggregate: its source rows are counted separately. */
  rowsFromCopy: boolean;
}

export function copyPlan(sel: Selection, spec: Pick<ExportSpec, 'format' | 'compression' | 'granularity' | 'dimension'>, jsonArray = false): CopyPlan {
  const text = spec.compression === 'zstd' ? 'zstd' : 'none';
  switch (spec.format) {
    case 'csv':
      return { query: rowsQuery(sel), options: `FORMAT csv, HEADER true, TIMESTAMPFORMAT '${TIMESTAMP_FORMAT}', COMPRESSION ${text}`, rowsFromCopy: true };
    case 'jsonl':
      return {
        query: recordsQuery(sel),
        options: `FORMAT json, TIMESTAMPFORMAT '${TIMESTAMP_FORMAT}', COMPRESSION ${text}${jsonArray ? ', ARRAY true' : ''}`,
        rowsFromCopy: true,
      };
    case 'parquet':
      return { query: rowsQuery(sel), options: `FORMAT parquet, COMPRESSION ${PARQUET_CODEC[spec.compression]}`, rowsFromCopy: true };
    case 'json':
      return { query: timeSeriesQuery(sel, spec.granularity, spec.dimension), options: `FORMAT json, COMPRESSION ${text}`, rowsFromCopy: false };
  }
}

export interface WriteOptions {
  signal?: AbortSignal;
  gzipLevel?: number;
  /** JSON Lines as one JSON array instead (the events API's `format=json`). */
  jsonArray?: boolean;
}

/** Writes the selection to `target` in the spec's shape; returns the source rows it holds. */
export async function writeExportFile(
  events: EventStore,
  sel: Selection,
  spec: Pick<ExportSpec, 'format' | 'compression' | 'granularity' | 'dimension'>,
  target: string,
  options: WriteOptions = {},
): Promise<number> {
  const plan = copyPlan(sel, spec, options.jsonArray);
  const gzip = spec.compression === 'gzip' && spec.format !== 'parquet';
  const plain = gzip ? `${target}.plain` : target;
  try {
    const copied = await events.copyTo(plan.query, plain, plan.options, options.signal);
    if (gzip) await gzipFile(plain, target, { level: options.gzipLevel ?? 1, signal: options.signal });
    return plan.rowsFromCopy ? copied : await events.count(countQuery(sel));
  } catch (err) {
    await rm(target, { force: true });
    throw err;
  } finally {
    if (gzip) await rm(plain, { force: true });
  }
}
