/**
 * retentionSweep: deletes source rows older than the retention period (seed 000: 24 months), run daily by
 * a Temporal Schedule. The cut-off comes from the workflow's own clock (deterministic on replay): rows
 * whose event time is before `today - retentionMonths` are deleted, the cut-off day itself is kept.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ExportActivities } from '../activities/index.js';
import { ACTIVITY_PROFILES } from '../temporal.config.js';
import { addMonths } from '../datasets/window.js';
import type { RetentionInput, RetentionResult } from './definitions.js';

const { deleteExpiredRows } = proxyActivities<ExportActivities>(ACTIVITY_PROFILES.dataMovement);

export async function retentionSweep(input: RetentionInput): Promise<RetentionResult> {
  const today = new Date(Date.now()).toISOString().slice(0, 10);
  const keepFrom = input.keepFrom ?? addMonths(today, -input.retentionMonths);
  return deleteExpiredRows({ keepFrom });
}
