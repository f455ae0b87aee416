/** The events API (seed 001), ingestion with de-duplication (seed 003), immediate answers (seed 000), retention. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { EventStore } from '../../connectors/sources/event-store/index.js';
import { createApp } from '../../api/app.js';
import { temporalRunLauncher } from '../../api/run-launcher.js';
import { silentLogger } from '../../platform/logger.js';
import { addMonths } from '../../datasets/window.js';
import { ensureRetentionSchedule } from '../../platform/retention-schedule.js';
import { type TestPlatform, daysAgo, startTestPlatform, today } from '../helpers/platform.js';

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform({ seedRows: 5_000 });
  await p.eventStore.seed('instance_events', { rows: 20_000, seed: 3, tenants: [p.tenantA.id, p.tenantB.id], end: today() });
});
afterAll(async () => p?.stop());

const query = (sql: string, params: Record<string, string> = {}) => p.query(sql, params);

describe('GET /v1/events', () => {
  it('needs at least one filter', async () => {
    const res = await p.request('GET', '/v1/events', { key: p.keyA });
    expect(res.status).toBe(400);
    expect(res.json.detail).toContain('at least one filter');
  });

  it('filters by customer ids and event types, dates inclusive, as JSON', async () => {
    const [c1, c2] = (await query(`SELECT DISTINCT customer_id FROM instance_events WHERE tenant_id = $t ORDER BY 1 LIMIT 2`, { t: p.tenantA.id })).map((r) => r.customer_id);
    const after = daysAgo(60);
    const before = daysAgo(30);
    const res = await p.request('GET', `/v1/events?after=${after}&before=${before}&customerIDs=${c1},${c2}&eventTypes=numUsers,numProjects`, { key: p.keyA });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const expected = await query(
      `SELECT event_id FROM instance_events WHERE tenant_id = $t AND customer_id IN ($c1, $c2) AND event_type IN ('numUsers', 'numProjects')
       AND event_time >= $a::DATE AND event_time < $b::DATE + 1 ORDER BY event_time, event_id`,
      { t: p.tenantA.id, c1, c2, a: after, b: before },
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(res.json.map((e: any) => e.event_id)).toEqual(expected.map((e) => e.event_id));
    expect(res.json[0]).toEqual(expect.objectContaining({ customer_id: expect.any(String), event_type: expect.any(String), value: expect.any(Number) }));
  });

  it('answers CSV with a header row', async () => {
    const res = await p.request('GET', `/v1/events?eventTypes=storageGb&after=${daysAgo(10)}&format=csv`, { key: p.keyA });
    expect(res.headers.get('content-type')).toContain('text/csv');
    const rows = parse<Record<string, string>>(res.text, { columns: true });
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.event_type))).toEqual(new Set(['storageGb']));
    expect(new Set(rows.map((r) => r.tenant_id))).toEqual(new Set([p.tenantA.id]));
  });

  it('gives an empty result, not an error, for unknown ids and for other tenants’ ids', async () => {
    const foreign = (await query(`SELECT customer_id FROM instance_events WHERE tenant_id = $t LIMIT 1`, { t: p.tenantB.id }))[0]!.customer_id;
    const mine = (await query(`SELECT customer_id FROM instance_events WHERE tenant_id = $t LIMIT 1`, { t: p.tenantA.id }))[0]!.customer_id;
    expect(foreign).not.toBe(mine);
    for (const ids of ['does-not-exist', foreign, "x' OR '1'='1"]) {
      const res = await p.request('GET', `/v1/events?customerIDs=${encodeURIComponent(ids)}`, { key: p.keyA });
      expect(res.status).toBe(200);
      expect(res.json).toEqual([]);
    }
    const csv = await p.request('GET', `/v1/events?customerIDs=nobody&format=csv`, { key: p.keyA });
    expect(csv.text.trim()).toBe('event_id,tenant_id,customer_id,instance_id,event_type,value,event_time');
  });

  it('refuses before earlier than after', async () => {
    const res = await p.request('GET', `/v1/events?after=${daysAgo(1)}&before=${daysAgo(5)}`, { key: p.keyA });
    expect(res.status).toBe(400);
    expect(res.json.type).toBe('/problems/invalid-window');
  });
});

describe('POST /v1/events/{dataset}', () => {
  const record = (id: string, over: Record<string, unknown> = {}) => ({
    event_id: id,
    package_id: 'pkg-ingest',
    version: '2.0.0',
    tenant_region: 'eu-west-1',
    install_date: `${daysAgo(2)}T10:00:00Z`,
    ...over,
  });

  it('stores valid records and reports each rejected one with its index and reason', async () => {
    const res = await p.request('POST', '/v1/events/install_events', {
      key: p.keyA,
      body: [record('ing-1'), record('ing-2', { install_date: 'yesterday' }), record('ing-3', { colour: 'red' }), record('ing-4', { version: 7 }), { event_id: 'ing-5' }],
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ received: 5, accepted: 1, duplicates: 0 });
    expect(res.json.rejected.map((r: any) => r.index)).toEqual([1, 2, 3, 4]);
    expect(res.json.rejected[0].reason).toMatch(/^install_date: must be an ISO 8601 timestamp/);
    expect(res.json.rejected[1].reason).toMatch(/^colour: /);
    expect(res.json.rejected[2].reason).toMatch(/^version: /);
    const stored = await query(`SELECT tenant_id, strftime(install_date, '%Y-%m-%dT%H:%M:%SZ') AS t FROM install_events WHERE event_id = 'ing-1'`);
    expect(stored).toEqual([{ tenant_id: p.tenantA.id, t: `${daysAgo(2)}T10:00:00Z` }]);
  });

  it('de-duplicates by event id within a body and against records sent earlier', async () => {
    const first = await p.request('POST', '/v1/events/install_events', { key: p.keyA, body: [record('dup-1'), record('dup-1'), record('dup-2')] });
    expect(first.json).toMatchObject({ accepted: 2, duplicates: 1, rejected: [] });
    const later = await p.request('POST', '/v1/events/install_events', { key: p.keyA, body: [record('dup-2', { version: '9.9.9' }), record('dup-3')] });
    expect(later.json).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(await query(`SELECT version FROM install_events WHERE event_id = 'dup-2'`)).toEqual([{ version: '2.0.0' }]);
  });

  it('accepts late events, which then export with their own event time', async () => {
    const late = record('late-1', { install_date: `${daysAgo(300)}T08:30:00Z` });
    expect((await p.request('POST', '/v1/events/install_events', { key: p.keyA, body: [late] })).json.accepted).toBe(1);
    const destination = await p.createFilesystemDestination(p.keyA, 'late');
    const res = await p.request('POST', '/v1/runs', {
      key: p.keyA,
      body: { dataset: 'install_events', format: 'csv', from: daysAgo(300), to: daysAgo(300), destinations: [destination], filters: { packageIds: ['pkg-ingest'] } },
    });
    const run = await p.waitForRun(res.json.id, p.keyA);
    expect(run.rows).toBe(1);
  });

  it('reads NDJSON and gzip-encoded bodies; a broken line is rejected alone', async () => {
    const ndjson = [record('nd-1'), record('nd-2')].map((r) => JSON.stringify(r)).join('\n') + '\n{"event_id": \n';
    const res = await p.request('POST', '/v1/events/install_events', {
      key: p.keyA,
      rawBody: gzipSync(ndjson) as unknown as string,
      headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ received: 3, accepted: 2, rejected: [{ index: 2, reason: 'not valid JSON' }] });
  });

  it('answers 413 for a body over the limit, and 400 for broken JSON', async () => {
    const big = JSON.stringify(Array.from({ length: 20_000 }, (_, i) => record(`big-${i}`)));
    const res = await p.request('POST', '/v1/events/install_events', { key: p.keyA, rawBody: big, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(res.json.type).toBe('/problems/payload-too-large');
    const bomb = gzipSync(Buffer.alloc(5 << 20, 32));
    const zipped = await p.request('POST', '/v1/events/install_events', {
      key: p.keyA,
      rawBody: bomb as unknown as string,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(zipped.status).toBe(413);
    expect(await query(`SELECT count(*)::INTEGER AS n FROM install_events WHERE event_id LIKE 'big-%'`)).toEqual([{ n: 0 }]);
    const broken = await p.request('POST', '/v1/events/install_events', { key: p.keyA, rawBody: '[{"event_id":', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
  });

  it("keeps tenants to their own tenant and away from admin-only datasets", async () => {
    const res = await p.request('POST', '/v1/events/install_events', { key: p.keyA, body: [record('spoof-1', { tenant_id: p.tenantB.id })] });
    expect(res.json.rejected[0].reason).toContain('must be your own tenant');
    const admin = await p.request('POST', '/v1/events/marketplace_summary', { key: p.keyA, body: [] });
    expect(admin.status).toBe(403);
  });

  it('keeps accepted records when the process is killed right after answering', async () => {
    const file = path.join(p.dir, 'durable.duckdb');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/ingest-child.ts', file, '500'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    while (!out.includes('accepted')) {
      if (child.exitCode !== null) throw new Error(`child exited: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(out).toContain('accepted 500');
    child.kill('SIGKILL');
    await once(child, 'exit');
    const reopened = await EventStore.open({ path: file });
    expect(await reopened.count({ sql: `SELECT count(*) FROM install_events WHERE event_id LIKE 'durable-%'`, params: {}, listParams: [] })).toBe(500);
    reopened.close();
  });
});

describe('delivery auto (seed 000)', () => {
  it('answers a small export at once with the file as the body', async () => {
    const res = await p.request('POST', '/v1/runs', { key: p.keyA, body: { dataset: 'install_events', format: 'csv', from: daysAgo(3), to: daysAgo(2), delivery: 'auto' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const rows = parse<Record<string, string>>(res.text, { columns: true });
    expect(Number(res.headers.get('x-sluice-rows'))).toBe(rows.length);
    const expected = await query(`SELECT count(*)::INTEGER AS n FROM install_events WHERE tenant_id = $t AND install_date >= $f::DATE AND install_date < $to::DATE + 1`, {
      t: p.tenantA.id,
      f: daysAgo(3),
      to: daysAgo(2),
    });
    expect(rows.length).toBe(expected[0]!.n);
  });

  it('runs a larger export in the background', async () => {
    const app = createApp({ store: p.store, launcher: temporalRunLauncher(p.client, p.taskQueue), retentionMonths: 24, log: silentLogger, eventStore: p.eventStore, immediateMaxRows: 10 });
    const destination = await p.createFilesystemDestination(p.keyA, 'bg');
    const body = { dataset: 'install_events', format: 'csv', from: daysAgo(30), to: daysAgo(2), delivery: 'auto' };
    const send = (b: unknown) => app.request('/v1/runs', { method: 'POST', headers: { 'x-api-key': p.keyA, 'content-type': 'application/json' }, body: JSON.stringify(b) });
    const without = await send(body);
    expect(without.status).toBe(400);
    const res = await send({ ...body, destinations: [destination] });
    expect(res.status).toBe(202);
    const run = await p.waitForRun(((await res.json()) as { id: string }).id, p.keyA);
    expect(run.status).toBe('Completed');
  });
});

describe('retention', () => {
  it('deletes exactly the rows older than the retention period', async () => {
    const keepFrom = addMonths(today(), -24);
    const dayBefore = new Date(Date.parse(`${keepFrom}T00:00:00Z`) - 1000).toISOString().replace('.000', '');
    const res = await p.request('POST', '/v1/events/install_events', {
      key: p.adminKey,
      body: [
        { event_id: 'old-1', tenant_id: p.tenantA.id, package_id: 'p', version: '1', tenant_region: 'x', install_date: dayBefore },
        { event_id: 'old-2', tenant_id: p.tenantA.id, package_id: 'p', version: '1', tenant_region: 'x', install_date: `${addMonths(today(), -30)}T12:00:00Z` },
        { event_id: 'kept-1', tenant_id: p.tenantA.id, package_id: 'p', version: '1', tenant_region: 'x', install_date: `${keepFrom}T00:00:00Z` },
      ],
    });
    expect(res.json.accepted).toBe(3);
    const older = Number((await query(`SELECT count(*) AS n FROM install_events WHERE install_date < $k::DATE`, { k: keepFrom }))[0]!.n);
    const newer = Number((await query(`SELECT count(*) AS n FROM install_events WHERE install_date >= $k::DATE`, { k: keepFrom }))[0]!.n);
    expect(older).toBeGreaterThanOrEqual(2);

    const result = await p.client.workflow.execute('retentionSweep', { taskQueue: p.taskQueue, workflowId: `retention-${Date.now()}`, args: [{ retentionMonths: 24 }] });
    expect(result.keepFrom).toBe(keepFrom);
    expect(result.deleted.install_events).toBe(older);
    expect(Number((await query(`SELECT count(*) AS n FROM install_events WHERE install_date < $k::DATE`, { k: keepFrom }))[0]!.n)).toBe(0);
    expect(Number((await query(`SELECT count(*) AS n FROM install_events`))[0]!.n)).toBe(newer);
    expect(await query(`SELECT event_id FROM install_events WHERE event_id IN ('old-1', 'old-2', 'kept-1')`)).toEqual([{ event_id: 'kept-1' }]);
  });

  it('is scheduled daily as a Temporal Schedule', async () => {
    const scheduleId = `retention-test-${Date.now()}`;
    expect(await ensureRetentionSchedule(p.client, { taskQueue: p.taskQueue, retentionMonths: 24, scheduleId })).toBe('created');
    expect(await ensureRetentionSchedule(p.client, { taskQueue: p.taskQueue, retentionMonths: 24, scheduleId })).toBe('exists');
    const handle = p.client.schedule.getHandle(scheduleId);
    const description = await handle.describe();
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionSweep' });
    expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 3, end: 3, step: 1 }] });
    await handle.delete();
  });
});
