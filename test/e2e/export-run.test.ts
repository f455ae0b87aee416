/**
 * End to end through the API, the real Temporal dev server, a real worker, DuckDB and the filesystem
 * destination: the exported files hold exactly the source rows (CSV) and exactly their daily aggregates (JSON).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { type TestPlatform, daysAgo, startTestPlatform } from '../helpers/platform.js';

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform({ seedRows: 50_000 });
});
afterAll(async () => p?.stop());

const window = () => ({ from: daysAgo(12), to: daysAgo(10) });

async function sourceRows(tenantId: string | null, w: { from: string; to: string }) {
  const conn = await p.eventStore.connect();
  try {
    const reader = await conn.runAndReadAll(
      `SELECT event_id, tenant_id, package_id, version, tenant_region, strftime(install_date, '%Y-%m-%dT%H:%M:%SZ') AS install_date
       FROM install_events WHERE install_date >= $from::DATE AND install_date < $to::DATE + 1 ${tenantId ? 'AND tenant_id = $tenant' : ''}
       ORDER BY install_date, event_id`,
      tenantId ? { ...w, tenant: tenantId } : w,
    );
    return reader.getRowObjectsJson() as Record<string, string>[];
  } finally {
    conn.closeSync();
  }
}

async function dailyGroupBy(tenantId: string, w: { from: string; to: string }) {
  const conn = await p.eventStore.connect();
  try {
    const reader = await conn.runAndReadAll(
      `SELECT strftime(install_date::DATE, '%Y-%m-%d') AS period, count(*)::INTEGER AS installs,
              count(DISTINCT package_id)::INTEGER AS packages, count(DISTINCT tenant_region)::INTEGER AS regions
       FROM install_events WHERE tenant_id = $tenant AND install_date >= $from::DATE AND install_date < $to::DATE + 1
       GROUP BY 1 ORDER BY 1`,
      { ...w, tenant: tenantId },
    );
    return reader.getRowObjectsJson() as { period: string; installs: number; packages: number; regions: number }[];
  } finally {
    conn.closeSync();
  }
}

describe('one-off export end to end', () => {
  it('exports three days as CSV whose rows are exactly the source rows of the window', async () => {
    const destination = await p.createFilesystemDestination(p.keyA, 'reports');
    const w = window();
    const started = await p.request('POST', '/v1/runs', {
      key: p.keyA,
      body: { dataset: 'install_events', format: 'csv', ...w, destinations: [destination] },
    });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/v1/runs/${started.json.id}`);
    expect(started.json.status).toBe('Pending');

    const run = await p.waitForRun(started.json.id, p.keyA);
    expect(run.status).toBe('Completed');
    expect(run.error).toBeNull();
    expect(run.files).toHaveLength(1);
    expect(run.deliveries).toEqual([
      expect.objectContaining({ destinationId: destination, partition: 'window', state: 'delivered', attempts: 1 }),
    ]);

    const file = run.files[0];
    expect(file.location).toContain(`/tenants/${p.tenantA.id}/reports/`);
    const content = readFileSync(file.location, 'utf8');
    const parsed = parse<Record<string, string>>(content, { columns: true, skip_empty_lines: true });
    const expected = await sourceRows(p.tenantA.id, w);
    expect(expected.length).toBeGreaterThan(50);
    expect(parsed).toEqual(expected);
    expect(run.rows).toBe(expected.length);
    expect(file.rows).toBe(expected.length);
    expect(file.bytes).toBe(Buffer.byteLength(content));
    expect(content.split('\n')[0]).toBe('event_id,tenant_id,package_id,version,tenant_region,install_date');
  });

  it('exports JSON whose daily metrics equal a GROUP BY over the same rows, zero-filled days included', async () => {
    const destination = await p.createFilesystemDestination(p.keyA, 'series');
    const w = window();
    const started = await p.request('POST', '/v1/runs', {
      key: p.keyA,
      body: { dataset: 'install_events', format: 'json', ...w, destinations: [destination] },
    });
    expect(started.status).toBe(202);
    const run = await p.waitForRun(started.json.id, p.keyA);
    expect(run.status).toBe('Completed');
    const doc = JSON.parse(readFileSync(run.files[0].location, 'utf8'));
    expect(doc).toMatchObject({ dataset: 'install_events', granularity: 'day', from: w.from, to: w.to });
    expect(doc.series.map((s: { period: string }) => s.period)).toEqual([w.from, daysAgo(11), w.to]);
    const grouped = await dailyGroupBy(p.tenantA.id, w);
    for (const entry of doc.series) {
      const g = grouped.find((x) => x.period === entry.period) ?? { installs: 0, packages: 0, regions: 0 };
      expect(entry.metrics).toEqual({ installs: g.installs, packages: g.packages, regions: g.regions });
    }
    expect(run.rows).toBe(grouped.reduce((s, g) => s + g.installs, 0));
  });

  it('fills days without events with zero-valued metrics', async () => {
    const destination = await p.createFilesystemDestination(p.keyA, 'empty');
    // Delete one day's rows for tenant A so it must appear zero-filled.
    const day = daysAgo(20);
    const conn = await p.eventStore.connect();
    await conn.run(`DELETE FROM install_events WHERE tenant_id = $t AND install_date::DATE = $d::DATE`, { t: p.tenantA.id, d: day });
    conn.closeSync();
    const started = await p.request('POST', '/v1/runs', {
      key: p.keyA,
      body: { dataset: 'install_events', format: 'json', from: day, to: day, destinations: [destination] },
    });
    const run = await p.waitForRun(started.json.id, p.keyA);
    const doc = JSON.parse(readFileSync(run.files[0].location, 'utf8'));
    expect(doc.series).toEqual([{ period: day, periodEnd: day, metrics: { installs: 0, packages: 0, regions: 0 } }]);
    expect(run.rows).toBe(0);
  });

  it('records search attributes an operator can filter by in the Temporal UI', async () => {
    const destination = await p.createFilesystemDestination(p.keyB, 'sa');
    const started = await p.request('POST', '/v1/runs', {
      key: p.keyB,
      body: { dataset: 'install_events', format: 'csv', ...window(), destinations: [destination] },
    });
    await p.waitForRun(started.json.id, p.keyB);
    const handle = p.client.workflow.getHandle(started.json.workflowId);
    await handle.result();
    const description = await handle.describe();
    expect(description.searchAttributes).toMatchObject({
      SluiceTenantId: [p.tenantB.id],
      SluiceDataset: ['install_events'],
      SluiceRunId: [started.json.id],
      SluiceDestinationTypes: ['filesystem'],
    });
    expect(description.status.name).toBe('COMPLETED');
  });

  it('keeps an audit trail of destinations created and runs started and finished', async () => {
    const entries = await p.store.audit.list({ role: 'tenant', tenantId: p.tenantA.id, actor: 'test' });
    const actions = entries.map((e) => e.action);
    expect(actions).toContain('destination.create');
    expect(actions).toContain('run.start');
    expect(actions).toContain('run.completed');
    expect(entries.every((e) => e.tenantId === p.tenantA.id)).toBe(true);
  });
});
