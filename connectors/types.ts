import type { z } from 'zod';
import type { Logger } from '../platform/logger.js';
import type { FileLinks } from '../platform/file-links.js';

export const OUTPUT_FORMAT = { csv: 'csv', json: 'json', jsonl: 'jsonl', parquet: 'parquet' } as const;
export type OutputFormat = (typeof OUTPUT_FORMAT)[keyof typeof OUTPUT_FORMAT];

/**
 * What a connector gets from whoever runs it: heartbeats with resumable progress, the progress recorded by
 * an earlier attempt, cancellation, and a logger. Keeps connectors free of Temporal.
 */
export interface ConnectorContext {
  heartbeat(progress?: unknown): void;
  lastProgress: unknown;
  signal: AbortSignal;
  /** True when the run was cancelled on request (not a worker shutting down): clean up, nothing will resume. */
  cancelRequested(): boolean;
  log: Logger;
}

/** A file staged on local disk by the transform, ready to deliver. */
export interface StagedFile {
  path: string;
  format: OutputFormat;
  /** Source rows the file represents. */
  rows: number;
  bytes: number;
  sha256: string;
}

export interface DeliveryRequest {
  file: StagedFile;
  /** Relative object key / file name at the destination (deterministic for the run and partition). */
  objectKey: string;
  /** Hash of export, window, partition, destination and spec version: same key, same delivery. */
  deliveryKey: string;
  /** Tenant that owns the destination, or null for an admin's destination. */
  tenantId: string | null;
  /** What the file is, for messages that describe it (e-mail subjects and bodies). */
  about?: { dataset: string; period: { from: string; to: string }; runId: string };
}

export interface DeliveryReceipt {
  location: string;
  objectKey: string;
  rows: number;
  bytes: number;
  sha256: string;
  /** True when an earlier attempt had already delivered the same bytes under this key. */
  alreadyDelivered: boolean;
  /** Destination-specific outcome kept in the ledger (e-mail: the message id and each recipient's answer). */
  details?: Record<string, unknown>;
}

export interface CheckResult {
  ok: boolean;
  message: string;
}

export interface DestinationCapabilities {
  formats: readonly OutputFormat[];
  loads: 'files' | 'records';
  maxFileBytes: number | null;
  /** Writes a manifest and a completion marker beside each run's files (object stores, file systems). */
  manifests: boolean;
}

export interface DestinationConnector<C extends Record<string, unknown> = Record<string, unknown>> {
  readonly type: string;
  readonly configSchema: z.ZodType<C>;
  /** Config fields that are secrets: encrypted at rest, never returned or logged. */
  readonly secretFields: readonly string[];
  readonly capabilities: DestinationCapabilities;
  check(config: C, ctx: ConnectorContext): Promise<CheckResult>;
  deliver(config: C, request: DeliveryRequest, ctx: ConnectorContext): Promise<DeliveryReceipt>;
  /** Deletes a delivered object when its run expires; destinations that keep data forever omit it. */
  remove?(config: C, target: { objectKey: string; tenantId: string | null }, ctx: ConnectorContext): Promise<void>;
  /** A time-limited URL that downloads a delivered object directly from the destination (S3 presigned GET). */
  presign?(config: C, target: { objectKey: string; fileName: string }, expiresInSeconds: number): Promise<string>;
}

/** What destination factories may depend on. */
export interface DestinationDeps {
  /** Root under which the filesystem destination writes. */
  filesRoot: string;
  /** S3 multipart part size in bytes (8 MiB; S3's minimum is 5 MiB). */
  s3PartSizeBytes?: number;
  /** Publishes files behind signed links (e-mail over the attachment limit). */
  fileLinks?: FileLinks;
}
