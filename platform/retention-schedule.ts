/** The daily Temporal Schedule that runs retentionSweep (03:00 UTC), created once per namespace. */
import { type Client, ScheduleAlreadyRunning } from '@temporalio/client';
import type { RetentionInput } from '../workflows/definitions.js';

export const RETENTION_SCHEDULE_ID = 'sluice-retention';

export async function ensureRetentionSchedule(
  client: Client,
  options: { taskQueue: string; retentionMonths: number; scheduleId?: string },
): Promise<'created' | 'exists'> {
  const scheduleId = options.scheduleId ?? RETENTION_SCHEDULE_ID;
  const input: RetentionInput = { retentionMonths: options.retentionMonths };
  try {
    await client.schedule.create({
      scheduleId,
      spec: { calendars: [{ hour: 3, minute: 0, comment: 'daily at 03:00 UTC' }] },
      action: { type: 'startWorkflow', workflowType: 'retentionSweep', taskQueue: options.taskQueue, args: [input], workflowId: `${scheduleId}-sweep` },
      policies: { overlap: 'SKIP', catchupWindow: '1 day' },
    });
    return 'created';
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return 'exists';
    throw err;
  }
}
