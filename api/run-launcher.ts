/**
 * Starts an export run as a Temporal workflow: deterministic workflow id from the run id, search attributes
 * so operators find it in the Temporal UI, and only small references in the input.
 */
import { type Client, ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import type { temporal } from '@temporalio/proto';
import { type Schedule, startOfLocalDay, temporalCalendar, windowFor } from '../datasets/schedule.js';
import { SEARCH_KEYS, runSearchAttributes } from '../workflows/search-attributes.js';
import { ALL_TENANTS } from '../temporal.config.js';
import type { ExportDefinition } from '../store/exports.js';
import { type Run, exportRunInput } from '../store/runs.js';
import type { Destination } from '../store/destinations.js';
import { type StreamExportInput, deliverNowSignal } from '../workflows/definitions.js';

export interface RunLauncher {
  start(run: Run, destinations: Destination[], options?: { notifyEmail?: string }): Promise<void>;
  /** Asks the run's workflow to cancel; it stops its activities and removes its staged files. */
  cancel(run: Run): Promise<void>;
  /** Starts a stream export's long-running workflow, its watermark at `since` (naive UTC). */
  startStream(definition: ExportDefinition, since: string): Promise<void>;
  /** Delivers a stream export's pending rows now instead of at the end of its interval. */
  deliverNow(definition: ExportDefinition): Promise<void>;
  /** Stops a stream export (its export was deleted); a batch in flight is cancelled and cleans up. */
  stopStream(definition: ExportDefinition): Promise<void>;
  /** Scheduled exports; absent where Temporal schedules are not available (tests of the API alone). */
  schedules?: ScheduleControl;
}

export const streamWorkflowId = (exportId: string): string => `sluice-stream-${exportId}`;
export const scheduleId = (exportId: string): string => `sluice-schedule-${exportId}`;

export interface ScheduleState {
  paused: boolean;
  note: string | null;
  /** Upcoming firings, as Temporal computes them from the schedule's calendar and zone. */
  nextActionTimes: Date[];
  /** Firings so far. */
  actions: number;
}

/** Scheduled exports as Temporal Schedules (`sluice-schedule-<exportId>`), visible in the Temporal UI. */
export interface ScheduleControl {
  upsertSchedule(definition: ExportDefinition, schedule: Schedule): Promise<void>;
  deleteSchedule(definition: ExportDefinition): Promise<void>;
  pauseSchedule(definition: ExportDefinition, note: string): Promise<void>;
  resumeSchedule(definition: ExportDefinition, note: string): Promise<void>;
  triggerSchedule(definition: ExportDefinition): Promise<void>;
  /** Runs the firings that cover `periods` (each must be a whole period of the schedule); answers how many. */
  backfillSchedule(definition: ExportDefinition, schedule: Schedule, periods: { from: string; to: string }[]): Promise<{ from: string; to: string; at: Date }[]>;
  describeSchedule(definition: ExportDefinition): Promise<ScheduleState>;
}

/** Rows ingested this recently wait for the next batch (seconds). */
export const DEFAULT_STREAM_SETTLE_SECONDS = 30;

export class RunAlreadyStartedError extends Error {}

/** Seed 004: download links, and the files behind them, expire after 7 days unless configured otherwise. */
export const DEFAULT_ARTIFACT_TTL_SECONDS = 7 * 24 * 3600;

export function temporalRunLauncher(
  client: Client,
  taskQueue: string,
  artifactTtlSeconds = DEFAULT_ARTIFACT_TTL_SECONDS,
  streamSettleSeconds = DEFAULT_STREAM_SETTLE_SECONDS,
): RunLauncher {
  const namespace = client.options.namespace;
  const schedules: ScheduleControl = {
    async upsertSchedule(definition, schedule) {
      const spec = temporalCalendar(schedule);
      const handle = client.schedule.getHandle(scheduleId(definition.id));
      const exists = await handle.describe().then(
        () => true,
        (err: unknown) => {
          if (err instanceof ScheduleNotFoundError) return false;
          throw err;
        },
      );
      if (exists) {
        await handle.update((previous) => ({ ...previous, spec }));
        return;
      }
      await client.schedule.create({
        scheduleId: scheduleId(definition.id),
        spec,
        action: {
          type: 'startWorkflow',
          workflowType: 'scheduledExport',
          workflowId: `sluice-scheduled-${definition.id}`,
          taskQueue,
          args: [{ exportId: definition.id }],
          typedSearchAttributes: [
            { key: SEARCH_KEYS.tenant, value: definition.tenantId ?? ALL_TENANTS },
            { key: SEARCH_KEYS.dataset, value: definition.dataset },
          ],
        },
        // Windows are deduplicated by the workflow, so overlapping firings (catch-up, triggers) are safe.
        policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '7 days' },
        memo: { exportId: definition.id, name: definition.name },
        state: { note: `export ${definition.id} (${definition.name})` },
      });
    },
    async deleteSchedule(definition) {
      await client.schedule
        .getHandle(scheduleId(definition.id))
        .delete()
        .catch((err: unknown) => {
          if (!(err instanceof ScheduleNotFoundError)) throw err;
        });
    },
    async pauseSchedule(definition, note) {
      await client.schedule.getHandle(scheduleId(definition.id)).pause(note);
    },
    async resumeSchedule(definition, note) {
      await client.schedule.getHandle(scheduleId(definition.id)).unpause(note);
    },
    async triggerSchedule(definition) {
      await client.schedule.getHandle(scheduleId(definition.id)).trigger(ScheduleOverlapPolicy.ALLOW_ALL);
    },
    async backfillSchedule(definition, schedule, periods) {
      const id = scheduleId(definition.id);
      const firings: { from: string; to: string; at: Date }[] = [];
      for (const period of periods) {
        // The first time Temporal fires after the period closed is the firing that covers it.
        const start = startOfLocalDay(period.to, schedule.timezone).getTime() + 86_400_000;
        const matching = (await client.workflowService.listScheduleMatchingTimes({
          namespace,
          scheduleId: id,
          startTime: msToTs(start),
          endTime: msToTs(start + 40 * 86_400_000),
        })) as temporal.api.workflowservice.v1.IListScheduleMatchingTimesResponse;
        const first = matching.startTime?.[0];
        if (!first) continue;
        const at = new Date(Number(first.seconds) * 1000);
        const window = windowFor(schedule, at);
        if (window.from === period.from && window.to === period.to) firings.push({ ...period, at });
      }
      if (firings.length > 0) {
        await client.schedule.getHandle(id).backfill(
          firings.map((f) => ({ start: new Date(f.at.getTime() - 1000), end: new Date(f.at.getTime() + 1000), overlap: ScheduleOverlapPolicy.ALLOW_ALL })),
        );
      }
      return firings;
    },
    async describeSchedule(definition) {
      const d = await client.schedule.getHandle(scheduleId(definition.id)).describe();
      return { paused: d.state.paused, note: d.state.note ?? null, nextActionTimes: d.info.nextActionTimes, actions: d.info.numActionsTaken };
    },
  };
  return {
    schedules,
    async startStream(definition, since) {
      const input: StreamExportInput = {
        exportId: definition.id,
        tenantId: definition.tenantId,
        dataset: definition.dataset,
        spec: definition.spec,
        destinationIds: definition.destinationIds,
        intervalSeconds: (definition.stream?.intervalMinutes ?? 15) * 60,
        settleSeconds: streamSettleSeconds,
        watermark: since,
      };
      await client.workflow.start('streamExport', {
        taskQueue,
        workflowId: streamWorkflowId(definition.id),
        args: [input],
        typedSearchAttributes: [
          { key: SEARCH_KEYS.tenant, value: definition.tenantId ?? ALL_TENANTS },
          { key: SEARCH_KEYS.dataset, value: definition.dataset },
        ],
      });
    },
    async deliverNow(definition) {
      await client.workflow.getHandle(streamWorkflowId(definition.id)).signal(deliverNowSignal);
    },
    async stopStream(definition) {
      await client.workflow
        .getHandle(streamWorkflowId(definition.id))
        .cancel()
        .catch((err: unknown) => {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        });
    },
    async start(run, destinations, options = {}) {
      const input = exportRunInput(run, destinations, { artifactTtlSeconds, ...options });
      try {
        await client.workflow.start('exportRun', {
          taskQueue,
          workflowId: run.workflowId,
          args: [input],
          typedSearchAttributes: runSearchAttributes({ runId: run.id, tenantId: run.tenantId, dataset: run.dataset, destinationTypes: destinations.map((d) => d.type) }),
        });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) throw new RunAlreadyStartedError(run.workflowId);
        throw err;
      }
    },
    async cancel(run) {
      await client.workflow.getHandle(run.workflowId).cancel();
    },
  };
}
