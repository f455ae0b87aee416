/**
 * A worker dies in the middle of a multipart upload to S3: parts 1 and 2 are on the server, later parts
 * are held at the proxy when the worker goes down. Another worker resumes the same upload from the
 * heartbeat (upload id and parts), uploads only the parts still missing, and the object is complete and
 * byte for byte the staged file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, ListMultipartUploadsCommand, ListPartsCommand, S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { type TestPlatform, daysAgo, startTestPlatform } from '../helpers/platform.js';
import { type FaultProxy, s3Operation, startFaultProxy } from '../helpers/fault-proxy.js';

let p: TestPlatform;
let proxy: FaultProxy;
let admin: S3Client;
const bucket = `sluice-${randomBytes(5).toString('hex')}`;
const writer = () => ({ accessKeyId: inject('s3Writer').accessKeyId, secretAccessKey: inject('s3Writer').secretAccessKey });
const partNumber = (url: string) => Number(new URL(url, 'http://x').searchParams.get('partNumber'));

beforeAll(async () => {
  p = await startTestPlatform({ seedRows: 400_000, startWorker: false, s3PartSizeBytes: 5 * 1024 * 1024 });
  proxy = await startFaultProxy(inject('s3Endpoint'));
  admin = new S3Client({ region: 'us-east-1', endpoint: inject('s3Endpoint'), forcePathStyle: true, credentials: writer() });
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(async () => {
  await proxy?.close();
  await p?.stop();
});

const waitFor = async (check: () => Promise<boolean>, what: string) => {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

it('a worker that stops during a multipart upload leaves it to the next worker, which completes it correctly', async () => {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  // Parts after the second hang at the proxy, never reaching S3, until the first worker is gone.
  proxy.inject = (r) => (s3Operation(r) === 'UploadPart' && partNumber(r.url) > 2 ? { hold: released } : undefined);

  const workerA = await p.startWorker();
  const destination = await p.createS3Destination(p.keyA, { bucket, endpoint: proxy.endpoint, ...writer() });
  const started = await p.request('POST', '/v1/runs', {
    key: p.keyA,
    body: { dataset: 'install_events', format: 'csv', from: daysAgo(500), to: daysAgo(1), destinations: [destination] },
  });
  expect(started.status, started.text).toBe(202);

  let uploadId = '';
  let key = '';
  await waitFor(async () => {
    const uploads = (await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? [];
    if (uploads.length !== 1) return false;
    [uploadId, key] = [uploads[0]!.UploadId!, uploads[0]!.Key!];
    const parts = (await admin.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))).Parts ?? [];
    return parts.length === 2;
  }, 'two parts on the server');

  await p.stopWorker(workerA);
  release();
  const stalled = await p.request('GET', `/v1/runs/${started.json.id}`, { key: p.keyA });
  expect(stalled.json.status).toBe('Processing');

  const from = proxy.seen.length;
  proxy.inject = () => undefined;
  await p.startWorker();
  const run = await p.waitForRun(started.json.id, p.keyA, 110_000);
  expect(run.status).toBe('Completed');

  const resumed = proxy.seen.slice(from);
  const uploadedAgain = resumed.filter((r) => s3Operation(r) === 'UploadPart').map((r) => partNumber(r.url));
  const total = Math.ceil(run.files[0].bytes / (5 * 1024 * 1024));
  expect(total).toBeGreaterThanOrEqual(3);
  // The same upload was continued: parts 1 and 2 were not sent again, the rest were.
  expect(resumed.map(s3Operation)).toContain('ListParts');
  const uploadIds = new Set(resumed.filter((r) => s3Operation(r) === 'UploadPart').map((r) => new URL(r.url, 'http://x').searchParams.get('uploadId')));
  expect([...uploadIds]).toEqual([uploadId]);
  expect(uploadedAgain.sort((a, b) => a - b)).toEqual(Array.from({ length: total - 2 }, (_, i) => i + 3));

  const body = Buffer.from(await (await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
  expect(createHash('sha256').update(body).digest('hex')).toBe(run.files[0].sha256);
  const rows = parse<Record<string, string>>(body.toString('utf8'), { columns: true });
  expect(rows.length).toBe(run.rows);
  expect(new Set(rows.map((r) => r.event_id)).size).toBe(run.rows);
  expect((await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toHaveLength(0);
});
