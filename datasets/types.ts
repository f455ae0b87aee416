/** What a dataset is: its columns, who may read it, how its rows are filtered by tenant and time, and
 * which metrics its aggregated JSON time series carries. The SQL that shapes it lives in datasets/sql.ts. */

export const DATASET_VISIBILITY = { tenant: 'tenant', admin: 'admin' } as const;
export type DatasetVisibility = (typeof DATASET_VISIBILITY)[keyof typeof DATASET_VISIBILITY];

export interface DatasetColumn {
  name: string;
  /** DuckDB type. */
  type: string;
  description: string;
}

export interface DatasetMetric {
  name: string;
  /** Aggregate SQL over the dataset's rows, e.g. `count(*)`. */
  sql: string;
  description: string;
}

export interface DatasetDefinition {
  id: string;
  title: string;
  description: string;
  /** Seed document the dataset comes from. */
  source: string;
  visibility: DatasetVisibility;
  table: string;
  columns: readonly DatasetColumn[];
  tenantColumn: string;
  timeColumn: string;
  /** Column that identifies a record, for de-duplication and manifests. */
  idColumn: string;
  metrics: readonly DatasetMetric[];
}
