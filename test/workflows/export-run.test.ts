/**
 * exportRun orchestration against the real Temporal dev server: transient failures retry with backoff,
 * permanent ones fail after one attempt with a failure type from workflows/failures.ts, and a row-count
 * mismatch fails the run naming the partition and destination.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DestinationConnector } from '../../connectors/types.js';
import { FAILURE_TYPE } from '../../workflows/failures.js';
import { type TestPlatform, daysAgo, startTestPlatform } from '../helpers/platform.js';
import { createFakeDestination, fakeState } from '../fakes/fake-destination.js';

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform({
    seedRows: 5_000,
    extraDestinations: { fake: () => Promise.resolve(createFakeDestination() as unknown as DestinationConnector) },
  });
});
afterAll(async () => p?.stop());

async function fakeDestination(config: Record<string, unknown>): Promise<string> {
  const d = await p.store.destinations.create({ role: 'tenant', tenantId: p.tenantA.id, actor: 'test' }, { name: 'fake', type: 'fake', config });
  return d.id;
}

async function startRun(destinations: string[]) {
  const res = await p.request('POST', '/v1/runs', {
    key: p.keyA,
    body: { dataset: 'install_events', format: 'csv', from: daysAgo(3), to: daysAgo(2), destinations },
  });
  expect(res.status).toBe(202);
  return res.json as { id: string; workflowId: string };
}

async function activityAttempts(workflowId: string, activityType: string): Promise<number[]> {
  const history = await p.client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<number, string>();
  const attempts: number[] = [];
  for (const event of history.events ?? []) {
    const s = event.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(Number(event.eventId), s.activityType?.name ?? '');
    const started = event.activityTaskStartedEventAttributes;
    if (started && scheduled.get(Number(started.scheduledEventId)) === activityType) attempts.push(started.attempt ?? 0);
  }
  return attempts;
}

describe('exportRun failures', () => {
  it('retries transient destination errors with backoff and completes', async () => {
    const dst = await fakeDestination({ failFirst: 2, failKind: 'transient' });
    const started = await startRun([dst]);
    const run = await p.waitForRun(started.id, p.keyA);
    expect(run.status).toBe('Completed');
    expect(run.deliveries).toEqual([expect.objectContaining({ destinationId: dst, state: 'delivered', attempts: 3 })]);
    // Temporal records only the final attempt's start event; its number proves the two retries.
    expect(await activityAttempts(started.workflowId, 'deliverPartition')).toEqual([3]);
  });

  it('fails a misconfigured destination after exactly one attempt, with its failure type and message', async () => {
    const dst = await fakeDestination({ failFirst: 99, failKind: 'config' });
    const started = await startRun([dst]);
    const run = await p.waitForRun(started.id, p.keyA);
    expect(run.status).toBe('Failed');
    expect(run.error.type).toBe(FAILURE_TYPE.DestinationConfig);
    expect(run.error.message).toContain(`fake destination 'fake' (${dst})`);
    expect(run.error.message).toContain('fake config failure on attempt 1');
    expect(run.deliveries).toEqual([expect.objectContaining({ state: 'failed', attempts: 1 })]);
    expect(await activityAttempts(started.workflowId, 'deliverPartition')).toEqual([1]);

    const handle = p.client.workflow.getHandle(started.workflowId);
    const err = await handle.result().catch((e: Error & { cause?: { type?: string } }) => e);
    expect((err as { cause?: { type?: string } }).cause?.type).toBe(FAILURE_TYPE.DestinationConfig);
    expect((await handle.describe()).status.name).toBe('FAILED');
  });

  it('fails the run when a destination holds a different row count than was read', async () => {
    const dst = await fakeDestination({ rowDelta: -1 });
    const started = await startRun([dst]);
    const run = await p.waitForRun(started.id, p.keyA);
    expect(run.status).toBe('Failed');
    expect(run.error.type).toBe(FAILURE_TYPE.ReconciliationMismatch);
    expect(run.error.message).toContain(`partition 'window' at destination ${dst}`);
  });

  it('reports each destination on its own when one of two fails', async () => {
    const good = await p.createFilesystemDestination(p.keyA, 'good');
    const bad = await fakeDestination({ failFirst: 99, failKind: 'permanent' });
    const started = await startRun([good, bad]);
    const run = await p.waitForRun(started.id, p.keyA);
    expect(run.status).toBe('Failed');
    expect(run.error.type).toBe(FAILURE_TYPE.DestinationRejected);
    const byDestination = Object.fromEntries(run.deliveries.map((d: { destinationId: string; state: string }) => [d.destinationId, d.state]));
    expect(byDestination).toEqual({ [good]: 'delivered', [bad]: 'failed' });
  });

  it('fails with DestinationNotFound when the destination is deleted before delivery', async () => {
    const dst = await fakeDestination({});
    await p.store.destinations.delete({ role: 'admin', actor: 'test' }, dst);
    // The API refuses unknown destinations, so start the workflow directly as a stale request would.
    const run = await p.store.runs.create({
      tenantId: p.tenantA.id,
      dataset: 'install_events',
      format: 'csv',
      window: { from: daysAgo(3), to: daysAgo(2) },
      settings: { format: 'csv', compression: 'none', granularity: 'day', dimension: null, partitioning: 'none', pathTemplate: '{dataset}/{run_id}/{dataset}_{period_start}_{period_end}.{ext}', filters: {} },
      destinationIds: [dst],
      requestedBy: 'test',
    });
    await p.client.workflow.start('exportRun', {
      taskQueue: p.taskQueue,
      workflowId: run.workflowId,
      args: [
        {
          runId: run.id,
          tenantId: p.tenantA.id,
          exportId: null,
          dataset: 'install_events',
          spec: run.settings,
          window: run.window,
          destinations: [{ id: dst, type: 'fake' }],
          requestedAt: run.requestedAt.toISOString(),
        },
      ],
    });
    const finished = await p.waitForRun(run.id, p.keyA);
    expect(finished.status).toBe('Failed');
    expect(finished.error.type).toBe(FAILURE_TYPE.DestinationNotFound);
    expect(fakeState.delivered.size).toBeGreaterThan(0);
  });
});
