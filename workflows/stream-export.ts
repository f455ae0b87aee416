/**
 * streamExport (seed 003): a continuous export. Every interval it asks for the rows ingested since the
 * watermark (up to now minus a settle delay) and delivers them as one exportRun child; the watermark moves
 * only when that run completed, so every ingested row is delivered at least once, across worker crashes
 * and Temporal restarts. A late event (old event time, new ingestion time) lands in a later batch with its
 * original event time. A failed batch is retried at the next interval with a fresh run over the same start.
 */
import { condition, continueAsNew, executeChild, setHandler, uuid4 } from '@temporalio/workflow';
import { proxyActivities } from '@temporalio/workflow';
import type { ExportActivities } from '../activities/index.js';
import { ACTIVITY_PROFILES } from '../temporal.config.js';
import { type StreamExportInput, type StreamState, deliverNowSignal, streamStateQuery } from './definitions.js';
import { describeFailure, exportRun } from './export-run.js';
import { runSearchAttributes } from './search-attributes.js';

const { prepareStreamBatch } = proxyActivities<ExportActivities>(ACTIVITY_PROFILES.bookkeeping);

/** Batches per workflow history before it continues as new, keeping the history small. */
const BATCHES_PER_HISTORY = 200;

export async function streamExport(input: StreamExportInput): Promise<void> {
  const state: StreamState = { watermark: input.watermark, batches: 0, lastRunId: null, lastError: null };
  let deliverNow = false;
  setHandler(streamStateQuery, () => state);
  setHandler(deliverNowSignal, () => {
    deliverNow = true;
  });

  for (let i = 0; i < BATCHES_PER_HISTORY; i++) {
    await condition(() => deliverNow, input.intervalSeconds * 1000);
    deliverNow = false;
    // The run id is fixed before the activity runs, so a retried attempt finds the run it created.
    const runId = `run_${uuid4().replaceAll('-', '').slice(0, 20)}`;
    const batch = await prepareStreamBatch({ exportId: input.exportId, runId, after: state.watermark, settleSeconds: input.settleSeconds });
    if (!batch.run || !batch.workflowId) {
      state.watermark = batch.upTo;
      continue;
    }
    state.lastRunId = batch.run.runId;
    try {
      const run = batch.run;
      await executeChild(exportRun, {
        workflowId: batch.workflowId,
        args: [run],
        typedSearchAttributes: runSearchAttributes({ runId: run.runId, tenantId: run.tenantId, dataset: run.dataset, destinationTypes: run.destinations.map((d) => d.type) }),
      });
      state.watermark = batch.upTo;
      state.batches++;
      state.lastError = null;
    } catch (err) {
      // Keep the watermark: the next batch starts at the same place and includes these rows again.
      state.lastError = describeFailure(err);
    }
  }
  await continueAsNew<typeof streamExport>({ ...input, watermark: state.watermark });
}
