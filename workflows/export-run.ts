/**
 * exportRun: one export of one window. Materialize the window once with DuckDB into a staged file, deliver
 * that file to every destination under its delivery key, reconcile rows read against rows delivered, and
 * record the outcome. Only file references and counts pass through here, never rows.
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ExportActivities } from '../activities/index.js';
import { ACTIVITY_PROFILES } from '../temporal.config.js';
import {
  type DeliveryOutcome,
  type DestinationRef,
  type ExportRunInput,
  type ExportRunResult,
  type RunErrorInfo,
  type RunProgress,
  type StagedFileRef,
  WHOLE_WINDOW_PARTITION,
  progressQuery,
} from './definitions.js';
import { FAILURE_TYPE } from './failures.js';

const bookkeeping = proxyActivities<ExportActivities>(ACTIVITY_PROFILES.bookkeeping);
const dataMovement = proxyActivities<ExportActivities>(ACTIVITY_PROFILES.dataMovement);

/** How often a delivery may ask for the staged file to be made again before the run gives up. */
const MAX_RESTAGES = 2;

export async function exportRun(input: ExportRunInput): Promise<ExportRunResult> {
  const partitionKey = WHOLE_WINDOW_PARTITION;
  const progress: RunProgress = {
    stage: 'pending',
    partitions: 1,
    deliveries: input.destinations.map((d) => ({ destinationId: d.id, partitionKey, state: 'pending' })),
  };
  setHandler(progressQuery, () => progress);

  await bookkeeping.beginRun({ runId: input.runId });
  try {
    progress.stage = 'materializing';
    const materialize = () =>
      dataMovement.materializePartition({
        runId: input.runId,
        tenantId: input.tenantId,
        dataset: input.dataset,
        format: input.format,
        window: input.window,
        partitionKey,
      });
    let file = await materialize();

    progress.stage = 'delivering';
    const deliverTo = async (destination: DestinationRef): Promise<DeliveryOutcome> => {
      for (let restage = 0; ; restage++) {
        try {
          const outcome = await dataMovement.deliverPartition({
            runId: input.runId,
            exportId: input.exportId,
            tenantId: input.tenantId,
            dataset: input.dataset,
            window: input.window,
            partitionKey,
            destinationId: destination.id,
            file,
          });
          markDelivery(progress, destination.id, 'delivered');
          return outcome;
        } catch (err) {
          if (restage < MAX_RESTAGES && failureType(err) === FAILURE_TYPE.StagedFileMissing) {
            file = await materialize();
            continue;
          }
          markDelivery(progress, destination.id, 'failed');
          throw err;
        }
      }
    };
    const settled = await Promise.allSettled(input.destinations.map(deliverTo));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const outcomes = settled.map((s) => (s as PromiseFulfilledResult<DeliveryOutcome>).value);
    reconcile(file, outcomes);

    progress.stage = 'finishing';
    const bytes = outcomes.reduce((sum, o) => sum + o.bytes, 0);
    await bookkeeping.finishRun({ runId: input.runId, status: 'Completed', rows: file.rows, bytes, files: outcomes.length, error: null });
    await bookkeeping.removeStagedFiles({ runId: input.runId });
    progress.stage = 'done';
    return { runId: input.runId, status: 'Completed', rows: file.rows, bytes, files: outcomes.length, error: null };
  } catch (err) {
    const error = describeFailure(err);
    progress.stage = 'finishing';
    await bookkeeping.finishRun({ runId: input.runId, status: 'Failed', rows: null, bytes: null, files: null, error });
    await bookkeeping.removeStagedFiles({ runId: input.runId });
    progress.stage = 'done';
    // Fail the workflow too, so operators see the reason in the Temporal UI; it is never retried.
    throw ApplicationFailure.nonRetryable(error.message, error.type);
  }
}

function markDelivery(progress: RunProgress, destinationId: string, state: 'delivered' | 'failed'): void {
  for (const d of progress.deliveries) if (d.destinationId === destinationId) d.state = state;
}

/** Rows read must equal rows written at every destination, byte for byte the same file. */
function reconcile(file: StagedFileRef, outcomes: DeliveryOutcome[]): void {
  for (const o of outcomes) {
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
