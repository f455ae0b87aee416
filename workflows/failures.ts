/**
 * Failure type names: the `type` of every ApplicationFailure Sluice raises (most non-retryable), and a run's
 * `error.type` shows. Workflows, activities and tests import them from here only.
 */
export const FAILURE_TYPE = {
  /** The request cannot be satisfied as asked (bad window, unknown dataset): fix the request. */
  InvalidRequest: 'InvalidRequest',
  /** A destination's configuration or credentials are wrong: fix the destination. */
  DestinationConfig: 'DestinationConfig',
  /** The destination refused the data for good. */
  DestinationRejected: 'DestinationRejected',
  /** A destination was deleted after the run started. */
  DestinationNotFound: 'DestinationNotFound',
  /** The staged file an attempt needs is gone (another worker host, or cleaned): materialize again. */
  StagedFileMissing: 'StagedFileMissing',
  /** Rows read differ from rows written at a destination. */
  ReconciliationMismatch: 'ReconciliationMismatch',
  /** The source could not be read. */
  SourceUnavailable: 'SourceUnavailable',
  /** Retryable: the destination was unreachable or answered with a transient error. */
  DestinationUnavailable: 'DestinationUnavailable',
  /** Retryable: the destination throttled us. */
  DestinationThrottled: 'DestinationThrottled',
  /** An activity ran out of time or attempts. */
  Timeout: 'Timeout',
  /** The run was cancelled on request. */
  Cancelled: 'Cancelled',
  /** Anything unexpected; the message carries the detail. */
  Internal: 'Internal',
} as const;
export type FailureType = (typeof FAILURE_TYPE)[keyof typeof FAILURE_TYPE];
