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
import { type Selection, boundsQuery, eventDaysQuery } from '../datasets/sql.js';
import { type Run, exportRunInput } from '../store/runs.js';
import type { ExportDefinition } from '../store/exports.js';
import type { Mailer } from '../platform/mailer.js';
import type { LinkSigner } from '../platform/signed-links.js';
import { writeExportFile } from '../connectors/sources/event-store/export-file.js';
import { partitionsOf } from '../datasets/partitions.js';
import { naiveUtc } from '../datasets/window.js';
import { readyAt, windowFor } from '../datasets/schedule.js';
import { fileExtension, pathTokenValues, renderPathTemplate } from '../datasets/path-template.js';
import { sha256File } from '../platform/files.js';
import { deliveryKey } from '../platform/delivery-key.js';
import type { Logger } from '../platform/logger.js';
import { FAILURE_TYPE } from '../workflows/failures.js';
import type {
  ExportSpec,
  ScheduledPlan,
  ScheduledRunStart,
  StreamBatch,
  StreamBatchInput,
  DeliverInput,
  DeliveryOutcome,
  ExportRunInput,
  FinishRunInput,
  MaterializeInput,
  MaterializeResult,
  PublishManifestInput,
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
  /** How long scheduled runs' files live (7 days by default). */
  artifactTtlSeconds?: number;
  /** Announces background exports by e-mail with signed links to their files. */
  notifier?: { mailer: Mailer; linkSigner: LinkSigner; publicUrl: string };
}

const DEFAULT_ARTIFACT_TTL = 7 * 24 * 3600;

/** A 16-hex id for a file that stays the same when the same export, window and partition is delivered again. */
export function stableFileId(exportOrRunId: string, window: { from: string; to: string }, partitionKey: string): string {
  return createHash('sha256').update(`${exportOrRunId}|${window.from}|${window.to}|${partitionKey}`).digest('hex').slice(0, 16);
}

/** What makes a delivery unique besides its export: the window, or for a stream batch its ingestion range. */
export function identityWindow(spec: ExportSpec, window: { from: string; to: string }): { from: string; to: string } {
  return spec.ingested ? { from: spec.ingested.after, to: spec.ingested.upTo } : window;
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
      uniqueId: stableFileId(input.exportId ?? input.runId, identityWindow(input.spec, input.window), input.file.partitionKey),
      extension: input.file.extension,
    }),
  );
}

/**
 * Where a run's manifest and completion marker go: beside nothing else, under `_sluice/`, named by dataset,
 * window and the export's stable id, so delivering the window again rewrites the same two objects.
 */
export function manifestKeys(input: { exportId: string | null; runId: string; dataset: string; window: { from: string; to: string }; spec?: ExportSpec }) {
  const identity = input.spec ? identityWindow(input.spec, input.window) : input.window;
  const dir = `_sluice/${input.dataset}/${input.window.from}_${input.window.to}_${stableFileId(input.exportId ?? input.runId, identity, '_manifest')}`;
  return { manifest: `${dir}/manifest.json`, marker: `${dir}/_SUCCESS` };
}

export function buildManifest(input: PublishManifestInput, key: string) {
  const files = input.files.map(({ file, objectKey }) => ({
    key: objectKey,
    partition: file.partitionKey,
    period: file.period,
    format: file.format,
    compression: file.compression,
    rows: file.rows,
    bytes: file.bytes,
    sha256: file.sha256,
    firstEventTime: file.firstEventTime,
    lastEventTime: file.lastEventTime,
    firstEventId: file.firstEventId,
    lastEventId: file.lastEventId,
  }));
  const withRows = files.filter((f) => f.rows > 0);
  const times = withRows.flatMap((f) => [f.firstEventTime, f.lastEventTime]).filter((t): t is string => t !== null).sort();
  return {
    manifestVersion: 1,
    key,
    runId: input.runId,
    exportId: input.exportId,
    tenantId: input.tenantId,
    dataset: input.dataset,
    window: input.window,
    requestedAt: input.requestedAt,
    settings: input.spec,
    totals: { files: files.length, rows: files.reduce((n, f) => n + f.rows, 0), bytes: files.reduce((n, f) => n + f.bytes, 0) },
    timeRange: { first: times[0] ?? null, last: times.at(-1) ?? null },
    eventIds: { first: withRows[0]?.firstEventId ?? null, last: withRows.at(-1)?.lastEventId ?? null },
    files,
  };
}

export function createActivities(deps: ActivityDeps) {
  const { store, eventStore, destinations, log } = deps;
  const runStagingDir = (runId: string) => path.join(deps.stagingDir, runId);
  /** A destination's connector and valid config; a stored config the connector refuses fails the delivery for good. */
  const boundOrFail = async (found: { destination: { id: string; name: string; type: string }; config: Record<string, unknown> }) => {
    const bound = await destinations.bind(found);
    if (bound.config === null) {
      throw ApplicationFailure.nonRetryable(
        `destination ${found.destination.id} (${found.destination.name}) has an invalid configuration: ${bound.problem}`,
        FAILURE_TYPE.DestinationConfig,
      );
    }
    return { connector: bound.connector, config: bound.config };
  };
  /** A run of a saved export started by the workers themselves (stream batch, scheduled window), audited like any start. */
  const createExportRun = async (
    definition: ExportDefinition,
    r: { id: string; window: { from: string; to: string }; settings: ExportSpec; requestedBy: string },
    details: Record<string, unknown>,
  ): Promise<Run> => {
    const run = await store.runs.create({
      ...r,
      tenantId: definition.tenantId,
      exportId: definition.id,
      dataset: definition.dataset,
      format: definition.spec.format,
      destinationIds: definition.destinationIds,
    });
    await store.audit.append(systemScope, {
      action: 'run.start',
      resourceType: 'run',
      resourceId: run.id,
      tenantId: run.tenantId,
      details: { exportId: definition.id, dataset: run.dataset, window: run.window, ...details },
    });
    return run;
  };
  /** The exportRun input of a run the workers created themselves (stream batches, scheduled windows). */
  const runInputFor = async (run: Run, artifactTtlSeconds: number): Promise<ExportRunInput> => {
    const found = await Promise.all(run.destinationIds.map((id) => store.destinations.get(systemScope, id)));
    return exportRunInput(run, found.filter((d) => d !== undefined), { artifactTtlSeconds });
  };
  /** Stream batches' files never expire: the feed belongs to its consumer. */
  const streamRunInput = (run: Run) => runInputFor(run, 0);

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
            const sel: Selection = {
              dataset,
              window: partition.period,
              tenantId: input.tenantId,
              filters: spec.filters,
              ...(spec.ingested ? { ingested: spec.ingested } : {}),
              ...(spec.timeZone ? { timeZone: spec.timeZone } : {}),
            };
            const partial = `${target}.partial`;
            let rows: number;
            try {
              rows = await writeExportFile(eventStore, sel, spec, partial, { signal: ctx.signal, gzipLevel: deps.gzipLevel });
            } catch (err) {
              if (ctx.signal.aborted) throw err;
              throw ApplicationFailure.retryable(`reading ${dataset.id} failed: ${(err as Error).message}`, FAILURE_TYPE.SourceUnavailable);
            }
            // The manifest's time range and event ids; the file name may use the first event time.
            const bounds = rows > 0 ? await eventStore.row(boundsQuery(sel)) : undefined;
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
              firstEventTime: (bounds?.first_time as string | null | undefined) ?? null,
              lastEventTime: (bounds?.last_time as string | null | undefined) ?? null,
              firstEventId: (bounds?.first_id as string | null | undefined) ?? null,
              lastEventId: (bounds?.last_id as string | null | undefined) ?? null,
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
      const { connector, config } = await boundOrFail(found);
      const dataset = findDataset(input.dataset);
      if (!dataset) throw ApplicationFailure.nonRetryable(`unknown dataset '${input.dataset}'`, FAILURE_TYPE.InvalidRequest);
      const partitionKey = input.file.partitionKey;
      const unit = {
        runId: input.runId,
        partitionKey,
        destinationId: destination.id,
        deliveryKey: deliveryKey({ exportId: input.exportId, runId: input.runId, window: identityWindow(input.spec, input.window), partitionKey, destinationId: destination.id }),
      };
      await store.ledger.beginAttempt(unit);
      const ctx = connectorContext(log);
      try {
        const receipt = await withHeartbeats(
          () =>
            connector.deliver(
              config,
              {
                file: input.file,
                objectKey: objectKeyFor(input, dataset),
                deliveryKey: unit.deliveryKey,
                tenantId: destination.tenantId,
                about: { dataset: input.dataset, period: input.file.period, runId: input.runId },
              },
              ctx,
            ),
          () => ctx.latestProgress(),
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
        return { destinationId: destination.id, partitionKey, objectKey: receipt.objectKey, location: receipt.location, rows: receipt.rows, bytes: receipt.bytes, sha256: receipt.sha256 };
      } catch (err) {
        const failure = toFailure(err, `delivery to ${destination.type} destination '${destination.name}' (${destination.id})`);
        await store.ledger.markFailed(unit, failure instanceof Error ? failure.message : String(failure));
        throw failure;
      }
    },

    /**
     * Writes the run's manifest (every file with its rows, bytes, sha256, time range and first/last event id,
     * and the export's settings) and then the completion marker, at deterministic keys: a consumer that sees
     * the marker knows the delivery is complete. Destinations without manifests (e-mail) are skipped.
     */
    async publishManifest(input: PublishManifestInput): Promise<void> {
      const found = await store.destinations.getForDelivery(input.destinationId);
      if (!found) throw ApplicationFailure.nonRetryable(`destination ${input.destinationId} was deleted during the run`, FAILURE_TYPE.DestinationNotFound);
      const { destination } = found;
      const { connector, config } = await boundOrFail(found);
      if (!connector.capabilities.manifests) return;
      const keys = manifestKeys(input);
      const manifest = buildManifest(input, keys.manifest);
      const dir = runStagingDir(input.runId);
      await mkdir(dir, { recursive: true });
      const ctx = connectorContext(log);
      const put = async (name: string, objectKey: string, body: string, kind: 'manifest' | 'marker') => {
        const file = path.join(dir, `${name}-${destination.id}.json`);
        await writeFile(file, body);
        const sha256 = createHash('sha256').update(body).digest('hex');
        const bytes = Buffer.byteLength(body);
        const receipt = await connector
          .deliver(config, { file: { path: file, format: 'json', rows: 0, bytes, sha256 }, objectKey, deliveryKey: `${kind}:${input.runId}:${destination.id}`, tenantId: destination.tenantId }, ctx)
          .catch((err: unknown) => {
            throw toFailure(err, `writing the ${kind} to ${destination.type} destination '${destination.name}' (${destination.id})`);
          });
        await store.runs.recordArtifact({
          kind,
          runId: input.runId,
          destinationId: destination.id,
          partitionKey: `_${kind}`,
          objectKey,
          location: receipt.location,
          format: 'json',
          rows: 0,
          bytes,
          sha256,
          expiresAt: null,
        });
        return sha256;
      };
      const manifestSha256 = await put('manifest', keys.manifest, JSON.stringify(manifest, null, 2) + '\n', 'manifest');
      const marker = { runId: input.runId, manifest: keys.manifest, manifestSha256, files: manifest.totals.files, rows: manifest.totals.rows };
      await put('complete', keys.marker, JSON.stringify(marker) + '\n', 'marker');
    },

    /**
     * The next batch of a stream export: the rows ingested after the watermark and before now minus the
     * settle delay. Creates the run that delivers them (id chosen by the workflow, so a retry finds it and
     * keeps its range), or answers no run when nothing new arrived.
     */
    async prepareStreamBatch(input: StreamBatchInput): Promise<StreamBatch> {
      const existing = await store.runs.get(systemScope, input.runId);
      if (existing?.settings.ingested) return { upTo: existing.settings.ingested.upTo, run: await streamRunInput(existing), workflowId: existing.workflowId };
      const definition = await store.exports.get(systemScope, input.exportId);
      if (!definition) throw ApplicationFailure.nonRetryable(`export ${input.exportId} was deleted`, FAILURE_TYPE.InvalidRequest);
      const dataset = findDataset(definition.dataset);
      if (!dataset) throw ApplicationFailure.nonRetryable(`unknown dataset '${definition.dataset}'`, FAILURE_TYPE.InvalidRequest);
      const cutoff = naiveUtc(new Date(Date.now() - input.settleSeconds * 1000));
      if (cutoff <= input.after) return { upTo: input.after, run: null, workflowId: null };
      const ingested = { after: input.after, upTo: cutoff };
      const sel: Selection = { dataset, window: { from: cutoff.slice(0, 10), to: cutoff.slice(0, 10) }, tenantId: definition.tenantId, filters: definition.spec.filters, ingested };
      const stats = await eventStore.row(eventDaysQuery(sel));
      if (!stats || Number(stats.n) === 0) return { upTo: cutoff, run: null, workflowId: null };
      const run = await createExportRun(
        definition,
        { id: input.runId, window: { from: String(stats.first_day), to: String(stats.last_day) }, settings: { ...definition.spec, ingested }, requestedBy: `stream:${definition.id}` },
        { ingested, rows: Number(stats.n), mode: 'stream' },
      );
      return { upTo: cutoff, run: await streamRunInput(run), workflowId: run.workflowId };
    },

    /** E-mails the requester of a background export: links to the files, or why it failed. */
    async notifyRequester(input: { runId: string; email: string }): Promise<void> {
      if (!deps.notifier) {
        log.warn('background export done but no SMTP server is configured (SLUICE_SMTP_URL)', { runId: input.runId });
        return;
      }
      const run = await store.runs.get(systemScope, input.runId);
      if (!run) return;
      const { mailer, linkSigner, publicUrl } = deps.notifier;
      const what = `${run.dataset} ${run.window.from}..${run.window.to}`;
      let subject: string;
      let text: string;
      if (run.status === 'Completed') {
        const expiresAt = Math.floor((run.expiresAt ?? new Date(Date.now() + DEFAULT_ARTIFACT_TTL * 1000)).getTime() / 1000);
        const links = (await store.runs.artifacts(run.id)).map((a) => linkSigner.url(publicUrl, { artifactId: a.id, expiresAt }));
        subject = `Your export is ready: ${what}`;
        text =
          `Your export of ${what} is ready: ${run.rows ?? 0} rows in ${links.length} file(s).\n\n${links.join('\n')}\n\n` +
          `The links work until ${new Date(expiresAt * 1000).toISOString()}. Run ${run.id}.`;
      } else {
        subject = `Your export failed: ${what}`;
        text = `Your export of ${what} did not complete: ${run.error?.message ?? run.status}.\n\nRun ${run.id}.`;
      }
      await mailer.send({ to: input.email, subject, text, messageId: `<notify-${run.id}@sluice>` });
      await store.audit.append(systemScope, { action: 'run.notified', resourceType: 'run', resourceId: run.id, tenantId: run.tenantId, details: { email: input.email, status: run.status } });
    },

    /** The window a schedule's firing at `nominalTime` covers, and when its run may start. */
    async planScheduledRun(input: { exportId: string; nominalTime: string }): Promise<ScheduledPlan> {
      const definition = await store.exports.get(systemScope, input.exportId);
      if (!definition) return { window: null, readyAt: null, skip: `export ${input.exportId} was deleted` };
      if (!definition.schedule) return { window: null, readyAt: null, skip: `export ${input.exportId} has no schedule` };
      const window = windowFor(definition.schedule, new Date(input.nominalTime));
      return { window, readyAt: readyAt(definition.schedule, window).toISOString(), skip: null };
    },

    /**
     * Creates the run for a scheduled window unless the window already has one in flight or delivered. A
     * failed or cancelled window may run again. The run id derives from the export, the window and the
     * attempt, so two firings racing for one window collide on the primary key and only one runs.
     */
    async startScheduledRun(input: { exportId: string; window: { from: string; to: string } }): Promise<ScheduledRunStart> {
      const definition = await store.exports.get(systemScope, input.exportId);
      if (!definition?.schedule) return { run: null, workflowId: null, skip: `export ${input.exportId} was deleted or unscheduled` };
      const earlier = await store.runs.forExportWindow(definition.id, input.window);
      const live = earlier.find((r) => ['Pending', 'Processing', 'Completed', 'Expired'].includes(r.status));
      if (live) return { run: null, workflowId: null, skip: `window ${input.window.from}..${input.window.to} already has run ${live.id} (${live.status})` };
      const id = `run_${createHash('sha256').update(`${definition.id}|${input.window.from}|${input.window.to}|${earlier.length}`).digest('hex').slice(0, 20)}`;
      let run: Run;
      try {
        run = await createExportRun(
          definition,
          { id, window: input.window, settings: { ...definition.spec, timeZone: definition.schedule.timezone }, requestedBy: `schedule:${definition.id}` },
          { timeZone: definition.schedule.timezone, mode: 'schedule' },
        );
      } catch (err) {
        if (await store.runs.get(systemScope, id)) return { run: null, workflowId: null, skip: `window ${input.window.from}..${input.window.to} was started by another firing (run ${id})` };
        throw err;
      }
      return { run: await runInputFor(run, deps.artifactTtlSeconds ?? DEFAULT_ARTIFACT_TTL), workflowId: run.workflowId, skip: null };
    },

    /** Deletes a run's delivered files where the destination supports it and marks the run Expired. */
    async expireRun({ runId }: { runId: string }): Promise<void> {
      const ctx = connectorContext(log);
      for (const artifact of await store.runs.artifacts(runId, ['data', 'manifest', 'marker'])) {
        const found = await store.destinations.getForDelivery(artifact.destinationId);
        if (!found) continue;
        const { destination } = found;
        const { connector, config } = await destinations.bind(found);
        if (!config || !connector.remove) continue;
        try {
          await connector.remove(config, { objectKey: artifact.objectKey, tenantId: destination.tenantId }, ctx);
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
