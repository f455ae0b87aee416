import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { LogLevel } from './logger.js';

const SDK_LEVEL = { debug: 'DEBUG', info: 'WARN', warn: 'WARN', error: 'ERROR' } as const;

/**
 * Installs the Temporal worker runtime before any worker connection exists: the SDK's chatter only at
 * warnings unless debugging, and no signal handlers of its own, so the entry point drains the worker and
 * then stops the servers in order on Ctrl-C.
 */
let installed = false;

export function installWorkerRuntime(level: LogLevel): void {
  if (installed) return;
  installed = true;
  Runtime.install({ logger: new DefaultLogger(SDK_LEVEL[level]), shutdownSignals: [] });
}
