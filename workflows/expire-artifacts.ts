/**
 * expireArtifacts: a durable timer per completed run. When the run's files reach their expiry (7 days by
 * default, seed 004) they are deleted and the run shows Expired; its download links stop working.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { ExportActivities } from '../activities/index.js';
import { ACTIVITY_PROFILES } from '../temporal.config.js';
import type { ExpireArtifactsInput } from './definitions.js';

const { expireRun } = proxyActivities<ExportActivities>(ACTIVITY_PROFILES.bookkeeping);

export async function expireArtifacts(input: ExpireArtifactsInput): Promise<void> {
  await sleep(input.ttlSeconds * 1000);
  await expireRun({ runId: input.runId });
}
