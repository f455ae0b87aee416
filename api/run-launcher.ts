/**
 * Starts an export run as a Temporal workflow: deterministic workflow id from the run id, search attributes
 * so operators find it in the Temporal UI, and only small references in the input.
 */
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { defineSearchAttributeKey } from '@temporalio/common';
import { ALL_TENANTS, SEARCH_ATTRIBUTES } from '../temporal.config.js';
import type { Run } from '../store/runs.js';
import type { Destination } from '../store/destinations.js';
import type { ExportRunInput } from '../workflows/definitions.js';

const KEYS = {
  tenant: defineSearchAttributeKey(SEARCH_ATTRIBUTES.tenant.name, 'KEYWORD'),
  dataset: defineSearchAttributeKey(SEARCH_ATTRIBUTES.dataset.name, 'KEYWORD'),
  run: defineSearchAttributeKey(SEARCH_ATTRIBUTES.run.name, 'KEYWORD'),
  destinationTypes: defineSearchAttributeKey(SEARCH_ATTRIBUTES.destinationTypes.name, 'KEYWORD_LIST'),
};

export interface RunLauncher {
  start(run: Run, destinations: Destination[]): Promise<void>;
  /** Asks the run's workflow to cancel; it stops its activities and removes its staged files. */
  cancel(run: Run): Promise<void>;
}

export class RunAlreadyStartedError extends Error {}

/** Seed 004: download links, and the files behind them, expire after 7 days unless configured otherwise. */
export const DEFAULT_ARTIFACT_TTL_SECONDS = 7 * 24 * 3600;

export function temporalRunLauncher(client: Client, taskQueue: string, artifactTtlSeconds = DEFAULT_ARTIFACT_TTL_SECONDS): RunLauncher {
  return {
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
          typedSearchAttributes: [
            { key: KEYS.tenant, value: run.tenantId ?? ALL_TENANTS },
            { key: KEYS.dataset, value: run.dataset },
            { key: KEYS.run, value: run.id },
            { key: KEYS.destinationTypes, value: [...new Set(destinations.map((d) => d.type))] },
          ],
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
