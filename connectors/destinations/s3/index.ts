/**
 * S3 destination (AWS and S3-compatible stores). Files up to one part go up with one PutObject; larger ones
 * with a multipart upload read part by part from the staged file, never whole into memory. The upload id
 * rides in the activity heartbeat with the parts done, so a retried attempt (another worker, after a crash)
 * lists the parts the server holds, keeps those whose size and MD5 match, and uploads only the rest. An
 * object is visible only once complete (S3 semantics); keys are deterministic, and an object that already
 * holds the same bytes (its sha256 metadata) is left alone, so re-delivery writes nothing new.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ConnectorContext, DeliveryReceipt, DestinationConnector, DestinationDeps, StagedFile } from '../../types.js';
import { ConnectorError } from '../../errors.js';
import { type S3Config, S3_SECRET_FIELDS, s3ConfigSchema } from './config.js';
import { toS3Error } from './errors.js';

// Sluice runs on Node 20 by design; the SDK's notice about future releases needing Node 22 is not for operators.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
const MIN_PART_SIZE = 5 * 1024 * 1024;
/** S3 allows 10,000 parts; the part size grows for files beyond parts x size. */
const MAX_PARTS = 10_000;
const PARALLEL_PARTS = 4;

/** What a delivery attempt leaves in its heartbeat so the next attempt can resume the upload. */
interface UploadProgress {
  key: string;
  uploadId: string;
  partSize: number;
  sha256: string;
  parts: { PartNumber: number; ETag: string }[];
}

const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv',
  json: 'application/json',
  jsonl: 'application/x-ndjson',
  parquet: 'application/vnd.apache.parquet',
};

export function s3Key(config: S3Config, objectKey: string): string {
  return `${config.prefix}${objectKey}`;
}

function client(config: S3Config): S3Client {
  return new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    // The SDK retries throttling and 5xx itself (standard mode, 3 attempts); Temporal retries beyond that.
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
  });
}

async function readPart(path: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    if (bytesRead !== length) throw new ConnectorError('transient', `read ${bytesRead} of ${length} bytes from ${path} at ${offset}`);
    return buffer;
  } finally {
    await handle.close();
  }
}

const md5Hex = (b: Buffer) => createHash('md5').update(b).digest('hex');
const unquote = (etag: string | undefined) => (etag ?? '').replaceAll('"', '');

function isProgress(value: unknown): value is UploadProgress {
  const p = value as UploadProgress | undefined;
  return !!p && typeof p.uploadId === 'string' && typeof p.key === 'string' && Array.isArray(p.parts) && typeof p.partSize === 'number';
}

export function createS3Destination(deps: DestinationDeps): DestinationConnector<S3Config> {
  const configuredPartSize = Math.max(MIN_PART_SIZE, deps.s3PartSizeBytes ?? DEFAULT_PART_SIZE);
  const clients = new Map<string, S3Client>();
  const clientFor = (config: S3Config) => {
    const id = JSON.stringify([config.endpoint, config.region, config.forcePathStyle, config.accessKeyId, createHash('sha256').update(config.secretAccessKey).digest('hex')]);
    let c = clients.get(id);
    if (!c) {
      c = client(config);
      clients.set(id, c);
    }
    return c;
  };

  /**
   * What the bucket holds under `key`: its size and sha256 metadata, undefined when absent, or 'unknown'
   * when these credentials may not read it (403): the upload then proceeds and says what is wrong itself.
   */
  async function existing(s3: S3Client, config: S3Config, key: string): Promise<{ sha256?: string; bytes?: number } | 'unknown' | undefined> {
    try {
      const head = await s3.send(new HeadObjectCommand({ Bucket: config.bucket, Key: key }));
      return { sha256: head.Metadata?.sha256, bytes: head.ContentLength };
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) return undefined;
      if (status === 403) return 'unknown';
      throw toS3Error(err, { bucket: config.bucket, region: config.region, key, operation: 'HeadObject' });
    }
  }

  async function putWhole(s3: S3Client, config: S3Config, key: string, file: StagedFile, metadata: Record<string, string>): Promise<void> {
    const body = await readPart(file.path, 0, file.bytes);
    await s3.send(
      new PutObjectCommand({
        Bucket: config.bucket,
        Key: key,
        Body: body,
        ContentLength: file.bytes,
        ContentType: CONTENT_TYPES[file.format],
        Metadata: metadata,
        ServerSideEncryption: config.serverSideEncryption,
        SSEKMSKeyId: config.sseKmsKeyId,
      }),
    );
  }

  /** Parts the server holds for `progress.uploadId` that match the local file; undefined when the upload is gone. */
  async function resumableParts(s3: S3Client, config: S3Config, progress: UploadProgress, file: StagedFile): Promise<Map<number, string> | undefined> {
    const held = new Map<number, string>();
    let marker: string | undefined;
    try {
      for (;;) {
        const page = await s3.send(
          new ListPartsCommand({ Bucket: config.bucket, Key: progress.key, UploadId: progress.uploadId, ...(marker ? { PartNumberMarker: marker } : {}) }),
        );
        for (const part of page.Parts ?? []) {
          const offset = (part.PartNumber! - 1) * progress.partSize;
          const expected = Math.min(progress.partSize, file.bytes - offset);
          if (part.Size !== expected) continue;
          // Without KMS an uploaded part's ETag is its MD5: keep only parts whose bytes are ours.
          if (config.serverSideEncryption !== 'aws:kms' && unquote(part.ETag) !== md5Hex(await readPart(file.path, offset, expected))) continue;
          held.set(part.PartNumber!, part.ETag!);
        }
        if (!page.IsTruncated) break;
        marker = page.NextPartNumberMarker;
      }
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchUpload') return undefined;
      throw toS3Error(err, { bucket: config.bucket, region: config.region, key: progress.key, operation: 'ListParts' });
    }
    return held;
  }

  /** Aborts unfinished uploads to `key` left by attempts whose progress was lost: the next one starts clean. */
  async function abortStale(s3: S3Client, config: S3Config, key: string, keep?: string): Promise<void> {
    const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: config.bucket, Prefix: key }));
    for (const upload of page.Uploads ?? []) {
      if (upload.Key !== key || upload.UploadId === keep) continue;
      await s3.send(new AbortMultipartUploadCommand({ Bucket: config.bucket, Key: key, UploadId: upload.UploadId })).catch(() => undefined);
    }
  }

  async function putMultipart(s3: S3Client, config: S3Config, key: string, file: StagedFile, metadata: Record<string, string>, ctx: ConnectorContext): Promise<void> {
    const where = { bucket: config.bucket, region: config.region, key };
    const partSize = Math.max(configuredPartSize, Math.ceil(file.bytes / MAX_PARTS));
    let progress: UploadProgress | undefined;
    let done = new Map<number, string>();

    const previous = ctx.lastProgress;
    if (isProgress(previous) && previous.key === key && previous.sha256 === file.sha256) {
      const held = await resumableParts(s3, config, previous, file);
      if (held) {
        progress = previous;
        done = held;
        ctx.log.info('resuming multipart upload', { key, uploadId: previous.uploadId, partsHeld: held.size, parts: Math.ceil(file.bytes / previous.partSize) });
      }
    }
    if (!progress) {
      await abortStale(s3, config, key).catch((err: unknown) => {
        throw toS3Error(err, { ...where, operation: 'ListMultipartUploads' });
      });
      const created = await s3
        .send(
          new CreateMultipartUploadCommand({
            Bucket: config.bucket,
            Key: key,
            ContentType: CONTENT_TYPES[file.format],
            Metadata: metadata,
            ServerSideEncryption: config.serverSideEncryption,
            SSEKMSKeyId: config.sseKmsKeyId,
          }),
        )
        .catch((err: unknown) => {
          throw toS3Error(err, { ...where, operation: 'CreateMultipartUpload' });
        });
      progress = { key, uploadId: created.UploadId!, partSize, sha256: file.sha256, parts: [] };
    }
    const upload = progress;
    const beat = () => {
      upload.parts = [...done].map(([PartNumber, ETag]) => ({ PartNumber, ETag })).sort((a, b) => a.PartNumber - b.PartNumber);
      ctx.heartbeat(upload);
    };
    beat();

    const total = Math.ceil(file.bytes / upload.partSize);
    const pending = Array.from({ length: total }, (_, i) => i + 1).filter((n) => !done.has(n));
    try {
      let next = 0;
      let failed = false;
      const lane = async () => {
        while (next < pending.length && !failed) {
          if (ctx.signal.aborted) throw new ConnectorError('transient', 'delivery attempt stopped');
          const partNumber = pending[next++]!;
          const offset = (partNumber - 1) * upload.partSize;
          const body = await readPart(file.path, offset, Math.min(upload.partSize, file.bytes - offset));
          const answer = await s3
            .send(new UploadPartCommand({ Bucket: config.bucket, Key: key, UploadId: upload.uploadId, PartNumber: partNumber, Body: body, ContentLength: body.length }), {
              abortSignal: ctx.signal,
            })
            .catch((err: unknown) => {
              throw toS3Error(err, { ...where, operation: `UploadPart ${partNumber}/${total}` });
            });
          done.set(partNumber, answer.ETag!);
          beat();
        }
      };
      // Let every lane finish its part before failing, so the heartbeat lists every part the server holds.
      const lanes = await Promise.allSettled(
        Array.from({ length: Math.min(PARALLEL_PARTS, pending.length) }, () =>
          lane().catch((err: unknown) => {
            failed = true;
            throw err;
          }),
        ),
      );
      const laneFailure = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
      if (laneFailure) throw laneFailure.reason;
      await s3
        .send(
          new CompleteMultipartUploadCommand({
            Bucket: config.bucket,
            Key: key,
            UploadId: upload.uploadId,
            MultipartUpload: { Parts: upload.parts.map((p): CompletedPart => ({ PartNumber: p.PartNumber, ETag: p.ETag })) },
          }),
        )
        .catch((err: unknown) => {
          throw toS3Error(err, { ...where, operation: 'CompleteMultipartUpload' });
        });
    } catch (err) {
      const failure = toS3Error(err, { ...where, operation: 'multipart upload' });
      // Keep the upload for the next attempt unless nothing will resume it.
      if (!failure.retryable || ctx.cancelRequested()) {
        await s3.send(new AbortMultipartUploadCommand({ Bucket: config.bucket, Key: key, UploadId: upload.uploadId })).catch(() => undefined);
      }
      throw failure;
    }
  }

  return {
    type: 's3',
    configSchema: s3ConfigSchema,
    secretFields: S3_SECRET_FIELDS,
    capabilities: { formats: ['csv', 'json', 'jsonl', 'parquet'], loads: 'files', maxFileBytes: 5 * 1024 ** 4, manifests: true },

    async check(config) {
      const s3 = clientFor(config);
      const probeKey = `${config.prefix}.sluice-check-${Date.now().toString(36)}`;
      const where = { bucket: config.bucket, region: config.region, key: probeKey };
      try {
        await s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: probeKey, Body: 'sluice write check', ServerSideEncryption: config.serverSideEncryption, SSEKMSKeyId: config.sseKmsKeyId }));
      } catch (err) {
        return { ok: false, message: `cannot write: ${toS3Error(err, { ...where, operation: 'PutObject' }).message}` };
      }
      try {
        await s3.send(new HeadObjectCommand({ Bucket: config.bucket, Key: probeKey }));
      } catch (err) {
        return { ok: false, message: `can write but not read back (re-delivery checks need s3:GetObject): ${toS3Error(err, { ...where, operation: 'HeadObject' }).message}` };
      }
      try {
        await s3.send(new DeleteObjectCommand({ Bucket: config.bucket, Key: probeKey }));
      } catch (err) {
        return { ok: false, message: `can write but not delete (expired files would stay; grant s3:DeleteObject): ${toS3Error(err, { ...where, operation: 'DeleteObject' }).message}` };
      }
      return { ok: true, message: `credentials can write, read and delete under s3://${config.bucket}/${config.prefix}` };
    },

    async deliver(config, request, ctx): Promise<DeliveryReceipt> {
      const s3 = clientFor(config);
      const key = s3Key(config, request.objectKey);
      const { file } = request;
      const receipt = { location: `s3://${config.bucket}/${key}`, objectKey: request.objectKey, rows: file.rows, bytes: file.bytes, sha256: file.sha256 };
      const found = await existing(s3, config, key);
      if (found !== 'unknown' && found?.sha256 === file.sha256 && found.bytes === file.bytes) {
        ctx.log.info('already delivered; keeping the existing object', { key });
        return { ...receipt, alreadyDelivered: true };
      }
      const metadata = { sha256: file.sha256, rows: String(file.rows), 'delivery-key': request.deliveryKey };
      if (file.bytes <= configuredPartSize) {
        await putWhole(s3, config, key, file, metadata).catch((err: unknown) => {
          throw toS3Error(err, { bucket: config.bucket, region: config.region, key, operation: 'PutObject' });
        });
      } else {
        await putMultipart(s3, config, key, file, metadata, ctx);
      }
      // Read back what S3 holds (when these credentials may read): the receipt reports the stored object.
      const written = await existing(s3, config, key);
      if (written !== 'unknown' && (written?.bytes !== file.bytes || written.sha256 !== file.sha256)) {
        throw new ConnectorError('transient', `s3://${config.bucket}/${key} holds ${written?.bytes ?? 0} bytes after upload, expected ${file.bytes}`);
      }
      return { ...receipt, alreadyDelivered: false };
    },

    async remove(config, target) {
      const key = s3Key(config, target.objectKey);
      await clientFor(config)
        .send(new DeleteObjectCommand({ Bucket: config.bucket, Key: key }))
        .catch((err: unknown) => {
          throw toS3Error(err, { bucket: config.bucket, region: config.region, key, operation: 'DeleteObject' });
        });
    },

    async presign(config, target, expiresInSeconds) {
      const command = new GetObjectCommand({
        Bucket: config.bucket,
        Key: s3Key(config, target.objectKey),
        ResponseContentDisposition: `attachment; filename="${target.fileName.replaceAll('"', '')}"`,
      });
      return getSignedUrl(clientFor(config), command, { expiresIn: expiresInSeconds });
    },
  };
}
