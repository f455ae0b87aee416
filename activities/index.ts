/**
 * Export activities: thin adapters between the workflow and the store, the event store (DuckDB) and the
 * destination connectors. Built once per worker by `createActivities(deps)`.
 */
import path from 'node:path';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { Store } from '../store/index.js';
import { systemScope } from '../store/scope.js';
import type { EventStore } from '../connectors/sources/event-store/index.js';
import type { DestinationRegistry } from '../connectors/registry.js';
import { findDataset } from '../datasets/catalog.js';
import { CSV_TIMESTAMP_FORMAT, countQuery, rowsQuery, timeSeriesQuery } from '../datasets/sql.js';
import { sha256File } from '../platform/files.js';
import { deliveryKey } from '../platform/delivery-key.js';
import type { Logger } from '../platform/logger.js';
import { FAILURE_TYPE } from '../workflows/failures.js';
import type {
  DeliverInput,
  DeliveryOutcome,
  FinishRunInput,
  MaterializeInput,
  OutputFormat,
  StagedFileRef,
} from '../workflows/definitions.js';
import { connectorContext, withHeartbeats } from './context.js';
import { toFailure } from './to-failure.js';

export interface ActivityDeps {
  store: Store;
  eventStore: EventStore;
  destinations: DestinationRegistry;
  stagingDir: string;
  log: Logger;
}

const COPY_OPTIONS: Record<OutputFormat, string> = {
  csv: `FORMAT csv, HEADER true, TIMESTAMPFORMAT '${CSV_TIMESTAMP_FORMAT}'`,
  json: 'FORMAT json',
};

export const objectKeyFor = (input: { runId: string; dataset: string; window: { from: string; to: string } }, format: OutputFormat): string =>
  `${input.dataset}/${input.runId}/${input.dataset}_${input.window.from}_${input.window.to}.${format}`;

export function createActivities(deps: ActivityDeps) {
  const { store, eventStore, destinations, log } = deps;
  const runStagingDir = (runId: string) => path.join(deps.stagingDir, runId);

  return {
    async beginRun({ runId }: { runId: string }): Promise<void> {
      await store.runs.markProcessing(runId);
    },

    /** Writes the window's rows (or its time series) to a staged file with one DuckDB COPY. */
    async materializePartition(input: MaterializeInput): Promise<StagedFileRef> {
      const dataset = findDataset(input.dataset);
      if (!dataset) throw ApplicationFailure.nonRetryable(`unknown dataset '${input.dataset}'`, FAILURE_TYPE.InvalidRequest);
      const ctx = connectorContext(log);
      const dir = runStagingDir(input.runId);
      await mkdir(dir, { recursive: true });
      const target = path.join(dir, `${input.partitionKey}.${input.format}`);
      const partial = `${target}.partial`;
      const rows = await withHeartbeats(async () => {
        try {
          if (input.format === 'csv') {
            return await eventStore.copyTo(rowsQuery(dataset, input.window, input.tenantId), partial, COPY_OPTIONS.csv, ctx.signal);
          }
          await eventStore.copyTo(timeSeriesQuery(dataset, input.window, input.tenantId), partial, COPY_OPTIONS.json, ctx.signal);
          return await eventStore.count(countQuery(dataset, input.window, input.tenantId));
        } catch (err) {
          await rm(partial, { force: true });
          if (ctx.signal.aborted) throw err;
          throw ApplicationFailure.retryable(`reading ${dataset.id} failed: ${(err as Error).message}`, FAILURE_TYPE.SourceUnavailable);
        }
      });
      await rename(partial, target);
      const { size } = await stat(target);
      const sha256 = await sha256File(target);
      ctx.log.info('materialized', { runId: input.runId, rows, bytes: size });
      return { path: target, format: input.format, rows, bytes: size, sha256 };
    },

    /** Delivers one staged file to one destination under its delivery key, recording the attempt in the ledger. */
    async deliverPartition(input: DeliverInput): Promise<DeliveryOutcome> {
      const destination = await store.destinations.get(systemScope, input.destinationId);
      if (!destination) {
        throw ApplicationFailure.nonRetryable(
          `destination ${input.destinationId} was deleted after the run started; start the run again with an existing destination`,
          FAILURE_TYPE.DestinationNotFound,
        );
      }
      const staged = await stat(input.file.path).catch(() => undefined);
      if (!staged || staged.size !== input.file.bytes) {
        throw ApplicationFailure.nonRetryable(`staged file ${input.file.path} is not on this worker`, FAILURE_TYPE.StagedFileMissing);
      }
      const connector = await destinations.get(destination.type);
      const config = connector.configSchema.safeParse(destination.config);
      if (!config.success) {
        throw ApplicationFailure.nonRetryable(
          `destination ${destination.id} (${destination.name}) has an invalid configuration: ${config.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
          FAILURE_TYPE.DestinationConfig,
        );
      }
      const unit = {
        runId: input.runId,
        partitionKey: input.partitionKey,
        destinationId: destination.id,
        deliveryKey: deliveryKey({ ...input, destinationId: destination.id }),
      };
      await store.ledger.beginAttempt(unit);
      const ctx = connectorContext(log);
      try {
        const receipt = await withHeartbeats(() =>
          connector.deliver(
            config.data,
            { file: input.file, objectKey: objectKeyFor(input, input.file.format), deliveryKey: unit.deliveryKey, tenantId: input.tenantId },
            ctx,
          ),
        );
        await store.ledger.markDelivered(unit, { rows: receipt.rows, checksum: receipt.sha256, receipt: { ...receipt } });
        await store.runs.recordArtifact({
          runId: input.runId,
          destinationId: destination.id,
          partitionKey: input.partitionKey,
          objectKey: receipt.objectKey,
          location: receipt.location,
          format: input.file.format,
          rows: receipt.rows,
          bytes: receipt.bytes,
          sha256: receipt.sha256,
          expiresAt: null,
        });
        return { destinationId: destination.id, partitionKey: input.partitionKey, location: receipt.location, rows: receipt.rows, bytes: receipt.bytes, sha256: receipt.sha256 };
      } catch (err) {
        const failure = toFailure(err, `delivery to ${destination.type} destination '${destination.name}' (${destination.id})`);
        await store.ledger.markFailed(unit, failure instanceof Error ? failure.message : String(failure));
        throw failure;
      }
    },

    async finishRun(input: FinishRunInput): Promise<void> {
      await store.runs.finish(input.runId, input);
      const run = await store.runs.get(systemScope, input.runId);
      await store.audit.append(systemScope, {
        action: input.status === 'Completed' ? 'run.completed' : 'run.failed',
        resourceType: 'run',
        resourceId: input.runId,
        tenantId: run?.tenantId ?? null,
        details: input.error ? { error: input.error } : { rows: input.rows, bytes: input.bytes, files: input.files },
      });
    },

    async removeStagedFiles({ runId }: { runId: string }): Promise<void> {
      await rm(runStagingDir(runId), { recursive: true, force: true });
    },
  };
}

export type ExportActivities = ReturnType<typeof createActivities>;
