/** Adapts Temporal's activity context into the connector context, so connectors never import Temporal. */
import { Context } from '@temporalio/activity';
import type { ConnectorContext } from '../connectors/types.js';
import type { Logger } from '../platform/logger.js';
import { HEARTBEAT_INTERVAL_MS } from '../temporal.config.js';

export function connectorContext(log: Logger): ConnectorContext {
  const ctx = Context.current();
  return {
    heartbeat: (progress?: unknown) => ctx.heartbeat(progress),
    lastProgress: ctx.info.heartbeatDetails as unknown,
    signal: ctx.cancellationSignal,
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
