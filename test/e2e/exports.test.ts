/** Saved exports and their runs: one run in flight at a time (409), cancellation that cleans up, history, audit. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Context } from '@temporalio/activity';
import { type TestPlatform, daysAgo, startTestPlatform } from '../helpers/platform.js';

let p: TestPlatform;
let destination: string;
let exportId: string;
beforeAll(async () => {
  p = await startTestPlatform({ seedRows: 10_000, startWorker: false });
  destination = await p.createFilesystemDestination(p.keyA, 'saved');
});
afterAll(async () => p?.stop());

const waitFor = async (check: () => Promise<boolean>, what: string) => {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('export definitions', () => {
  it('validates a definition like a run', async () => {
    const bad = await p.request('POST', '/v1/exports', { key: p.keyA, body: { name: 'x', dataset: 'install_events', format: 'csv', destinations: [destination], pathTemplate: '/etc/{dataset}' } });
    expect(bad.status).toBe(400);
    const unknown = await p.request('POST', '/v1/exports', { key: p.keyA, body: { name: 'x', dataset: 'nope', format: 'csv', destinations: [destination] } });
    expect(unknown.status).toBe(404);
    const foreign = await p.request('POST', '/v1/exports', { key: p.keyB, body: { name: 'x', dataset: 'install_events', format: 'csv', destinations: [destination] } });
    expect(foreign.status).toBe(404);
  });

  it('saves one and lists it for its tenant only', async () => {
    const res = await p.request('POST', '/v1/exports', {
      key: p.keyA,
      body: { name: 'daily installs', dataset: 'install_events', format: 'csv', compression: 'gzip', partitioning: 'day', destinations: [destination] },
    });
    expect(res.status).toBe(201);
    exportId = res.json.id;
    expect(res.json.settings).toMatchObject({ format: 'csv', compression: 'gzip', partitioning: 'day' });
    expect((await p.request('GET', '/v1/exports', { key: p.keyA })).json.exports.map((e: any) => e.id)).toEqual([exportId]);
    expect((await p.request('GET', '/v1/exports', { key: p.keyB })).json.exports).toEqual([]);
    expect((await p.request('GET', `/v1/exports/${exportId}`, { key: p.keyB })).status).toBe(404);
  });
});

describe('runs of an export', () => {
  let first: { id: string };

  it('answers 409 naming the running run while one is in flight, and cancels it cleanly', async () => {
    let held!: () => void;
    const holding = new Promise<void>((r) => (held = r));
    const worker = await p.startWorker((a) => ({
      ...a,
      deliverPartition: () => {
        held();
        const ctx = Context.current();
        const beat = setInterval(() => ctx.heartbeat(), 200);
        return new Promise((_, reject) =>
          ctx.cancellationSignal.addEventListener('abort', () => {
            clearInterval(beat);
            reject(new Error('cancelled'));
          }),
        );
      },
    }));
    const started = await p.request('POST', `/v1/exports/${exportId}/runs`, { key: p.keyA, body: { from: daysAgo(4), to: daysAgo(2) } });
    expect(started.status).toBe(202);
    first = started.json;
    await holding;
    expect(existsSync(path.join(p.stagingDir, first.id))).toBe(true);

    const second = await p.request('POST', `/v1/exports/${exportId}/runs`, { key: p.keyA, body: { from: daysAgo(9), to: daysAgo(8) } });
    expect(second.status).toBe(409);
    expect(second.json.type).toBe('/problems/conflict');
    expect(second.json.runId).toBe(first.id);
    expect(second.json.detail).toContain(first.id);

    expect((await p.request('POST', `/v1/runs/${first.id}/cancel`, { key: p.keyB })).status).toBe(404);
    const cancel = await p.request('POST', `/v1/runs/${first.id}/cancel`, { key: p.keyA });
    expect(cancel.status).toBe(202);
    await waitFor(async () => (await p.request('GET', `/v1/runs/${first.id}`, { key: p.keyA })).json.status === 'Cancelled', 'Cancelled');
    const run = (await p.request('GET', `/v1/runs/${first.id}`, { key: p.keyA })).json;
    expect(run.error.type).toBe('Cancelled');
    await waitFor(() => Promise.resolve(!existsSync(path.join(p.stagingDir, first.id))), 'staged files removed');
    const handle = p.client.workflow.getHandle(run.workflowId);
    await expect(handle.result()).rejects.toThrow();
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    await p.stopWorker(worker);
  });

  it('starts again once nothing is in flight, and refuses to cancel a finished run', async () => {
    await p.startWorker(undefined);
    const started = await p.request('POST', `/v1/exports/${exportId}/runs`, { key: p.keyA, body: { from: daysAgo(4), to: daysAgo(2) } });
    expect(started.status).toBe(202);
    const run = await p.waitForRun(started.json.id, p.keyA);
    expect(run.status).toBe('Completed');
    expect(run.files.map((f: any) => f.key.split('/').pop().replace(/_[0-9a-f]{16}\./, '.'))).toEqual(
      [daysAgo(4), daysAgo(3), daysAgo(2)].map((d) => `install_events_${d}_${d}.csv.gz`),
    );
    const again = await p.request('POST', `/v1/runs/${run.id}/cancel`, { key: p.keyA });
    expect(again.status).toBe(409);
  });

  it('shows the history newest first, filtered by status and time', async () => {
    const history = await p.request('GET', `/v1/exports/${exportId}/runs`, { key: p.keyA });
    expect(history.json.runs.map((r: any) => r.status)).toEqual(['Completed', 'Cancelled']);
    expect(history.json.runs[1].id).toBe(first.id);
    const cancelled = await p.request('GET', `/v1/exports/${exportId}/runs?status=Cancelled`, { key: p.keyA });
    expect(cancelled.json.runs.map((r: any) => r.id)).toEqual([first.id]);
    const future = await p.request('GET', `/v1/exports/${exportId}/runs?requestedAfter=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, { key: p.keyA });
    expect(future.json.runs).toEqual([]);
    expect((await p.request('GET', `/v1/exports/${exportId}/runs`, { key: p.keyB })).status).toBe(404);
  });
});

describe('GET /v1/audit', () => {
  it("lists a tenant's own actions, and every action to an admin", async () => {
    const mine = await p.request('GET', '/v1/audit?limit=200', { key: p.keyA });
    const actions = mine.json.entries.map((e: any) => e.action);
    for (const a of ['destination.create', 'export.create', 'run.start', 'run.cancel', 'run.cancelled', 'run.completed']) expect(actions).toContain(a);
    expect(mine.json.entries.every((e: any) => e.tenantId === p.tenantA.id)).toBe(true);
    expect((await p.request('GET', '/v1/audit', { key: p.keyB })).json.entries.every((e: any) => e.tenantId !== p.tenantA.id)).toBe(true);
    const all = await p.request('GET', '/v1/audit?limit=500', { key: p.adminKey });
    expect(all.json.entries.length).toBeGreaterThanOrEqual(mine.json.entries.length);
  });
});
