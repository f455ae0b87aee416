/**
 * Every built-in dataset, seeded by its generator, exported in every format through the real workflow:
 * CSV and Parquet re-read to the source rows, JSON Lines records equal the (nested) source records, and the
 * JSON series equals a GROUP BY of the dataset's metrics.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASETS, quoteIdent } from '../../datasets/catalog.js';
import type { DatasetDefinition } from '../../datasets/types.js';
import { TIMESTAMP_FORMAT } from '../../datasets/sql.js';
import { type TestPlatform, daysAgo, startTestPlatform } from '../helpers/platform.js';

let p: TestPlatform;
let destination: string;
const window = { from: daysAgo(120), to: daysAgo(1) };

beforeAll(async () => {
  p = await startTestPlatform({ seedRows: 100 });
  for (const dataset of DATASETS.values()) {
    if (dataset.id === 'install_events') continue;
    await p.eventStore.seed(dataset.id, { rows: 3_000, seed: 11, tenants: [p.tenantA.id, p.tenantB.id], end: daysAgo(0) });
  }
  destination = await p.createFilesystemDestination(p.adminKey, 'datasets');
});
afterAll(async () => p?.stop());

const datasets = [...DATASETS.values()];

async function rows<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  const conn = await p.eventStore.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as T[];
  } finally {
    conn.closeSync();
  }
}

async function scalar(sql: string): Promise<unknown> {
  return Object.values((await rows(sql))[0]!)[0];
}

function sourceWhere(d: DatasetDefinition, tenantId: string | null) {
  const t = quoteIdent(d.timeColumn);
  let where = `${t} >= DATE '${window.from}' AND ${t} < DATE '${window.to}' + 1`;
  if (tenantId && d.tenantColumn) where += ` AND ${quoteIdent(d.tenantColumn)} = '${tenantId}'`;
  return `FROM ${quoteIdent(d.table)} WHERE ${where}`;
}

async function exportAs(d: DatasetDefinition, format: string, key: string, tenantId: string | null) {
  const res = await p.request('POST', '/v1/runs', {
    key,
    body: { dataset: d.id, format, ...window, destinations: [destination], ...(tenantId ? { tenantId } : {}) },
  });
  expect(res.status, res.text).toBe(202);
  const run = await p.waitForRun(res.json.id, key);
  expect(run.status, JSON.stringify(run.error)).toBe('Completed');
  return run;
}

describe.each(datasets)('$id', (d) => {
  const tenantId = d.tenantColumn ? p?.tenantA.id : null;
  const tenant = () => (d.tenantColumn ? p.tenantA.id : null);
  const columns = () => d.columns.map((c) => quoteIdent(c.name)).join(', ');
  const typed = () => `{${d.columns.map((c) => `'${c.name}': '${c.type}'`).join(', ')}}`;
  void tenantId;

  it('has rows in the window', async () => {
    expect(Number(await scalar(`SELECT count(*) ${sourceWhere(d, tenant())}`))).toBeGreaterThan(0);
  });

  it('CSV re-parses to the same rows', async () => {
    const run = await exportAs(d, 'csv', p.adminKey, tenant());
    const file = run.files[0].location;
    const parsed = `SELECT ${columns()} FROM read_csv('${file}', header = true, columns = ${typed()}, timestampformat = '${TIMESTAMP_FORMAT}')`;
    const source = `SELECT ${columns()} ${sourceWhere(d, tenant())}`;
    expect(Number(await scalar(`SELECT count(*) FROM (${parsed})`))).toBe(run.rows);
    expect(await rows(`(${parsed}) EXCEPT ALL (${source})`)).toEqual([]);
    expect(await rows(`(${source}) EXCEPT ALL (${parsed})`)).toEqual([]);
  });

  it('Parquet re-reads to the same rows', async () => {
    const run = await exportAs(d, 'parquet', p.adminKey, tenant());
    const parsed = `SELECT ${columns()} FROM read_parquet('${run.files[0].location}')`;
    const source = `SELECT ${columns()} ${sourceWhere(d, tenant())}`;
    expect(await rows(`(${parsed}) EXCEPT ALL (${source})`)).toEqual([]);
    expect(await rows(`(${source}) EXCEPT ALL (${parsed})`)).toEqual([]);
  });

  it('JSON Lines records equal the source records', async () => {
    const run = await exportAs(d, 'jsonl', p.adminKey, tenant());
    const lines = readFileSync(run.files[0].location, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const select =
      d.recordSelect ??
      d.columns.map((c) => (c.type === 'TIMESTAMP' ? `strftime(${quoteIdent(c.name)}, '${TIMESTAMP_FORMAT}') AS ${quoteIdent(c.name)}` : quoteIdent(c.name))).join(', ');
    const expected = await rows<{ j: string }>(
      `SELECT to_json(r)::VARCHAR AS j FROM (SELECT ${select} ${sourceWhere(d, tenant())} ORDER BY ${quoteIdent(d.timeColumn)}, ${quoteIdent(d.idColumn)}) r`,
    );
    expect(lines).toEqual(expected.map((e) => JSON.parse(e.j)));
    if (d.id === 'download_events') {
      expect(Object.keys(lines[0])).toEqual(['EventId', 'Program', 'Network', 'Clip', 'Playlist', 'Download']);
      expect(Object.keys(lines[0].Download)).toContain('Device');
      expect(lines[0].Clip.AudioDuration).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{7}$/);
    }
  });

  it('the JSON series equals a GROUP BY of the metrics', async () => {
    const run = await exportAs(d, 'json', p.adminKey, tenant());
    const doc = JSON.parse(readFileSync(run.files[0].location, 'utf8'));
    const metrics = d.metrics.map((m) => `${quoteIdent(m.name)}: ${m.sql}`).join(', ');
    const expected = JSON.parse(
      String(
        await scalar(
          `SELECT to_json(list({period: period, metrics: m} ORDER BY period))::VARCHAR FROM (
             SELECT strftime(${quoteIdent(d.timeColumn)}::DATE, '%Y-%m-%d') AS period, {${metrics}} AS m ${sourceWhere(d, tenant())} GROUP BY 1)`,
        ),
      ),
    );
    const withRows = doc.series.filter((s: any) => expected.some((e: any) => e.period === s.period));
    expect(withRows.map((s: any) => ({ period: s.period, metrics: s.metrics }))).toEqual(expected);
    expect(doc.series).toHaveLength(120);
  });
});

describe('dataset access', () => {
  it('marks admin-only datasets unavailable to a tenant key and refuses them with 403', async () => {
    const list = await p.request('GET', '/v1/datasets', { key: p.keyA });
    const available = Object.fromEntries(list.json.datasets.map((x: any) => [x.id, x.available]));
    expect(available).toMatchObject({ marketplace_summary: false, publisher_leaderboard: false, install_events: true, download_events: true });
    expect(Object.keys(available)).toHaveLength(DATASETS.size);
    const refused = await p.request('POST', '/v1/runs', {
      key: p.keyA,
      body: { dataset: 'marketplace_summary', format: 'csv', ...window, destinations: [await p.createFilesystemDestination(p.keyA, 'x')] },
    });
    expect(refused.status).toBe(403);
    expect((await p.request('GET', '/v1/datasets/marketplace_summary', { key: p.adminKey })).json.available).toBe(true);
  });

  it('exposes the code dictionary of coded values (seed 002)', async () => {
    const res = await p.request('GET', '/v1/datasets/consent_granular', { key: p.keyA });
    expect(res.json.codes.consent).toEqual({ '0': 'Opt-out', '1': 'Opt-in' });
    expect(Object.keys(res.json.codes.action)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8']);
  });

  it('describes the wide customer table with its dynamic families and has_* flags', async () => {
    const res = await p.request('GET', '/v1/datasets/customer_instances', { key: p.keyA });
    const names = res.json.columns.map((c: any) => c.name);
    for (const family of ['customer_entitlement__', 'custom_metric__', 'instance_tag__']) expect(names.some((n: string) => n.startsWith(family))).toBe(true);
    for (const flag of ['customer_has_entitlements', 'instance_has_custom_metrics', 'instance_has_tags']) expect(names).toContain(flag);
    // A flag is true exactly when its family has values.
    expect(Number(await scalar(`SELECT count(*) FROM customer_instances WHERE customer_has_entitlements <> (customer_entitlement__seats IS NOT NULL)`))).toBe(0);
    expect(Number(await scalar(`SELECT count(*) FROM customer_instances WHERE instance_has_tags <> (instance_tag__team IS NOT NULL)`))).toBe(0);
  });
});
