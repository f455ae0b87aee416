import type { DatasetDefinition } from './types.js';
import { installEvents } from './install-events.js';
import { geographicSummary, marketplaceSummary, publisherLeaderboard, reputationEvents, reviewData, versionAdoption } from './marketplace.js';
import { customerInstances, instanceEvents } from './vendor-portal.js';
import { consentGranular, consentInteractions } from './consent.js';
import { downloadEvents } from './podcast-downloads.js';
import { organizationActivity } from './organization-activity.js';

const ALL: readonly DatasetDefinition[] = [
  installEvents,
  reviewData,
  versionAdoption,
  geographicSummary,
  reputationEvents,
  marketplaceSummary,
  publisherLeaderboard,
  instanceEvents,
  customerInstances,
  consentInteractions,
  consentGranular,
  downloadEvents,
  organizationActivity,
];

/** Every built-in dataset, by id. */
export const DATASETS: ReadonlyMap<string, DatasetDefinition> = new Map(ALL.map((d) => [d.id, d]));

export function findDataset(id: string): DatasetDefinition | undefined {
  return DATASETS.get(id);
}

/** DDL for the event store: one table per dataset, plus the ingestion timestamp used by streams. */
export function datasetTableDdl(dataset: DatasetDefinition): string {
  const columns = dataset.columns.map((c) => `${quoteIdent(c.name)} ${c.type}${c.nullable ? '' : ' NOT NULL'}`);
  columns.push('ingested_at TIMESTAMP NOT NULL DEFAULT current_timestamp');
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(dataset.table)} (${columns.join(', ')})`;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
