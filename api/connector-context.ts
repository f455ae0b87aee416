/** A connector context for work the API does itself (destination checks, presigning): no heartbeats, no resume. */
import type { ConnectorContext } from '../connectors/types.js';
import type { Logger } from '../platform/logger.js';

export function connectorContext(log: Logger, timeoutMs = 30_000): ConnectorContext {
  return {
    heartbeat: () => undefined,
    lastProgress: undefined,
    signal: AbortSignal.timeout(timeoutMs),
    cancelRequested: () => false,
    log,
  };
}
