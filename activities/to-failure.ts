/** Maps connector errors to Temporal failures: permanent ones fail fast, the rest retry with backoff. */
import { ApplicationFailure } from '@temporalio/common';
import { ConnectorError } from '../connectors/errors.js';
import { FAILURE_TYPE } from '../workflows/failures.js';

export function toFailure(err: unknown, where: string): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (!(err instanceof ConnectorError)) return err;
  const message = `${where}: ${err.message}`;
  switch (err.kind) {
    case 'config':
      return ApplicationFailure.create({ message, type: FAILURE_TYPE.DestinationConfig, nonRetryable: true, cause: err });
    case 'permanent':
      return ApplicationFailure.create({ message, type: FAILURE_TYPE.DestinationRejected, nonRetryable: true, cause: err });
    case 'rate_limited':
      return ApplicationFailure.create({ message, type: FAILURE_TYPE.DestinationThrottled, nonRetryable: false, cause: err });
    case 'transient':
      return ApplicationFailure.create({ message, type: FAILURE_TYPE.DestinationUnavailable, nonRetryable: false, cause: err });
  }
}
