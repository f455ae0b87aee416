import type { DatasetDefinition } from './types.js';
import { installEvents } from './install-events.js';

/** Every built-in dataset, by id. */
export const DATASETS: ReadonlyMap<string, DatasetDefinition> = new Map<string, DatasetDefinition>([[installEvents.id, installEvents]]);

export function findDataset(id: string): DatasetDefinition | undefined {
  return DATASETS.get(id);
}

/** DDL for the event store: one table per dataset, plus the ingestion timestamp used by streams. */
export function datasetTableDdl(dataset: DatasetDefinition): string {
  const columns = dataset.columns.map((c) => `${quoteIdent(c.name)} ${c.type} NOT NULL`);
  columns.push('ingested_at TIMESTAMP NOT NULL DEFAULT current_timestamp');
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(dataset.table)} (${columns.join(', ')})`;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
