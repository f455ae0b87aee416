/**
 * The S3 connector against moto (IAM authentication on), through a fault-injecting proxy: streaming
 * multipart uploads, resume from the heartbeat, a clean restart without one, re-delivery, the error table
 * and the destination check.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createS3Destination } from '../../connectors/destinations/s3/index.js';
import { type S3Config, s3ConfigSchema } from '../../connectors/destinations/s3/config.js';
import { ConnectorError } from '../../connectors/errors.js';
import type { ConnectorContext, StagedFile } from '../../connectors/types.js';
import { silentLogger } from '../../platform/logger.js';
import { type FaultProxy, s3Operation, startFaultProxy } from '../helpers/fault-proxy.js';

const MiB = 1024 * 1024;
const PART = 5 * MiB;
let dir: string;
let proxy: FaultProxy;
let admin: S3Client;
let bucket: string;
let big: StagedFile;
let small: StagedFile;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const keysOf = (c: { accessKeyId: string; secretAccessKey: string }) => ({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey });
const config = (overrides: Partial<S3Config> = {}): S3Config =>
  s3ConfigSchema.parse({ bucket, prefix: 'exports', endpoint: proxy.endpoint, forcePathStyle: true, ...keysOf(inject('s3Writer')), ...overrides });

function context(lastProgress?: unknown): ConnectorContext & { beats: unknown[]; controller: AbortController } {
  const controller = new AbortController();
  const beats: unknown[] = [];
  return { heartbeat: (p) => beats.push(structuredClone(p)), lastProgress, signal: controller.signal, cancelRequested: () => false, log: silentLogger, beats, controller };
}

function stage(name: string, bytes: Buffer): StagedFile {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return { path: file, format: 'csv', rows: 1000, bytes: bytes.length, sha256: sha256(bytes) };
}

async function objectBytes(key: string): Promise<Buffer> {
  const res = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

async function keys(): Promise<string[]> {
  const res = await admin.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (res.Contents ?? []).map((o) => o.Key!).sort();
}

const ops = (from = 0) => proxy.seen.slice(from).map(s3Operation);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sluice-s3-'));
  proxy = await startFaultProxy(inject('s3Endpoint'));
  admin = new S3Client({ region: 'us-east-1', endpoint: inject('s3Endpoint'), forcePathStyle: true, credentials: keysOf(inject('s3Writer')) });
  big = stage('big.csv', randomBytes(3 * PART + 123_456));
  small = stage('small.csv', Buffer.from('a,b\n1,2\n'));
});
afterAll(async () => {
  await proxy?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  bucket = `sluice-${randomBytes(5).toString('hex')}`;
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  proxy.inject = () => undefined;
});

const s3 = createS3Destination({ filesRoot: tmpdir(), s3PartSizeBytes: PART });
const request = (file: StagedFile, objectKey = 'd/x.csv') => ({ file, objectKey, deliveryKey: 'k'.repeat(64), tenantId: null });

describe('S3 destination', () => {
  it('uploads a small file in one PutObject under prefix + key, with its sha256 in the metadata', async () => {
    const receipt = await s3.deliver(config(), request(small), context());
    expect(receipt).toMatchObject({ location: `s3://${bucket}/exports/d/x.csv`, objectKey: 'd/x.csv', bytes: small.bytes, sha256: small.sha256, alreadyDelivered: false });
    expect((await objectBytes('exports/d/x.csv')).toString()).toBe('a,b\n1,2\n');
    expect(await keys()).toEqual(['exports/d/x.csv']);
  });

  it('streams a large file as a multipart upload of 5 MiB parts and heartbeats the upload id and parts', async () => {
    const from = proxy.seen.length;
    const ctx = context();
    await s3.deliver(config(), request(big), ctx);
    expect(ops(from).filter((o) => o === 'UploadPart')).toHaveLength(4);
    expect(sha256(await objectBytes('exports/d/x.csv'))).toBe(big.sha256);
    const last = ctx.beats.at(-1) as { uploadId: string; parts: unknown[] };
    expect(last.uploadId).toEqual(expect.any(String));
    expect(last.parts).toHaveLength(4);
  });

  it('re-delivery finds the same bytes under the key and uploads nothing', async () => {
    await s3.deliver(config(), request(big), context());
    const from = proxy.seen.length;
    const again = await s3.deliver(config(), request(big), context());
    expect(again.alreadyDelivered).toBe(true);
    expect(ops(from)).toEqual(['HeadObject']);
    expect(await keys()).toEqual(['exports/d/x.csv']);
  });

  it('a stopped attempt resumes from its heartbeat: only the missing parts are uploaded', async () => {
    const first = context();
    // Parts 3 and 4 fail for the first attempt, which then stops; parts 1 and 2 reach the server.
    proxy.inject = (r) => (s3Operation(r) === 'UploadPart' && /partNumber=[34]/.test(r.url) ? { reset: true } : undefined);
    const failed = await s3.deliver(config(), request(big), first).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ConnectorError);
    expect((failed as ConnectorError).retryable).toBe(true);
    const progress = first.beats.at(-1) as { uploadId: string; parts: { PartNumber: number }[] };
    expect(progress.parts.map((p) => p.PartNumber)).toEqual([1, 2]);
    expect(await keys()).toEqual([]); // nothing visible until complete

    proxy.inject = () => undefined;
    const from = proxy.seen.length;
    await s3.deliver(config(), request(big), context(progress));
    const uploaded = proxy.seen.slice(from).filter((r) => s3Operation(r) === 'UploadPart').map((r) => Number(new URL(r.url, 'http://x').searchParams.get('partNumber')));
    expect(uploaded.sort()).toEqual([3, 4]);
    expect(sha256(await objectBytes('exports/d/x.csv'))).toBe(big.sha256);
    expect((await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toHaveLength(0);
  });

  it('without a heartbeat, a new attempt aborts the dead upload and starts clean', async () => {
    proxy.inject = (r) => (s3Operation(r) === 'UploadPart' && /partNumber=4/.test(r.url) ? { reset: true } : undefined);
    await expect(s3.deliver(config(), request(big), context())).rejects.toThrow();
    expect((await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads).toHaveLength(1);
    proxy.inject = () => undefined;
    await s3.deliver(config(), request(big), context());
    expect(sha256(await objectBytes('exports/d/x.csv'))).toBe(big.sha256);
    expect((await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toHaveLength(0);
  });

  it('rides out SlowDown and 500s (the SDK retries them) and ends with the complete object', async () => {
    // Every upload request fails once (SlowDown or 500) before it is let through.
    const faulted = new Set<string>();
    let n = 0;
    proxy.inject = (r) => {
      const op = s3Operation(r);
      if ((op !== 'UploadPart' && op !== 'CompleteMultipartUpload') || faulted.has(r.url)) return undefined;
      faulted.add(r.url);
      n++;
      return n % 2 === 1 ? { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' } : { status: 500, code: 'InternalError' };
    };
    await s3.deliver(config(), request(big), context());
    expect(n).toBe(5); // four parts and the completion
    expect(sha256(await objectBytes('exports/d/x.csv'))).toBe(big.sha256);
  });

  it('classifies errors: throttling retried, bad keys / permissions / missing bucket permanent with what to fix', async () => {
    proxy.inject = () => ({ status: 503, code: 'SlowDown' });
    const throttled = (await s3.deliver(config(), request(small), context()).catch((e: unknown) => e)) as ConnectorError;
    expect(throttled.kind).toBe('rate_limited');
    proxy.inject = () => undefined;

    const cases: [Partial<S3Config>, RegExp][] = [
      [{ accessKeyId: 'AKIANOTAREALKEY00000' }, /access key id is not known.*accessKeyId/],
      [{ secretAccessKey: 'wrong' }, /secret access key does not match.*secretAccessKey/],
      [keysOf(inject('s3Reader')), /access denied.*s3:PutObject/],
      [{ bucket: 'no-such-bucket-here' }, /bucket 'no-such-bucket-here' does not exist/],
    ];
    for (const [overrides, message] of cases) {
      const from = proxy.seen.length;
      const err = (await s3.deliver(config(overrides), request(small), context()).catch((e: unknown) => e)) as ConnectorError;
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err.kind).toBe('config');
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(message);
      // One request and no retries: HeadObject fails first for bad keys; the reader fails at PutObject.
      expect(proxy.seen.length - from).toBeLessThanOrEqual(2);
    }
  });

  it('check: writes, reads back and deletes a probe, or says what is wrong', async () => {
    expect(await s3.check(config(), context())).toEqual({ ok: true, message: `credentials can write, read and delete under s3://${bucket}/exports/` });
    expect(await keys()).toEqual([]);
    const bad = await s3.check(config({ secretAccessKey: 'wrong' }), context());
    expect(bad.ok).toBe(false);
    expect(bad.message).toMatch(/cannot write: the secret access key does not match/);
    const reader = await s3.check(config(keysOf(inject('s3Reader'))), context());
    expect(reader).toMatchObject({ ok: false, message: expect.stringMatching(/cannot write: access denied/) });
  });

  it('removes an expired object', async () => {
    await s3.deliver(config(), request(small), context());
    await s3.remove!(config(), { objectKey: 'd/x.csv', tenantId: null }, context());
    expect(await keys()).toEqual([]);
  });
});
