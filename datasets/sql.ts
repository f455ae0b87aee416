/**
 * The DuckDB SQL that shapes a dataset for export. Windows are whole UTC days, both ends inclusive:
 * `[from 00:00, to + 1 day 00:00)`. Every caller-supplied value is a bound parameter, never spliced into SQL;
 * only identifiers from the built-in dataset definitions are.
 */
import type { DatasetDefinition } from './types.js';
import { quoteIdent } from './catalog.js';

export interface ExportWindow {
  /** YYYY-MM-DD, inclusive. */
  from: string;
  /** YYYY-MM-DD, inclusive. */
  to: string;
}

export interface BoundQuery {
  sql: string;
  params: Record<string, string>;
}

/** CSV timestamps: ISO 8601 in UTC, which every spreadsheet and loader reads. */
export const CSV_TIMESTAMP_FORMAT = '%Y-%m-%dT%H:%M:%SZ';

function whereClause(dataset: DatasetDefinition, tenantId: string | null): string {
  const time = quoteIdent(dataset.timeColumn);
  let where = `${time} >= $from::DATE AND ${time} < $to::DATE + 1`;
  if (tenantId !== null) where += ` AND ${quoteIdent(dataset.tenantColumn)} = $tenant`;
  return where;
}

function bind(window: ExportWindow, tenantId: string | null): Record<string, string> {
  return tenantId === null ? { from: window.from, to: window.to } : { from: window.from, to: window.to, tenant: tenantId };
}

/** Raw rows in a stable order (time, then id), so re-running a window yields the same bytes. */
export function rowsQuery(dataset: DatasetDefinition, window: ExportWindow, tenantId: string | null): BoundQuery {
  const cols = dataset.columns.map((c) => quoteIdent(c.name)).join(', ');
  return {
    sql: `SELECT ${cols} FROM ${quoteIdent(dataset.table)} WHERE ${whereClause(dataset, tenantId)}
          ORDER BY ${quoteIdent(dataset.timeColumn)}, ${quoteIdent(dataset.idColumn)}`,
    params: bind(window, tenantId),
  };
}

export function countQuery(dataset: DatasetDefinition, window: ExportWindow, tenantId: string | null): BoundQuery {
  return {
    sql: `SELECT count(*)::BIGINT AS n FROM ${quoteIdent(dataset.table)} WHERE ${whereClause(dataset, tenantId)}`,
    params: bind(window, tenantId),
  };
}

/**
 * The aggregated JSON time series (seed 000): one document
 * `{dataset, granularity, from, to, series: [{period, metrics}]}` with one entry per day of the window,
 * days without rows included with zero-valued metrics.
 */
export function timeSeriesQuery(dataset: DatasetDefinition, window: ExportWindow, tenantId: string | null): BoundQuery {
  const metricCols = dataset.metrics.map((m) => `${m.sql} AS ${quoteIdent(m.name)}`).join(', ');
  const metricStruct = dataset.metrics.map((m) => `${quoteIdent(m.name)}: coalesce(a.${quoteIdent(m.name)}, 0)`).join(', ');
  return {
    sql: `WITH periods AS (
            SELECT d::DATE AS period FROM range($from::DATE, $to::DATE + 1, INTERVAL 1 DAY) t(d)
          ), agg AS (
            SELECT ${quoteIdent(dataset.timeColumn)}::DATE AS period, ${metricCols}
            FROM ${quoteIdent(dataset.table)} WHERE ${whereClause(dataset, tenantId)} GROUP BY 1
          )
          SELECT $dataset AS dataset, 'day' AS granularity, $from AS "from", $to AS "to",
            list({period: strftime(p.period, '%Y-%m-%d'), metrics: {${metricStruct}}} ORDER BY p.period) AS series
          FROM periods p LEFT JOIN agg a USING (period)`,
    params: { ...bind(window, tenantId), dataset: dataset.id },
  };
}
