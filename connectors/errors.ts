/**
 * Connector errors carry a classification the activities turn into retry decisions, and two messages:
 * `message` for a person (what is wrong, what to change) and the original error kept as `cause`.
 */
export const ERROR_KIND = {
  /** Wrong configuration or credentials: retrying cannot help. */
  config: 'config',
  /** The destination refused this data for good (schema, size, permission on the object). */
  permanent: 'permanent',
  /** Worth retrying with backoff: timeouts, resets, 5xx, a full disk that may clear. */
  transient: 'transient',
  /** Throttled: retry, later. */
  rateLimited: 'rate_limited',
} as const;
export type ErrorKind = (typeof ERROR_KIND)[keyof typeof ERROR_KIND];

export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options: { cause?: unknown; code?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = options.code;
  }
  readonly code: string | undefined;

  get retryable(): boolean {
    return this.kind === 'transient' || this.kind === 'rate_limited';
  }
}
