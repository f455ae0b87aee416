/**
 * Starts an export run as a Temporal workflow: deterministic workflow id from the run id, search attributes
 * so operators find it in the Temporal UI, and only small references in the input.
 */
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { SEARCH_KEYS, runSearchAttributes } from '../workflows/search-attributes.js';
import { ALL_TENANTS } from '../temporal.config.js';
import type { ExportDefinition } from '../store/exports.js';
import type { Run } from '../store/runs.js';
import type { Destination } from '../store/destinations.js';
import { type ExportRunInput, type StreamExportInput, deliverNowSignal } from '../workflows/definitions.js';

export interface RunLauncher {
  start(run: Run, destinations: Destination[]): Promise<void>;
  /** Asks the run's workflow to cancel; it stops its activities and removes its staged files. */
  cancel(run: Run): Promise<void>;
  /** Starts a stream export's long-running workflow, its watermark at `since` (naive UTC). */
  startStream(definition: ExportDefinition, since: string): Promise<void>;
  /** Delivers a stream export's pending rows now instead of at the end of its interval. */
  deliverNow(definition: ExportDefinition): Promise<void>;
  /** Stops a stream export (its export was deleted); a batch in flight is cancelled and cleans up. */
  stopStream(definition: ExportDefinition): Promise<void>;
}

export const streamWorkflowId = (exportId: string): string => `sluice-stream-${exportId}`;

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
  return {
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
    async start(run, destinations) {
      const input: ExportRunInput = {
        runId: run.id,
        tenantId: run.tenantId,
        exportId: run.exportId,
        dataset: run.dataset,
        spec: run.settings,
        window: run.window,
        requestedAt: run.requestedAt.toISOString(),
        artifactTtlSeconds,
        destinations: destinations.map((d) => ({ id: d.id, type: d.type })),
      };
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
