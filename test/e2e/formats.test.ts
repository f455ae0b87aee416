/**
 * Every shape through the real workflow: the files re-read to exactly the source rows (CSV, JSON Lines,
 * Parquet, gzip and zstd), the series equal GROUP BYs at every granularity and dimension, partition files
 * carry the names their templates promise, and filter values are data, never SQL.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { type TestPlatform, daysAgo, startTestPlatform } from '../helpers/platform.js';

let p: TestPlatform;
let destination: string;
beforeAll(async () => {
  p = await startTestPlatform({ seedRows: 60_000 });
  destination = await p.createFilesystemDestination(p.keyA, 'formats');
});
afterAll(async () => p?.stop());

const w = () => ({ from: daysAgo(40), to: daysAgo(5) });

async function exportRun(body: Record<string, unknown>) {
  const res = await p.request('POST', '/v1/runs', { key: p.keyA, body: { dataset: 'install_events', destinations: [destination], ...w(), ...body } });
  expect(res.status, res.text).toBe(202);
  const run = await p.waitForRun(res.json.id, p.keyA);
  expect(run.status, JSON.stringify(run.error)).toBe('Completed');
  return run;
}

const query = (sql: string, params: Record<string, string> = {}) => p.query(sql, params);

const SOURCE = `SELECT event_id, tenant_id, package_id, version, tenant_region, strftime(install_date, '%Y-%m-%dT%H:%M:%SZ') AS install_date
  FROM install_events WHERE tenant_id = $t AND install_date >= $f::DATE AND install_date < $to::DATE + 1`;
const source = (extra = '', window = w()) => query(`${SOURCE} ${extra} ORDER BY install_date, event_id`, { t: p.tenantA.id, f: window.from, to: window.to });

describe('formats', () => {
  it('JSON Lines: one record per source row, in order', async () => {
    const run = await exportRun({ format: 'jsonl' });
    const records = readFileSync(run.files[0].location, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records).toEqual(await source());
    expect(run.files[0].key).toMatch(/\.jsonl$/);
  });

  it('Parquet: re-reads to the same rows', async () => {
    const run = await exportRun({ format: 'parquet', compression: 'zstd' });
    const back = await query(
      `SELECT event_id, tenant_id, package_id, version, tenant_region, strftime(install_date, '%Y-%m-%dT%H:%M:%SZ') AS install_date FROM read_parquet('${run.files[0].location}')`,
    );
    expect(back).toEqual(await source());
    const meta = await query(`SELECT DISTINCT compression FROM parquet_metadata('${run.files[0].location}')`);
    expect(meta.map((m) => m.compression)).toEqual(['ZSTD']);
  });

  it('CSV with gzip: a standard .gz whose content is the plain CSV', async () => {
    const plain = await exportRun({ format: 'csv' });
    const gz = await exportRun({ format: 'csv', compression: 'gzip' });
    expect(gz.files[0].key).toMatch(/\.csv\.gz$/);
    const unzipped = gunzipSync(readFileSync(gz.files[0].location)).toString();
    expect(unzipped).toBe(readFileSync(plain.files[0].location, 'utf8'));
    expect(parse(unzipped, { columns: true })).toEqual(await source());
    expect(gz.rows).toBe(plain.rows);
  });

  it('CSV with zstd: DuckDB reads it back', async () => {
    const run = await exportRun({ format: 'csv', compression: 'zstd' });
    expect(run.files[0].key).toMatch(/\.csv\.zst$/);
    const back = await query(`SELECT count(*)::INTEGER AS n FROM read_csv('${run.files[0].location}', compression = 'zstd', header = true)`);
    expect(back[0]!.n).toBe(run.rows);
  });
});

describe('aggregated JSON time series', () => {
  it.each(['week', 'month'] as const)('%s periods equal a GROUP BY, clipped to the window', async (granularity) => {
    const run = await exportRun({ format: 'json', granularity });
    const doc = JSON.parse(readFileSync(run.files[0].location, 'utf8'));
    const window = w();
    const grouped = await query(
      `SELECT strftime(greatest($f::DATE, date_trunc('${granularity}', install_date)::DATE), '%Y-%m-%d') AS period, count(*)::INTEGER AS installs
       FROM install_events WHERE tenant_id = $t AND install_date >= $f::DATE AND install_date < $to::DATE + 1 GROUP BY 1 ORDER BY 1`,
      { t: p.tenantA.id, f: window.from, to: window.to },
    );
    expect(doc.granularity).toBe(granularity);
    expect(doc.series.map((s: any) => ({ period: s.period, installs: s.metrics.installs }))).toEqual(grouped);
    expect(doc.series[0].period).toBe(window.from);
    expect(doc.series.at(-1).periodEnd).toBe(window.to);
    if (granularity === 'week') for (const s of doc.series.slice(1)) expect(new Date(`${s.period}T00:00:00Z`).getUTCDay()).toBe(1);
  });

  it('groups by a dimension', async () => {
    const run = await exportRun({ format: 'json', granularity: 'month', dimension: 'tenant_region' });
    const doc = JSON.parse(readFileSync(run.files[0].location, 'utf8'));
    const window = w();
    const grouped = await query(
      `SELECT strftime(greatest($f::DATE, date_trunc('month', install_date)::DATE), '%Y-%m-%d') AS period, tenant_region, count(*)::INTEGER AS installs
       FROM install_events WHERE tenant_id = $t AND install_date >= $f::DATE AND install_date < $to::DATE + 1 GROUP BY 1, 2 ORDER BY 1, 2`,
      { t: p.tenantA.id, f: window.from, to: window.to },
    );
    expect(doc.dimension).toBe('tenant_region');
    expect(doc.series.map((s: any) => ({ period: s.period, tenant_region: s.tenant_region, installs: s.metrics.installs }))).toEqual(grouped);
  });
});

describe('partitions and file names', () => {
  it('one file per UTC day, each with that day’s rows, named by the default template', async () => {
    const window = { from: daysAgo(9), to: daysAgo(7) };
    const run = await exportRun({ format: 'csv', partitioning: 'day', ...window });
    const keys = run.files.map((f: any) => f.key);
    expect(keys.map((k: string) => k.replace(/_[0-9a-f]{16}\.csv$/, '.csv'))).toEqual(
      [daysAgo(9), daysAgo(8), daysAgo(7)].map((d) => `install_events/install_events_${d}_${d}.csv`),
    );
    // {unique_id} differs per partition and is stable for the run and window.
    expect(new Set(keys.map((k: string) => k.slice(-20))).size).toBe(3);
    for (const f of run.files) {
      const day = f.key.match(/_(\d{4}-\d{2}-\d{2})_[0-9a-f]{16}\.csv$/)[1];
      expect(parse(readFileSync(f.location, 'utf8'), { columns: true })).toEqual(await source('', { from: day, to: day }));
    }
    expect(run.deliveries).toHaveLength(3);
  });

  it('month partitions with the seed 002 preset', async () => {
    const run = await exportRun({ format: 'csv', partitioning: 'month', pathTemplate: 'consent-periods' });
    const window = w();
    const keys = run.files.map((f: any) => f.key);
    expect(keys[0]).toMatch(new RegExp(`^install-${window.from}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
    expect(keys.at(-1)).toMatch(new RegExp(`^install-\\d{4}-\\d{2}-01-${window.to}\\.csv$`));
    expect(run.files.reduce((s: number, f: any) => s + f.rows, 0)).toBe(run.rows);
  });

  it('the seed 003 preset: gzipped JSON Lines under date folders', async () => {
    const run = await exportRun({ format: 'jsonl', compression: 'gzip', partitioning: 'day', pathTemplate: 'podcast-events', from: daysAgo(6), to: daysAgo(5) });
    const at = new Date(run.requestedAt);
    const ymd = at.toISOString().slice(0, 10);
    for (const f of run.files) {
      expect(f.key).toMatch(new RegExp(`^${ymd.slice(0, 4)}/${ymd.slice(0, 7)}/${ymd}/${ymd}T\\d{4}_\\d{8}T\\d{6}Z_[0-9a-f]{16}\\.jsonl\\.gz$`));
      const lines = gunzipSync(readFileSync(f.location)).toString().trim().split('\n');
      expect(lines.length).toBe(f.rows);
    }
    expect(new Set(run.files.map((f: any) => f.key)).size).toBe(2);
  });

  it('refuses a template that would leave the destination', async () => {
    const res = await p.request('POST', '/v1/runs', {
      key: p.keyA,
      body: { dataset: 'install_events', format: 'csv', ...w(), destinations: [destination], pathTemplate: '../{dataset}.csv' },
    });
    expect(res.status).toBe(400);
    expect(res.json.errors[0].path).toBe('pathTemplate');
  });
});

describe('filters', () => {
  it('keeps only the requested values', async () => {
    const run = await exportRun({ format: 'csv', filters: { regions: ['eu-west-1', 'sa-east-1'] } });
    const rows = parse<Record<string, string>>(readFileSync(run.files[0].location, 'utf8'), { columns: true });
    expect(rows).toEqual(await source(`AND tenant_region IN ('eu-west-1', 'sa-east-1')`));
    expect(rows.length).toBeGreaterThan(0);
  });

  it('treats hostile strings as data: an empty result, and the table is intact', async () => {
    const before = await query('SELECT count(*)::INTEGER AS n FROM install_events');
    const run = await exportRun({ format: 'csv', filters: { packageIds: ["x'); DROP TABLE install_events; --", "' OR 1=1 --"] } });
    expect(run.rows).toBe(0);
    expect(readFileSync(run.files[0].location, 'utf8').trim()).toBe('event_id,tenant_id,package_id,version,tenant_region,install_date');
    expect(await query('SELECT count(*)::INTEGER AS n FROM install_events')).toEqual(before);
  });

  it('refuses filters and dimensions the dataset does not declare', async () => {
    const filter = await p.request('POST', '/v1/runs', { key: p.keyA, body: { dataset: 'install_events', format: 'csv', ...w(), destinations: [destination], filters: { colour: ['red'] } } });
    expect(filter.status).toBe(400);
    expect(filter.json.errors[0].path).toBe('filters.colour');
    const dimension = await p.request('POST', '/v1/runs', { key: p.keyA, body: { dataset: 'install_events', format: 'csv', ...w(), destinations: [destination], dimension: 'tenant_region' } });
    expect(dimension.status).toBe(400);
  });
});
