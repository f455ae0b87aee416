/**
 * Validation of ingested records against a dataset's columns: the right JSON type for each DuckDB type,
 * required unless the column is nullable, unknown fields refused. The ingestion time is Sluice's own.
 */
import { z } from 'zod';
import type { DatasetColumn, DatasetDefinition } from './types.js';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function columnSchema(column: DatasetColumn): z.ZodType {
  let schema: z.ZodType;
  switch (column.type) {
    case 'VARCHAR':
      schema = z.string().max(10_000);
      break;
    case 'INTEGER':
      schema = z.number().int().min(-2147483648).max(2147483647);
      break;
    case 'DOUBLE':
      schema = z.number().finite();
      break;
    case 'BOOLEAN':
      schema = z.boolean();
      break;
    case 'TIMESTAMP':
      schema = z
        .string()
        .regex(ISO_TIMESTAMP, 'must be an ISO 8601 timestamp, e.g. 2026-11-03T14:05:00Z')
        .refine((s) => !Number.isNaN(Date.parse(s.includes('T') || s.includes(' ') ? s.replace(' ', 'T') : s)), 'is not a valid time');
      break;
    case 'DATE':
      schema = z.string().regex(ISO_DATE, 'must be a date as YYYY-MM-DD');
      break;
    default:
      schema = z.unknown();
  }
  return column.nullable ? schema.nullable().optional() : schema;
}

export function recordSchema(dataset: DatasetDefinition): z.ZodObject {
  return z.object(Object.fromEntries(dataset.columns.map((c) => [c.name, columnSchema(c)]))).strict();
}

/** Normalises a valid record's timestamps to UTC `YYYY-MM-DD HH:MM:SS[.fff]`, as the event store keeps them. */
export function normaliseRecord(dataset: DatasetDefinition, record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...record };
  for (const c of dataset.columns) {
    const v = out[c.name];
    if (c.type === 'TIMESTAMP' && typeof v === 'string') {
      const iso = new Date(/[zZ]|[+-]\d{2}:?\d{2}$/.test(v) ? v.replace(' ', 'T') : `${v.replace(' ', 'T')}Z`).toISOString();
      out[c.name] = iso.replace('T', ' ').replace('Z', '');
    }
    if (v === undefined) out[c.name] = null;
  }
  return out;
}
