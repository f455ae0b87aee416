import type { ApiKey } from '../store/api-keys.js';
import type { Scope } from '../store/scope.js';
import type { Store } from '../store/index.js';
import type { Logger } from '../platform/logger.js';
import type { RunLauncher } from './run-launcher.js';

/** What the API needs from the rest of the platform. */
export interface ApiDeps {
  store: Store;
  launcher: RunLauncher;
  retentionMonths: number;
  log: Logger;
  /** Clock, injectable for tests of date rules. */
  now?: () => Date;
}

/** Hono context variables set by the auth middleware. */
export interface ApiEnv {
  Variables: {
    apiKey: ApiKey;
    scope: Scope;
  };
}
