/**
 * scheduledExport's timing on Temporal's time-skipping test server: a firing whose period closed less than
 * the settle delay ago waits on a durable timer until it has, then starts its run; the window is the one
 * its nominal time gives. (The test server does not implement Schedules; test/e2e/schedules covers them on
 * the dev server.) The activities here are the workflow's collaborators replaced by recorders, since this
 * test is about the workflow's clock, not the store.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { readyAt, scheduleSchema, windowFor } from '../../datasets/schedule.js';
import type { ScheduledPlan, ScheduledRunStart } from '../../workflows/definitions.js';
import { installWorkerRuntime } from '../../platform/runtime.js';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  installWorkerRuntime('warn');
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('temporalTestServerPath') } },
  });
}, 120_000);
afterAll(async () => env?.teardown());

it('waits until the period has been closed for the settle delay, then starts the window nominal time gives', async () => {
  const schedule = scheduleSchema.parse({ preset: 'weekly', timezone: 'Europe/Berlin', settleDelay: '30h' });
  // A Monday 08:00 Berlin firing a little in the future of the test server's clock.
  const start = await env.currentTimeMs();
  const nominal = new Date(start + 3_600_000);
  const window = windowFor(schedule, nominal);
  const ready = readyAt(schedule, window);
  const calls: { activity: string; at: number; args: unknown }[] = [];
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'scheduled-export-test',
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: {
      async planScheduledRun(args: { exportId: string; nominalTime: string }): Promise<ScheduledPlan> {
        calls.push({ activity: 'plan', at: await env.currentTimeMs(), args });
        const w = windowFor(schedule, new Date(args.nominalTime));
        return { window: w, readyAt: readyAt(schedule, w).toISOString(), skip: null };
      },
      async startScheduledRun(args: { exportId: string; window: { from: string; to: string } }): Promise<ScheduledRunStart> {
        calls.push({ activity: 'start', at: await env.currentTimeMs(), args });
        return { run: null, workflowId: null, skip: 'recorded' };
      },
    },
  });
  const result = await worker.runUntil(
    env.client.workflow.execute('scheduledExport', {
      taskQueue: 'scheduled-export-test',
      workflowId: 'scheduled-export-settle',
      args: [{ exportId: 'exp_test', nominalTime: nominal.toISOString() }],
    }),
  );
  expect(result).toBe('skipped: recorded');
  expect(calls.map((c) => c.activity)).toEqual(['plan', 'start']);
  expect(calls[1]!.args).toEqual({ exportId: 'exp_test', window });
  // The run started only once the settle delay had passed on the workflow's (skipped) clock.
  expect(ready.getTime()).toBeGreaterThan(start);
  expect(calls[1]!.at).toBeGreaterThanOrEqual(ready.getTime());
  expect(await env.currentTimeMs()).toBeGreaterThanOrEqual(ready.getTime());
}, 120_000);
