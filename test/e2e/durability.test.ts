/**
 * Durability: the worker stops while a run is in flight (its delivery activity is held mid-attempt); a new
 * worker picks the run up from Temporal and finishes it, and the file is complete and correct.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { Context } from '@temporalio/activity';
import { type TestPlatform, daysAgo, startTestPlatform } from '../helpers/platform.js';

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform({ seedRows: 30_000, startWorker: false });
});
afterAll(async () => p?.stop());

it('completes a run whose worker stopped mid-delivery, once another worker starts', async () => {
  let deliveryStarted!: () => void;
  const held = new Promise<void>((resolve) => (deliveryStarted = resolve));
  // Worker A: real activities, except that delivery hangs until the worker shuts down under it.
  const workerA = await p.startWorker((activities) => ({
    ...activities,
    deliverPartition: () => {
      deliveryStarted();
      return new Promise((_, reject) => Context.current().cancellationSignal.addEventListener('abort', () => reject(new Error('worker stopping'))));
    },
  }));

  const destination = await p.createFilesystemDestination(p.keyA, 'durable');
  const window = { from: daysAgo(30), to: daysAgo(1) };
  const started = await p.request('POST', '/v1/runs', {
    key: p.keyA,
    body: { dataset: 'install_events', format: 'csv', ...window, destinations: [destination] },
  });
  expect(started.status).toBe(202);
  await held;
  await p.stopWorker(workerA);
  const stalled = await p.request('GET', `/v1/runs/${started.json.id}`, { key: p.keyA });
  expect(stalled.json.status).toBe('Processing');

  await p.startWorker(undefined);
  const run = await p.waitForRun(started.json.id, p.keyA, 110_000);
  expect(run.status).toBe('Completed');

  const rows = parse<Record<string, string>>(readFileSync(run.files[0].location, 'utf8'), { columns: true });
  const conn = await p.eventStore.connect();
  const expected = Number(
    (
      await conn.runAndReadAll(`SELECT count(*) FROM install_events WHERE tenant_id = $t AND install_date >= $f::DATE AND install_date < $to::DATE + 1`, {
        t: p.tenantA.id,
        f: window.from,
        to: window.to,
      })
    ).getRows()[0]![0],
  );
  conn.closeSync();
  expect(rows.length).toBe(expected);
  expect(run.rows).toBe(expected);
  expect(new Set(rows.map((r) => r.event_id)).size).toBe(expected);
  expect(rows.every((r) => r.tenant_id === p.tenantA.id)).toBe(true);

  // The delivery was attempted on worker A and completed by a retry on worker B.
  const history = await p.client.workflow.getHandle(started.json.workflowId).fetchHistory();
  const deliveryAttempts = (history.events ?? [])
    .map((e) => e.activityTaskStartedEventAttributes?.attempt)
    .filter((a): a is number => typeof a === 'number');
  expect(Math.max(...deliveryAttempts)).toBeGreaterThanOrEqual(2);
}, 150_000);
