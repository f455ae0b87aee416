/** Signed download links (seeds 002, 004) and the durable expiry of a run's files. */
import { readFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { type TestPlatform, daysAgo, startTestPlatform } from '../helpers/platform.js';

const TTL = 4;
let p: TestPlatform;
let run: any;
beforeAll(async () => {
  p = await startTestPlatform({ seedRows: 5_000, artifactTtlSeconds: TTL });
  const destination = await p.createFilesystemDestination(p.keyA, 'downloads');
  const res = await p.request('POST', '/v1/runs', {
    key: p.keyA,
    body: { dataset: 'install_events', format: 'csv', partitioning: 'day', from: daysAgo(3), to: daysAgo(2), destinations: [destination] },
  });
  run = await p.waitForRun(res.json.id, p.keyA);
});
afterAll(async () => p?.stop());

const tokenOf = (url: string) => url.split('/files/')[1]!;

describe('download links', () => {
  it('gives one signed link per file, valid 15 minutes, that downloads the exact bytes', async () => {
    expect(run.status).toBe('Completed');
    expect(run.downloadAvailable).toBe(true);
    expect(Date.parse(run.expiresAt) - Date.parse(run.finishedAt)).toBeCloseTo(TTL * 1000, -3);
    expect(run.summary).toBe(`install_events csv, ${daysAgo(3)}..${daysAgo(2)}, one file per day`);
    const res = await p.request('GET', `/v1/runs/${run.id}/download`, { key: p.keyA });
    expect(res.status).toBe(200);
    expect(res.json.downloadUrls).toHaveLength(2);
    const expires = Date.parse(res.json.expiresAt) - Date.now();
    expect(expires).toBeGreaterThan(14 * 60_000);
    expect(expires).toBeLessThanOrEqual(15 * 60_000);
    for (const url of res.json.downloadUrls) {
      const file = await p.app.request(`/files/${tokenOf(url)}`);
      expect(file.status).toBe(200);
      const body = Buffer.from(await file.arrayBuffer());
      const artifact = run.files.find((f: any) => body.equals(readFileSync(f.location)));
      expect(artifact).toBeDefined();
      expect(file.headers.get('content-disposition')).toContain(artifact.key.split('/').pop());
    }
    const audit = await p.request('GET', '/v1/audit?limit=100', { key: p.keyA });
    expect(audit.json.entries.filter((e: any) => e.action === 'artifact.download')).toHaveLength(2);
    expect((await p.request('GET', `/v1/runs/${run.id}/download`, { key: p.keyB })).status).toBe(404);
  });

  it('refuses a tampered link and an expired one', async () => {
    const res = await p.request('GET', `/v1/runs/${run.id}/download`, { key: p.keyA });
    const token = tokenOf(res.json.downloadUrls[0]);
    const [body, mac] = token.split('.') as [string, string];
    const otherArtifact = Buffer.from(`art_other.${Math.floor(Date.now() / 1000) + 600}`).toString('base64url');
    for (const bad of [`${otherArtifact}.${mac}`, `${body}.${mac.slice(0, -2)}xx`, 'garbage']) {
      const r = await p.request('GET', `/files/${bad}`);
      expect(r.status).toBe(403);
      expect(r.json.type).toBe('/problems/link-invalid');
    }
    const [artifactId] = Buffer.from(body, 'base64url').toString().split('.');
    const stale = p.linkSigner.sign({ artifactId: artifactId!, expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const expired = await p.request('GET', `/files/${stale}`);
    expect(expired.status).toBe(410);
  });
});

describe('expiry', () => {
  it('deletes the files after their time, shows the run Expired, and its links stop working', async () => {
    const links = (await p.request('GET', `/v1/runs/${run.id}/download`, { key: p.keyA })).json.downloadUrls;
    expect(Date.parse(run.finishedAt) + TTL * 1000 - Date.now()).toBeLessThan(TTL * 1000 + 1000);
    const deadline = Date.now() + 60_000;
    let status = run.status;
    while (status !== 'Expired' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await p.request('GET', `/v1/runs/${run.id}`, { key: p.keyA })).json.status;
    }
    expect(status).toBe('Expired');
    for (const f of run.files) expect(() => readFileSync(f.location)).toThrow();
    expect((await p.app.request(`/files/${tokenOf(links[0])}`)).status).toBe(410);
    const again = await p.request('GET', `/v1/runs/${run.id}/download`, { key: p.keyA });
    expect(again.status).toBe(410);
    const history = await p.request('GET', '/v1/runs?status=Expired', { key: p.keyA });
    expect(history.json.runs.map((r: any) => r.id)).toContain(run.id);
    expect(history.json.runs.find((r: any) => r.id === run.id).downloadAvailable).toBe(false);
  });
});

describe('files at an S3 destination', () => {
  it('get presigned S3 URLs valid 15 minutes; expiry deletes the objects, manifest and marker included', async () => {
    const endpoint = inject('s3OpenEndpoint');
    const credentials = { accessKeyId: 'AKIAOPENOPENOPENOPEN', secretAccessKey: 'moto-does-not-check-this' };
    const bucket = `sluice-${randomBytes(5).toString('hex')}`;
    const s3 = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { ...credentials } }); // the SDK marks the object it is given
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const destination = await p.createS3Destination(p.keyA, { bucket, endpoint, ...credentials });
    const started = await p.request('POST', '/v1/runs', {
      key: p.keyA,
      body: { dataset: 'install_events', format: 'csv', from: daysAgo(3), to: daysAgo(2), destinations: [destination] },
    });
    const s3run = await p.waitForRun(started.json.id, p.keyA);
    expect(s3run.status).toBe('Completed');

    const res = await p.request('GET', `/v1/runs/${s3run.id}/download`, { key: p.keyA });
    expect(res.status).toBe(200);
    const [url] = res.json.downloadUrls as string[];
    const presigned = new URL(url!);
    expect(presigned.origin).toBe(endpoint);
    expect(presigned.pathname).toBe(`/${bucket}/${s3run.files[0].key}`);
    expect(presigned.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(presigned.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    const file = await fetch(url!);
    expect(file.status).toBe(200);
    expect(createHash('sha256').update(Buffer.from(await file.arrayBuffer())).digest('hex')).toBe(s3run.files[0].sha256);
    expect((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount).toBe(3); // file, manifest, marker

    const deadline = Date.now() + 60_000;
    let status = s3run.status;
    while (status !== 'Expired' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await p.request('GET', `/v1/runs/${s3run.id}`, { key: p.keyA })).json.status;
    }
    expect(status).toBe('Expired');
    expect((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount).toBe(0);
    expect([403, 404]).toContain((await fetch(url!)).status); // S3 answers 403 for a missing key when listing is not allowed
    expect((await p.request('GET', `/v1/runs/${s3run.id}/download`, { key: p.keyA })).status).toBe(410);
  });
});
