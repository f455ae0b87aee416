/** What a dataset is: its columns, who may read it, how its rows are filtered by tenant, time and declared
 * filters, and which metrics and dimensions its aggregated JSON time series carries. The SQL that shapes it
 * lives in datasets/sql.ts. */

export const DATASET_VISIBILITY = { tenant: 'tenant', admin: 'admin' } as const;
export type DatasetVisibility = (typeof DATASET_VISIBILITY)[keyof typeof DATASET_VISIBILITY];

export interface DatasetColumn {
  name: string;
  /** DuckDB type. */
  type: string;
  description: string;
  /** May be null (optional parts of a record, e.g. seed 003's Geo). */
  nullable?: boolean;
}

/** A column entry, nullable when the last argument says so. */
export function column(name: string, type: string, description: string, nullable = false): DatasetColumn {
  return nullable ? { name, type, description, nullable } : { name, type, description };
}

export interface DatasetMetric {
  name: string;
  /** Aggregate SQL over the dataset's rows, e.g. `count(*)`. */
  sql: string;
  description: string;
}

export interface DatasetFilter {
  /** Name in requests, e.g. `customerIDs`. */
  name: string;
  /** Column compared for equality with any of the given values. */
  column: string;
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
  /** Column holding the owning tenant; null for platform-wide (admin-only) datasets. */
  tenantColumn: string | null;
  timeColumn: string;
  /** Column that identifies a record, for ordering, de-duplication and manifests. */
  idColumn: string;
  metrics: readonly DatasetMetric[];
  /** Columns the JSON time series may be grouped by. */
  dimensions: readonly string[];
  filters: readonly DatasetFilter[];
  /** Name used in file names by the `{aggregation}` token (seed 002), e.g. `interaction`. */
  aggregation: string;
  /**
   * SELECT list building one nested record per row for JSON Lines, where the dataset is nested (seed 003);
   * flat datasets export their columns as they are.
   */
  recordSelect?: string;
  /** Coded values and their meanings, per column (seed 002). */
  codes?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * INSERT ... SELECT producing deterministic synthetic rows inside DuckDB. Parameters: $rows, $seed,
   * $tenants (VARCHAR[]), $end (last day, YYYY-MM-DD). Macros: u(salt) is a uniform [0,1) draw for row i,
   * pick(list, salt) one element of a list, uuid(salt) a UUID-shaped id, day(salt) a day of the 730 ending
   * on $end (more recent days more likely).
   */
  generatorSql: string;
}
