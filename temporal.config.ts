/**
 * Everything Sluice tells Temporal: where the server is, which task queue carries exports, the search
 * attributes operators filter runs by in the Temporal UI, and the named activity option profiles.
 * Pure constants, so workflow code may import them; the TEMPORAL_* environment is parsed in settings.ts.
 */
export const TASK_QUEUE = 'sluice-exports';

/** Search attributes registered on start; names are what operators type in the Temporal UI's query box. */
export const SEARCH_ATTRIBUTES = {
  tenant: { name: 'SluiceTenantId', type: 'KEYWORD' },
  dataset: { name: 'SluiceDataset', type: 'KEYWORD' },
  run: { name: 'SluiceRunId', type: 'KEYWORD' },
  destinationTypes: { name: 'SluiceDestinationTypes', type: 'KEYWORD_LIST' },
} as const;

/** Value of the tenant search attribute for admin runs that span every tenant. */
export const ALL_TENANTS = 'all';

type Millis = string;
export interface ActivityProfile {
  startToCloseTimeout: Millis;
  heartbeatTimeout?: Millis;
  retry: { initialInterval: Millis; backoffCoefficient: number; maximumInterval: Millis; maximumAttempts: number };
}

/**
 * Named activity option profiles. `bookkeeping` is short metadata work; `dataMovement` is DuckDB and
 * destination I/O that heartbeats, so a dead worker is noticed within the heartbeat timeout and the attempt
 * moves to another worker.
 */
export const ACTIVITY_PROFILES = {
  bookkeeping: {
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
  },
  dataMovement: {
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '20 seconds',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 8 },
  },
} as const satisfies Record<string, ActivityProfile>;

/** Heartbeat interval the activities use: a third of the shortest heartbeat timeout. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
