/**
 * scheduledExport: one firing of a scheduled export, started by its Temporal Schedule. The window comes from
 * the firing's nominal time (TemporalScheduledStartTime), never the wall clock, so a firing caught up after
 * downtime, triggered, or backfilled covers exactly its own period. It waits for the settle delay, then the
 * window's run starts as an exportRun child, unless that window already has a run in flight or delivered:
 * a window is never run twice.
 */
import { defineSearchAttributeKey } from '@temporalio/common';
import { executeChild, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { ExportActivities } from '../activities/index.js';
import { ACTIVITY_PROFILES } from '../temporal.config.js';
import type { ScheduledExportInput } from './definitions.js';
import { exportRun } from './export-run.js';
import { runSearchAttributes } from './search-attributes.js';

const { planScheduledRun, startScheduledRun } = proxyActivities<ExportActivities>(ACTIVITY_PROFILES.bookkeeping);
const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', 'DATETIME');

export async function scheduledExport(input: ScheduledExportInput): Promise<string> {
  const info = workflowInfo();
  const nominal = input.nominalTime ?? (info.typedSearchAttributes.get(SCHEDULED_START) ?? info.startTime).toISOString();
  const plan = await planScheduledRun({ exportId: input.exportId, nominalTime: nominal });
  if (!plan.window || !plan.readyAt) return `skipped: ${plan.skip ?? 'nothing to run'}`;
  const wait = Date.parse(plan.readyAt) - Date.now();
  if (wait > 0) await sleep(wait);
  const started = await startScheduledRun({ exportId: input.exportId, window: plan.window });
  if (!started.run || !started.workflowId) return `skipped: ${started.skip ?? 'nothing to run'}`;
  const run = started.run;
  const result = await executeChild(exportRun, {
    workflowId: started.workflowId,
    args: [run],
    typedSearchAttributes: runSearchAttributes({ runId: run.runId, tenantId: run.tenantId, dataset: run.dataset, destinationTypes: run.destinations.map((d) => d.type) }),
  });
  return `${result.runId} ${result.status} ${plan.window.from}..${plan.window.to}`;
}
