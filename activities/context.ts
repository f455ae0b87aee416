/** Adapts Temporal's activity context into the connector context, so connectors never import Temporal. */
import { Context } from '@temporalio/activity';
import type { ConnectorContext } from '../connectors/types.js';
import type { Logger } from '../platform/logger.js';
import { HEARTBEAT_INTERVAL_MS } from '../temporal.config.js';

export function connectorContext(log: Logger): ConnectorContext & { latestProgress(): unknown } {
  const ctx = Context.current();
  // The timer in withHeartbeats re-sends the connector's latest progress, so it never overwrites it.
  let latest = ctx.info.heartbeatDetails as unknown;
  return {
    heartbeat: (progress?: unknown) => {
      latest = progress;
      ctx.heartbeat(progress);
    },
    latestProgress: () => latest,
    lastProgress: ctx.info.heartbeatDetails as unknown,
    signal: ctx.cancellationSignal,
    cancelRequested: () => ctx.cancellationDetails?.cancelRequested === true,
    log: log.child({
      activity: ctx.info.activityType,
      workflowId: ctx.info.workflowExecution?.workflowId,
      attempt: ctx.info.attempt,
    }),
  };
}

/**
 * Heartbeats on a timer while `work` runs, so a long DuckDB COPY or upload keeps its lease and still
 * receives cancellation. `progress` supplies resumable details for each beat.
 */
export async function withHeartbeats<T>(work: () => Promise<T>, progress?: () => unknown): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat(progress?.());
  const timer = setInterval(() => ctx.heartbeat(progress?.()), HEARTBEAT_INTERVAL_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
