/**
 * Export activities: thin adapters between the workflow and the store, the event store (DuckDB) and the
 * destination connectors. Built once per worker by `createActivities(deps)`.
 */
import path from 'node:path';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { Store } from '../store/index.js';
import { systemScope } from '../store/scope.js';
import type { EventStore } from '../connectors/sources/event-store/index.js';
import type { DestinationRegistry } from '../connectors/registry.js';
import { DATASETS, findDataset, quoteIdent } from '../datasets/catalog.js';
import type { DatasetDefinition } from '../datasets/types.js';
import { type Selection, firstEventQuery } from '../datasets/sql.js';
import { writeExportFile } from '../connectors/sources/event-store/export-file.js';
import { partitionsOf } from '../datasets/partitions.js';
import { fileExtension, pathTokenValues, renderPathTemplate } from '../datasets/path-template.js';
import { sha256File } from '../platform/files.js';
import { deliveryKey } from '../platform/delivery-key.js';
import type { Logger } from '../platform/logger.js';
import { FAILURE_TYPE } from '../workflows/failures.js';
import type {
  DeliverInput,
  DeliveryOutcome,
  FinishRunInput,
  MaterializeInput,
  MaterializeResult,
  RetentionResult,
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
  /** gzip level for compressed csv/json/jsonl (1 fastest .. 9 smallest). */
  gzipLevel?: number;
}

/** A 16-hex id for a file that stays the same when the same export, window and partition is delivered again. */
export function stableFileId(exportOrRunId: string, window: { from: string; to: string }, partitionKey: string): string {
  return createHash('sha256').update(`${exportOrRunId}|${window.from}|${window.to}|${partitionKey}`).digest('hex').slice(0, 16);
}

export function objectKeyFor(input: DeliverInput, dataset: DatasetDefinition): string {
  const partitions = partitionsOf(input.window, input.spec.partitioning);
  return renderPathTemplate(
    input.spec.pathTemplate,
    pathTokenValues({
      dataset: dataset.id,
      aggregation: dataset.aggregation,
      period: input.file.period,
      partitionKey: input.file.partitionKey,
      partitionIndex: Math.max(0, partitions.findIndex((p) => p.key === input.file.partitionKey)),
      requestedAt: input.requestedAt,
      firstEventTime: input.file.firstEventTime,
      runId: input.runId,
      uniqueId: stableFileId(input.exportId ?? input.runId, input.window, input.file.partitionKey),
      extension: input.file.extension,
    }),
  );
}

export function createActivities(deps: ActivityDeps) {
  const { store, eventStore, destinations, log } = deps;
  const runStagingDir = (runId: string) => path.join(deps.stagingDir, runId);

  return {
    async beginRun({ runId }: { runId: string }): Promise<void> {
      await store.runs.markProcessing(runId);
    },

    /**
     * Writes each partition of the window to a staged file with one DuckDB COPY (plus parallel gzip where
     * asked). A partition finished by an earlier attempt is kept (its description sits beside it), so a
     * retried attempt resumes where the last one stopped.
     */
    async materializeExport(input: MaterializeInput): Promise<MaterializeResult> {
      const dataset = findDataset(input.dataset);
      if (!dataset) throw ApplicationFailure.nonRetryable(`unknown dataset '${input.dataset}'`, FAILURE_TYPE.InvalidRequest);
      const ctx = connectorContext(log);
      const dir = runStagingDir(input.runId);
      await mkdir(dir, { recursive: true });
      const { spec } = input;
      const extension = fileExtension(spec.format, spec.compression);
      const wanted = input.partitionKeys ? new Set(input.partitionKeys) : undefined;
      const partitions = partitionsOf(input.window, spec.partitioning).filter((p) => !wanted || wanted.has(p.key));
      const files: StagedFileRef[] = [];
      let done = 0;
      await withHeartbeats(
        async () => {
          for (const partition of partitions) {
            const target = path.join(dir, `${partition.key}.${extension}`);
            const described = `${target}.ref.json`;
            const previous = await readFile(described, 'utf8').then((t) => JSON.parse(t) as StagedFileRef, () => undefined);
            if (previous && (await stat(target).then((s) => s.size === previous.bytes, () => false))) {
              files.push(previous);
              done++;
              continue;
            }
            const sel: Selection = { dataset, window: partition.period, tenantId: input.tenantId, filters: spec.filters };
            const partial = `${target}.partial`;
            let rows: number;
            try {
              rows = await writeExportFile(eventStore, sel, spec, partial, { signal: ctx.signal, gzipLevel: deps.gzipLevel });
            } catch (err) {
              if (ctx.signal.aborted) throw err;
              throw ApplicationFailure.retryable(`reading ${dataset.id} failed: ${(err as Error).message}`, FAILURE_TYPE.SourceUnavailable);
            }
            // Only file names use it, and it costs a scan: ask only when the template names it.
            const firstEventTime =
              rows > 0 && spec.pathTemplate.includes('{first_event_time}') ? ((await eventStore.scalar(firstEventQuery(sel))) as string | null) : null;
            await rename(partial, target);
            const { size } = await stat(target);
            const ref: StagedFileRef = {
              path: target,
              partitionKey: partition.key,
              period: partition.period,
              format: spec.format,
              compression: spec.format === 'parquet' ? 'none' : spec.compression,
              extension,
              rows,
              bytes: size,
              sha256: await sha256File(target),
              firstEventTime,
            };
            await writeFile(described, JSON.stringify(ref));
            files.push(ref);
            done++;
          }
        },
        () => ({ partitionsDone: done, partitions: partitions.length }),
      );
      const rows = files.reduce((sum, f) => sum + f.rows, 0);
      ctx.log.info('materialized', { runId: input.runId, files: files.length, rows });
      return { files, rows };
    },

    /** Delivers one staged file to one destination under its delivery key, recording the attempt in the ledger. */
    async deliverPartition(input: DeliverInput): Promise<DeliveryOutcome> {
      const found = await store.destinations.getForDelivery(input.destinationId);
      if (!found) {
        throw ApplicationFailure.nonRetryable(
          `destination ${input.destinationId} was deleted after the run started; start the run again with an existing destination`,
          FAILURE_TYPE.DestinationNotFound,
        );
      }
      const staged = await stat(input.file.path).catch(() => undefined);
      if (!staged || staged.size !== input.file.bytes) {
        throw ApplicationFailure.nonRetryable(`staged file ${input.file.path} is not on this worker`, FAILURE_TYPE.StagedFileMissing);
      }
      const { destination } = found;
      const connector = await destinations.get(destination.type);
      const config = connector.configSchema.safeParse(found.config);
      if (!config.success) {
        throw ApplicationFailure.nonRetryable(
          `destination ${destination.id} (${destination.name}) has an invalid configuration: ${config.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
          FAILURE_TYPE.DestinationConfig,
        );
      }
      const dataset = findDataset(input.dataset);
      if (!dataset) throw ApplicationFailure.nonRetryable(`unknown dataset '${input.dataset}'`, FAILURE_TYPE.InvalidRequest);
      const partitionKey = input.file.partitionKey;
      const unit = {
        runId: input.runId,
        partitionKey,
        destinationId: destination.id,
        deliveryKey: deliveryKey({ exportId: input.exportId, runId: input.runId, window: input.window, partitionKey, destinationId: destination.id }),
      };
      await store.ledger.beginAttempt(unit);
      const ctx = connectorContext(log);
      try {
        const receipt = await withHeartbeats(() =>
          connector.deliver(
            config.data,
            { file: input.file, objectKey: objectKeyFor(input, dataset), deliveryKey: unit.deliveryKey, tenantId: destination.tenantId },
            ctx,
          ),
        );
        await store.ledger.markDelivered(unit, { rows: receipt.rows, checksum: receipt.sha256, receipt: { ...receipt } });
        await store.runs.recordArtifact({
          runId: input.runId,
          destinationId: destination.id,
          partitionKey,
          objectKey: receipt.objectKey,
          location: receipt.location,
          format: input.file.extension,
          rows: receipt.rows,
          bytes: receipt.bytes,
          sha256: receipt.sha256,
          expiresAt: null,
        });
        return { destinationId: destination.id, partitionKey, location: receipt.location, rows: receipt.rows, bytes: receipt.bytes, sha256: receipt.sha256 };
      } catch (err) {
        const failure = toFailure(err, `delivery to ${destination.type} destination '${destination.name}' (${destination.id})`);
        await store.ledger.markFailed(unit, failure instanceof Error ? failure.message : String(failure));
        throw failure;
      }
    },

    /** Deletes a run's delivered files where the destination supports it and marks the run Expired. */
    async expireRun({ runId }: { runId: string }): Promise<void> {
      const ctx = connectorContext(log);
      for (const artifact of await store.runs.artifacts(runId)) {
        const found = await store.destinations.getForDelivery(artifact.destinationId);
        if (!found) continue;
        const { destination } = found;
        const connector = await destinations.get(destination.type);
        const config = connector.configSchema.safeParse(found.config);
        if (!config.success || !connector.remove) continue;
        try {
          await connector.remove(config.data, { objectKey: artifact.objectKey, tenantId: destination.tenantId }, ctx);
        } catch (err) {
          throw toFailure(err, `removing expired file ${artifact.objectKey} from destination ${destination.id}`);
        }
      }
      await store.runs.markExpired(runId);
      const run = await store.runs.get(systemScope, runId);
      await store.audit.append(systemScope, { action: 'run.expired', resourceType: 'run', resourceId: runId, tenantId: run?.tenantId ?? null });
    },

    async finishRun(input: FinishRunInput): Promise<void> {
      await store.runs.finish(input.runId, input);
      const run = await store.runs.get(systemScope, input.runId);
      await store.audit.append(systemScope, {
        action: input.status === 'Completed' ? 'run.completed' : input.status === 'Cancelled' ? 'run.cancelled' : 'run.failed',
        resourceType: 'run',
        resourceId: input.runId,
        tenantId: run?.tenantId ?? null,
        details: input.error ? { error: input.error } : { rows: input.rows, bytes: input.bytes, files: input.files },
      });
    },

    /** Deletes every dataset's rows whose event time is before `keepFrom` (the retention cut-off). */
    async deleteExpiredRows({ keepFrom }: { keepFrom: string }): Promise<RetentionResult> {
      const deleted: Record<string, number> = {};
      for (const dataset of DATASETS.values()) {
        deleted[dataset.id] = await eventStore.execute(
          `DELETE FROM ${quoteIdent(dataset.table)} WHERE ${quoteIdent(dataset.timeColumn)} < $keep::DATE`,
          { keep: keepFrom },
        );
      }
      log.info('retention sweep', { keepFrom, deleted });
      await store.audit.append(systemScope, { action: 'retention.sweep', resourceType: 'event_store', tenantId: null, details: { keepFrom, deleted } });
      return { keepFrom, deleted };
    },

    async removeStagedFiles({ runId }: { runId: string }): Promise<void> {
      await rm(runStagingDir(runId), { recursive: true, force: true });
    },
  };
}

export type ExportActivities = ReturnType<typeof createActivities>;
