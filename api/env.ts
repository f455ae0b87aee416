import type { ApiKey } from '../store/api-keys.js';
import type { Scope } from '../store/scope.js';
import type { Store } from '../store/index.js';
import type { Logger } from '../platform/logger.js';
import type { RunLauncher } from './run-launcher.js';
import type { LinkSigner } from '../platform/signed-links.js';
import type { EventStore } from '../connectors/sources/event-store/index.js';
import type { DestinationRegistry } from '../connectors/registry.js';

/** What the API needs from the rest of the platform. */
export interface ApiDeps {
  store: Store;
  launcher: RunLauncher;
  retentionMonths: number;
  log: Logger;
  /** The event store, when this process owns it (npm start): serves the events API and ingestion. */
  eventStore?: EventStore;
  /** Exports estimated under this many rows are answered at once with delivery 'auto' (seed 000). */
  immediateMaxRows?: number;
  gzipLevel?: number;
  /** Largest ingestion body, after gzip decoding (bytes). */
  ingestMaxBytes?: number;
  /** Signs and checks download links; without it the download routes answer 500. */
  linkSigner?: LinkSigner;
  /** How long a download link works (seconds; 900 by default). */
  linkTtlSeconds?: number;
  /** Connectors, for destination checks and presigned S3 download links. */
  destinations?: DestinationRegistry;
  /** Root of files Sluice serves itself: linked files (e-mail over its attachment limit) live under it. */
  filesRoot?: string;
  /** Whether workers can e-mail requesters of background exports (SLUICE_SMTP_URL is set). */
  backgroundMail?: boolean;
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
