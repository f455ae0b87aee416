/**
 * exportRun: one export of one window. Materialize the window once with DuckDB into a staged file, deliver
 * that file to every destination under its delivery key, reconcile rows read against rows delivered, and
 * record the outcome. Only file references and counts pass through here, never rows.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  ParentClosePolicy,
  TimeoutFailure,
  isCancellation,
  proxyActivities,
  setHandler,
  startChild,
} from '@temporalio/workflow';
import { expireArtifacts } from './expire-artifacts.js';
import type { ExportActivities } from '../activities/index.js';
import { ACTIVITY_PROFILES } from '../temporal.config.js';
import {
  type DeliveryOutcome,
  type DestinationRef,
  type ExportRunInput,
  type ExportRunResult,
  type RunErrorInfo,
  type RunIdentity,
  type RunProgress,
  type StagedFileRef,
  progressQuery,
} from './definitions.js';
import { FAILURE_TYPE } from './failures.js';

const bookkeeping = proxyActivities<ExportActivities>(ACTIVITY_PROFILES.bookkeeping);
const dataMovement = proxyActivities<ExportActivities>(ACTIVITY_PROFILES.dataMovement);

/** How often a delivery may ask for the staged file to be made again before the run gives up. */
const MAX_RESTAGES = 2;
/** Deliveries (partition x destination) in flight at once. */
const MAX_PARALLEL_DELIVERIES = 8;

export async function exportRun(input: ExportRunInput): Promise<ExportRunResult> {
  const progress: RunProgress = { stage: 'pending', partitions: 0, rows: 0, deliveries: [] };
  setHandler(progressQuery, () => progress);

  try {
    await bookkeeping.beginRun({ runId: input.runId });
    progress.stage = 'materializing';
    const materialize = (partitionKeys?: string[]) =>
      dataMovement.materializeExport({
        runId: input.runId,
        tenantId: input.tenantId,
        dataset: input.dataset,
        spec: input.spec,
        window: input.window,
        ...(partitionKeys ? { partitionKeys } : {}),
      });
    const staged = await materialize();
    progress.partitions = staged.files.length;
    progress.rows = staged.rows;
    progress.deliveries = staged.files.flatMap((f) =>
      input.destinations.map((d) => ({ destinationId: d.id, partitionKey: f.partitionKey, state: 'pending' as const })),
    );

    progress.stage = 'delivering';
    const files = new Map(staged.files.map((f) => [f.partitionKey, f]));
    const identity: RunIdentity = {
      runId: input.runId,
      exportId: input.exportId,
      tenantId: input.tenantId,
      dataset: input.dataset,
      spec: input.spec,
      window: input.window,
      requestedAt: input.requestedAt,
    };
    const deliverUnit = async (partitionKey: string, destination: DestinationRef): Promise<DeliveryOutcome> => {
      for (let restage = 0; ; restage++) {
        try {
          const outcome = await dataMovement.deliverPartition({
            ...identity,
            destinationId: destination.id,
            file: files.get(partitionKey)!,
          });
          markDelivery(progress, destination.id, partitionKey, 'delivered');
          return outcome;
        } catch (err) {
          if (restage < MAX_RESTAGES && failureType(err) === FAILURE_TYPE.StagedFileMissing) {
            const again = await materialize([partitionKey]);
            for (const f of again.files) files.set(f.partitionKey, f);
            continue;
          }
          markDelivery(progress, destination.id, partitionKey, 'failed');
          throw err;
        }
      }
    };
    const units = staged.files.flatMap((f) => input.destinations.map((d) => () => deliverUnit(f.partitionKey, d)));
    const settled = await settleWithConcurrency(units, MAX_PARALLEL_DELIVERIES);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const outcomes = settled.map((s) => (s as PromiseFulfilledResult<DeliveryOutcome>).value);
    reconcile(files, outcomes);
    // Manifest, then completion marker, per destination: consumers wait for the marker.
    await Promise.all(
      input.destinations.map((d) =>
        dataMovement.publishManifest({
          ...identity,
          destinationId: d.id,
          files: staged.files.map((f) => ({ file: files.get(f.partitionKey)!, objectKey: outcomes.find((o) => o.destinationId === d.id && o.partitionKey === f.partitionKey)!.objectKey })),
        }),
      ),
    );

    progress.stage = 'finishing';
    const bytes = staged.files.reduce((sum, f) => sum + f.bytes, 0);
    const result = { rows: staged.rows, bytes, files: staged.files.length };
    const expires = input.artifactTtlSeconds > 0;
    await bookkeeping.finishRun({
      runId: input.runId,
      status: 'Completed',
      ...result,
      error: null,
      ...(expires ? { expiresInSeconds: input.artifactTtlSeconds } : {}),
    });
    await bookkeeping.removeStagedFiles({ runId: input.runId });
    // The expiry timer outlives this workflow, so the run's history closes now and the files go later.
    // A ttl of 0 keeps the files (stream batches: the feed belongs to its consumer).
    if (expires) {
      await startChild(expireArtifacts, {
        workflowId: `sluice-expire-${input.runId}`,
        args: [{ runId: input.runId, ttlSeconds: input.artifactTtlSeconds }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    }
    await notify(input);
    progress.stage = 'done';
    return { runId: input.runId, status: 'Completed', ...result, error: null };
  } catch (err) {
    progress.stage = 'finishing';
    if (isCancellation(err)) {
      // Cancelled on request: record it and clean up even though this scope is cancelled.
      await CancellationScope.nonCancellable(async () => {
        await bookkeeping.finishRun({
          runId: input.runId,
          status: 'Cancelled',
          rows: null,
          bytes: null,
          files: null,
          error: { type: FAILURE_TYPE.Cancelled, message: 'cancelled on request; its staged files were removed' },
        });
        await bookkeeping.removeStagedFiles({ runId: input.runId });
      });
      progress.stage = 'done';
      throw err;
    }
    const error = describeFailure(err);
    await bookkeeping.finishRun({ runId: input.runId, status: 'Failed', rows: null, bytes: null, files: null, error });
    await bookkeeping.removeStagedFiles({ runId: input.runId });
    await notify(input);
    progress.stage = 'done';
    // Fail the workflow too, so operators see the reason in the Temporal UI; it is never retried.
    throw ApplicationFailure.nonRetryable(error.message, error.type);
  }
}

/** Tells the requester of a background export that it is done; a mail that cannot be sent does not fail the run. */
async function notify(input: ExportRunInput): Promise<void> {
  if (!input.notifyEmail) return;
  try {
    await bookkeeping.notifyRequester({ runId: input.runId, email: input.notifyEmail });
  } catch {
    // The run's own outcome stands; the activity's failure is in the history for operators.
  }
}

/** Runs `tasks` with at most `limit` in flight, in order; deterministic, so safe in workflow code. */
async function settleWithConcurrency<T>(tasks: (() => Promise<T>)[], limit: number): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array<PromiseSettledResult<T>>(tasks.length);
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await tasks[i]!() };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
  return results;
}

function markDelivery(progress: RunProgress, destinationId: string, partitionKey: string, state: 'delivered' | 'failed'): void {
  for (const d of progress.deliveries) if (d.destinationId === destinationId && d.partitionKey === partitionKey) d.state = state;
}

/** Rows read must equal rows written at every destination, byte for byte the same file. */
function reconcile(files: Map<string, StagedFileRef>, outcomes: DeliveryOutcome[]): void {
  for (const o of outcomes) {
    const file = files.get(o.partitionKey)!;
    if (o.rows !== file.rows || o.sha256 !== file.sha256) {
      throw ApplicationFailure.nonRetryable(
        `reconciliation failed for partition '${o.partitionKey}' at destination ${o.destinationId}: ` +
          `read ${file.rows} rows (sha256 ${file.sha256.slice(0, 12)}), destination holds ${o.rows} rows (sha256 ${o.sha256.slice(0, 12)})`,
        FAILURE_TYPE.ReconciliationMismatch,
      );
    }
  }
}

function failureType(err: unknown): string | undefined {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause.type ?? undefined;
  if (err instanceof ApplicationFailure) return err.type ?? undefined;
  return undefined;
}

/** The error a person reads on the run: the innermost application failure's type and message. */
export function describeFailure(err: unknown): RunErrorInfo {
  if (err instanceof ChildWorkflowFailure) return describeFailure(err.cause);
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) return { type: cause.type ?? FAILURE_TYPE.Internal, message: cause.message };
    if (cause instanceof TimeoutFailure) {
      return { type: FAILURE_TYPE.Timeout, message: `${err.activityType} timed out (${cause.timeoutType}); the worker may have stopped. Retry the run.` };
    }
    return { type: FAILURE_TYPE.Internal, message: cause?.message ?? err.message };
  }
  if (err instanceof ApplicationFailure) return { type: err.type ?? FAILURE_TYPE.Internal, message: err.message };
  return { type: FAILURE_TYPE.Internal, message: err instanceof Error ? err.message : String(err) };
}
