/**
 * S3 error table: what each answer means for a delivery. Credentials, permissions and a missing bucket are
 * configuration problems (fail fast, once, with what to change); throttling, 5xx, timeouts and dropped
 * connections are retried with backoff.
 */
import { ConnectorError, type ErrorKind } from '../../errors.js';

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

const TABLE: Record<string, { kind: ErrorKind; message: (where: S3Where) => string }> = {
  InvalidAccessKeyId: { kind: 'config', message: () => 'the access key id is not known to the S3 service; check accessKeyId' },
  SignatureDoesNotMatch: { kind: 'config', message: () => 'the secret access key does not match the access key id; check secretAccessKey' },
  InvalidClientTokenId: { kind: 'config', message: () => 'the access key id is not known to the S3 service; check accessKeyId' },
  ExpiredToken: { kind: 'config', message: () => 'the credentials have expired; issue new keys' },
  InvalidToken: { kind: 'config', message: () => 'the credentials are malformed; issue new keys' },
  AccessDenied: {
    kind: 'config',
    message: (w) => `access denied to s3://${w.bucket}/${w.key ?? ''}: grant these credentials s3:PutObject, s3:GetObject, s3:ListBucket and s3:AbortMultipartUpload on the bucket and prefix`,
  },
  AllAccessDisabled: { kind: 'config', message: (w) => `all access to bucket '${w.bucket}' is disabled` },
  AccountProblem: { kind: 'config', message: () => 'the AWS account has a problem that prevents uploads; contact AWS support' },
  NoSuchBucket: { kind: 'config', message: (w) => `bucket '${w.bucket}' does not exist (region ${w.region}); create it or fix bucket` },
  PermanentRedirect: { kind: 'config', message: (w) => `bucket '${w.bucket}' is not in region ${w.region}; set region to the bucket's region` },
  AuthorizationHeaderMalformed: { kind: 'config', message: (w) => `the S3 service rejected region ${w.region} for bucket '${w.bucket}'; set region to the bucket's region` },
  InvalidBucketName: { kind: 'config', message: (w) => `'${w.bucket}' is not a valid bucket name` },
  KMS_ACCESS_DENIED: { kind: 'config', message: () => 'the credentials may not use the KMS key; grant kms:GenerateDataKey on sseKmsKeyId' },
  EntityTooLarge: { kind: 'permanent', message: () => 'the file is larger than the S3 service accepts for one object' },
  SlowDown: { kind: 'rate_limited', message: () => 'the S3 service asked us to slow down (SlowDown)' },
  Throttling: { kind: 'rate_limited', message: () => 'the S3 service throttled the request' },
  ThrottlingException: { kind: 'rate_limited', message: () => 'the S3 service throttled the request' },
  RequestLimitExceeded: { kind: 'rate_limited', message: () => 'the S3 request rate limit was exceeded' },
  TooManyRequestsException: { kind: 'rate_limited', message: () => 'the S3 service throttled the request' },
  RequestTimeout: { kind: 'transient', message: () => 'the S3 service timed out waiting for the upload' },
  RequestTimeTooSkewed: { kind: 'transient', message: () => "the worker's clock is too far from the S3 service's; check NTP on the worker" },
  InternalError: { kind: 'transient', message: () => 'the S3 service had an internal error' },
  ServiceUnavailable: { kind: 'transient', message: () => 'the S3 service is unavailable' },
  TimeoutError: { kind: 'transient', message: () => 'the request to the S3 service timed out' },
};

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);

export interface S3Where {
  bucket: string;
  region: string;
  key?: string;
  operation: string;
}

export function toS3Error(err: unknown, where: S3Where): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? e.code ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const detail = `${where.operation} ${where.key ? `s3://${where.bucket}/${where.key}` : `bucket ${where.bucket}`}`;
  const known = TABLE[name];
  if (known) return new ConnectorError(known.kind, `${known.message(where)} (${name} on ${detail})`, { cause: err, code: name });
  if (e.code && NETWORK_CODES.has(e.code)) {
    return new ConnectorError('transient', `could not reach the S3 service: ${e.code} (${detail}); check endpoint and the network`, { cause: err, code: e.code });
  }
  // Answers without a body (HEAD) carry only the status.
  if (status === 403) return new ConnectorError('config', `access denied (403 on ${detail}): check the credentials and their permissions on the bucket`, { cause: err, code: name });
  if (status === 404 && where.operation === 'HeadBucket') return new ConnectorError('config', `bucket '${where.bucket}' does not exist (404 on ${detail})`, { cause: err, code: name });
  if (status === 429 || status === 503) return new ConnectorError('rate_limited', `the S3 service is throttling (${status} ${name} on ${detail})`, { cause: err, code: name });
  if ((status !== undefined && status >= 500) || e.$fault === 'server') {
    return new ConnectorError('transient', `the S3 service failed (${status ?? ''} ${name} on ${detail}): ${e.message ?? ''}`.trim(), { cause: err, code: name });
  }
  if (status !== undefined && status >= 400) {
    return new ConnectorError('permanent', `the S3 service refused ${detail}: ${status} ${name}: ${e.message ?? ''}`.trim(), { cause: err, code: name });
  }
  return new ConnectorError('transient', `S3 ${detail} failed: ${e.message ?? String(err)}`, { cause: err, code: name });
}
