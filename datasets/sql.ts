/**
 * The DuckDB SQL that shapes a dataset for export. Windows are whole UTC days, both ends inclusive:
 * `[from 00:00, to + 1 day 00:00)`. Every caller-supplied value (dates, tenant, filter values) is a bound
 * parameter, never spliced into SQL; only identifiers from the built-in dataset definitions are.
 */
import type { DatasetDefinition } from './types.js';
import { quoteIdent } from './catalog.js';
import type { Granularity } from '../workflows/definitions.js';
import { zonedBounds } from './schedule.js';
import { naiveUtc } from './window.js';

export interface ExportWindow {
  /** YYYY-MM-DD, inclusive. */
  from: string;
  /** YYYY-MM-DD, inclusive. */
  to: string;
}

export interface BoundQuery {
  sql: string;
  params: Record<string, string | string[]>;
  /** DuckDB types for list parameters. */
  listParams: string[];
}

export interface Selection {
  dataset: DatasetDefinition;
  window: ExportWindow;
  /** Tenant whose rows are selected; null selects every tenant (admin). */
  tenantId: string | null;
  filters?: Record<string, string[]>;
  /**
   * Stream batches select by ingestion time instead of event time: rows with `after < ingested_at <= upTo`
   * (naive UTC, 'YYYY-MM-DD HH:MM:SS.ffffff'), whatever their event time, so late events land in a later batch.
   */
  ingested?: { after: string; upTo: string };
  /** IANA zone whose local days the window means (scheduled exports); UTC days when absent. */
  timeZone?: string;
}

/** Timestamps in CSV and JSON: ISO 8601 in UTC, which every spreadsheet and loader reads. */
export const TIMESTAMP_FORMAT = '%Y-%m-%dT%H:%M:%SZ';

function where(s: Selection): { clause: string; params: Record<string, string | string[]>; listParams: string[] } {
  const time = quoteIdent(s.dataset.timeColumn);
  const listParams: string[] = [];
  let params: Record<string, string | string[]>;
  let clause: string;
  if (s.ingested) {
    params = { after: s.ingested.after, upTo: s.ingested.upTo };
    clause = `ingested_at > $after::TIMESTAMP AND ingested_at <= $upTo::TIMESTAMP`;
  } else if (s.timeZone && s.timeZone !== 'UTC') {
    const bounds = zonedBounds(s.window, s.timeZone);
    params = { start: naiveUtc(bounds.start), end: naiveUtc(bounds.end) };
    clause = `${time} >= $start::TIMESTAMP AND ${time} < $end::TIMESTAMP`;
  } else {
    params = { from: s.window.from, to: s.window.to };
    clause = `${time} >= $from::DATE AND ${time} < $to::DATE + 1`;
  }
  if (s.tenantId !== null && s.dataset.tenantColumn) {
    clause += ` AND ${quoteIdent(s.dataset.tenantColumn)} = $tenant`;
    params.tenant = s.tenantId;
  }
  for (const [name, values] of Object.entries(s.filters ?? {})) {
    const filter = s.dataset.filters.find((f) => f.name === name);
    if (!filter) throw new Error(`dataset ${s.dataset.id} has no filter '${name}'`);
    const param = `f_${name.replace(/\W/g, '_')}`;
    clause += ` AND list_contains($${param}, ${quoteIdent(filter.column)}::VARCHAR)`;
    params[param] = values;
    listParams.push(param);
  }
  return { clause, params, listParams };
}

const orderBy = (d: DatasetDefinition) => `ORDER BY ${quoteIdent(d.timeColumn)}, ${quoteIdent(d.idColumn)}`;

/** Raw rows in a stable order (time, then id), so re-running a window yields the same bytes. */
export function rowsQuery(s: Selection): BoundQuery {
  const w = where(s);
  const cols = s.dataset.columns.map((c) => quoteIdent(c.name)).join(', ');
  return { sql: `SELECT ${cols} FROM ${quoteIdent(s.dataset.table)} WHERE ${w.clause} ${orderBy(s.dataset)}`, params: w.params, listParams: w.listParams };
}

/** One record per row for JSON Lines: nested where the dataset is nested, its columns otherwise. */
export function recordsQuery(s: Selection): BoundQuery {
  if (!s.dataset.recordSelect) return rowsQuery(s);
  const w = where(s);
  return {
    sql: `SELECT ${s.dataset.recordSelect} FROM ${quoteIdent(s.dataset.table)} WHERE ${w.clause} ${orderBy(s.dataset)}`,
    params: w.params,
    listParams: w.listParams,
  };
}

export function countQuery(s: Selection): BoundQuery {
  const w = where(s);
  return { sql: `SELECT count(*)::BIGINT AS n FROM ${quoteIdent(s.dataset.table)} WHERE ${w.clause}`, params: w.params, listParams: w.listParams };
}

/** How many rows a selection has and the first and last UTC day of their event times (n, first_day, last_day). */
export function eventDaysQuery(s: Selection): BoundQuery {
  const w = where(s);
  const time = quoteIdent(s.dataset.timeColumn);
  return {
    sql: `SELECT count(*)::BIGINT AS n, strftime(min(${time})::DATE, '%Y-%m-%d') AS first_day, strftime(max(${time})::DATE, '%Y-%m-%d') AS last_day FROM ${quoteIdent(s.dataset.table)} WHERE ${w.clause}`,
    params: w.params,
    listParams: w.listParams,
  };
}

/**
 * What a manifest says of a file: the first and last event time, and the first and last event id in export
 * order (time, then id). One row: first_time, last_time, first_id, last_id (all null for an empty file).
 */
export function boundsQuery(s: Selection): BoundQuery {
  const w = where(s);
  const time = quoteIdent(s.dataset.timeColumn);
  const id = quoteIdent(s.dataset.idColumn);
  const table = quoteIdent(s.dataset.table);
  // Two top-1 scans in export order: far cheaper than arg_min/arg_max over (time, id) pairs.
  const edge = (dir: 'ASC' | 'DESC') =>
    `(SELECT {'t': strftime(${time}::TIMESTAMP, '${TIMESTAMP_FORMAT}'), 'i': ${id}::VARCHAR} FROM ${table} WHERE ${w.clause} ORDER BY ${time} ${dir}, ${id} ${dir} LIMIT 1)`;
  return {
    sql: `SELECT f.t AS first_time, l.t AS last_time, f.i AS first_id, l.i AS last_id FROM (SELECT ${edge('ASC')} AS f, ${edge('DESC')} AS l)`,
    params: w.params,
    listParams: w.listParams,
  };
}

/**
 * The aggregated JSON time series (seed 000): one document
 * `{dataset, granularity, from, to, dimension?, series: [{period, periodEnd, [dimension], metrics}]}`.
 * Periods are days, ISO weeks (Monday to Sunday) or calendar months, labelled by their first day and
 * clipped to the window. Without a dimension every period of the window is present, zero-filled; with one,
 * each (period, value) that has rows.
 */
export function timeSeriesQuery(s: Selection, granularity: Granularity, dimension: string | null): BoundQuery {
  const d = s.dataset;
  const w = where(s);
  const time = quoteIdent(d.timeColumn);
  const metricCols = d.metrics.map((m) => `${m.sql} AS ${quoteIdent(m.name)}`).join(', ');
  const metricStruct = (prefix: string, zero: boolean) =>
    d.metrics.map((m) => `${quoteIdent(m.name)}: ${zero ? `coalesce(${prefix}${quoteIdent(m.name)}, 0)` : `${prefix}${quoteIdent(m.name)}`}`).join(', ');
  const bucket = `date_trunc('${granularity}', ${time})::DATE`;
  const periodEnd = (col: string) =>
    `strftime(least($to::DATE, (${col} + INTERVAL 1 ${granularity})::DATE - 1), '%Y-%m-%d')`;
  const periodStart = (col: string) => `strftime(greatest($from::DATE, ${col}), '%Y-%m-%d')`;
  const header = `SELECT $dataset AS dataset, '${granularity}' AS granularity, $from AS "from", $to AS "to"`;
  const params = { ...w.params, dataset: d.id };
  if (!dimension) {
    return {
      sql: `WITH periods AS (
              SELECT p::DATE AS period FROM range(date_trunc('${granularity}', $from::DATE), $to::DATE + 1, INTERVAL 1 ${granularity}) t(p)
            ), agg AS (
              SELECT ${bucket} AS period, ${metricCols} FROM ${quoteIdent(d.table)} WHERE ${w.clause} GROUP BY 1
            )
            ${header}, list({period: ${periodStart('p.period')}, periodEnd: ${periodEnd('p.period')}, metrics: {${metricStruct('a.', true)}}} ORDER BY p.period) AS series
            FROM periods p LEFT JOIN agg a USING (period)`,
      params,
      listParams: w.listParams,
    };
  }
  const dim = quoteIdent(dimension);
  return {
    sql: `WITH agg AS (
            SELECT ${bucket} AS period, ${dim}::VARCHAR AS dim, ${metricCols} FROM ${quoteIdent(d.table)} WHERE ${w.clause} GROUP BY 1, 2
          )
          ${header}, $dimension AS dimension,
            coalesce(list({period: ${periodStart('period')}, periodEnd: ${periodEnd('period')}, ${dim}: dim, metrics: {${metricStruct('', false)}}} ORDER BY period, dim), []) AS series
          FROM agg`,
    params: { ...params, dimension },
    listParams: w.listParams,
  };
}
