/**
 * Runs to S3 end to end: moto with IAM authentication behind a fault-injecting proxy, real workers, the
 * API. Exact keys, manifests and completion markers, re-delivery idempotence, throttling, wrong
 * credentials, secrets kept out of responses, logs and Temporal history, tenant isolation.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { type TestPlatform, daysAgo, startTestPlatform } from '../helpers/platform.js';
import { type FaultProxy, s3Operation, startFaultProxy } from '../helpers/fault-proxy.js';
import { manifestKeys, stableFileId } from '../../activities/index.js';
import { partitionsOf } from '../../datasets/partitions.js';

let p: TestPlatform;
let proxy: FaultProxy;
let admin: S3Client;
let bucket: string;
const writer = () => ({ accessKeyId: inject('s3Writer').accessKeyId, secretAccessKey: inject('s3Writer').secretAccessKey });
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  p = await startTestPlatform({ seedRows: 20_000 });
  await p.eventStore.seed('download_events', { rows: 5_000, seed: 3, tenants: [p.tenantA.id, p.tenantB.id], end: daysAgo(0) });
  proxy = await startFaultProxy(inject('s3Endpoint'));
  admin = new S3Client({ region: 'us-east-1', endpoint: inject('s3Endpoint'), forcePathStyle: true, credentials: writer() });
});
afterAll(async () => {
  await proxy?.close();
  await p?.stop();
});
beforeEach(async () => {
  bucket = `sluice-${randomBytes(5).toString('hex')}`;
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  proxy.inject = () => undefined;
});

const s3Destination = (key = p.keyA, overrides: Record<string, unknown> = {}) =>
  p.createS3Destination(key, { bucket, prefix: 'sluice', endpoint: proxy.endpoint, ...writer(), ...overrides });

async function listing(): Promise<Record<string, string>> {
  const res = await admin.send(new ListObjectsV2Command({ Bucket: bucket }));
  return Object.fromEntries((res.Contents ?? []).map((o) => [o.Key!, o.ETag!]));
}

async function object(key: string): Promise<Buffer> {
  const res = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

async function run(body: Record<string, unknown>, key = p.keyA) {
  const started = await p.request('POST', '/v1/runs', { key, body: { dataset: 'install_events', format: 'csv', from: daysAgo(12), to: daysAgo(10), ...body } });
  expect(started.status, started.text).toBe(202);
  return p.waitForRun(started.json.id, key);
}

describe('S3 destinations', () => {
  it('stores the secret sealed and never returns it', async () => {
    const id = await s3Destination();
    const secret = writer().secretAccessKey;
    for (const res of [await p.request('GET', `/v1/destinations/${id}`, { key: p.keyA }), await p.request('GET', '/v1/destinations', { key: p.keyA })]) {
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(secret);
    }
    const view = (await p.request('GET', `/v1/destinations/${id}`, { key: p.keyA })).json;
    expect(view.config).toMatchObject({ bucket, prefix: 'sluice/', accessKeyId: writer().accessKeyId, secretAccessKey: '[redacted]' });
    const [row] = await p.store.db.query('SELECT config::text AS config, secrets FROM destinations WHERE id = $1', [id]);
    expect(String(row!.config)).not.toContain(secret);
    expect(String(row!.secrets)).not.toContain(secret);
  });

  it('refuses an invalid config with the fields at fault', async () => {
    const res = await p.request('POST', '/v1/destinations', { key: p.keyA, body: { name: 'x', type: 's3', config: { bucket: 'Bad_Bucket', accessKeyId: 'short' } } });
    expect(res.status).toBe(400);
    const paths = res.json.errors.map((e: any) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['config.bucket', 'config.accessKeyId', 'config.secretAccessKey']));
  });

  it('check says ok, or what is wrong; other tenants cannot check it', async () => {
    const good = await s3Destination();
    const res = await p.request('POST', `/v1/destinations/${good}/check`, { key: p.keyA });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ok: true, message: expect.stringContaining(`s3://${bucket}/sluice/`) });
    const wrong = await s3Destination(p.keyA, { secretAccessKey: 'not-the-secret' });
    const bad = await p.request('POST', `/v1/destinations/${wrong}/check`, { key: p.keyA });
    expect(bad.json).toMatchObject({ ok: false, message: expect.stringMatching(/secret access key does not match.*secretAccessKey/) });
    const missing = await s3Destination(p.keyA, { bucket: 'no-such-bucket-anywhere' });
    expect((await p.request('POST', `/v1/destinations/${missing}/check`, { key: p.keyA })).json.message).toMatch(/bucket 'no-such-bucket-anywhere' does not exist/);
    expect((await p.request('POST', `/v1/destinations/${good}/check`, { key: p.keyB })).status).toBe(404);
    expect((await p.request('GET', `/v1/destinations/${good}`, { key: p.keyB })).status).toBe(404);
  });

  it('rotates credentials with PATCH: the new secret is sealed, never shown, and only its name is audited', async () => {
    const id = await s3Destination(p.keyA, { secretAccessKey: 'rotated-away-secret' });
    expect((await p.request('POST', `/v1/destinations/${id}/check`, { key: p.keyA })).json.ok).toBe(false);
    const patched = await p.request('PATCH', `/v1/destinations/${id}`, { key: p.keyA, body: { name: 'rotated', config: { secretAccessKey: writer().secretAccessKey } } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({ name: 'rotated', config: { bucket, prefix: 'sluice/', secretAccessKey: '[redacted]' } });
    expect((await p.request('POST', `/v1/destinations/${id}/check`, { key: p.keyA })).json.ok).toBe(true);
    const bad = await p.request('PATCH', `/v1/destinations/${id}`, { key: p.keyA, body: { config: { bucket: 'Not A Bucket' } } });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: any) => e.path)).toEqual(['config.bucket']);
    expect((await p.request('PATCH', `/v1/destinations/${id}`, { key: p.keyB, body: { name: 'mine now' } })).status).toBe(404);
    const audit = await p.request('GET', '/v1/audit?limit=200', { key: p.keyA });
    const entry = audit.json.entries.find((e: any) => e.action === 'destination.update' && e.resourceId === id);
    expect(entry.details).toMatchObject({ changed: ['secretAccessKey'], secretsChanged: ['secretAccessKey'] });
    expect(audit.text).not.toContain(writer().secretAccessKey);
  });

  it('writes exactly the template keys, then a manifest, then the completion marker', async () => {
    const destination = await s3Destination();
    const r = await run({ partitioning: 'day', destinations: [destination] });
    expect(r.status).toBe('Completed');
    const keys = manifestKeys({ exportId: null, runId: r.id, dataset: 'install_events', window: r.window });
    const expected = [daysAgo(12), daysAgo(11), daysAgo(10)].map(
      (d) => `install_events/install_events_${d}_${d}_${stableFileId(r.id, r.window, d)}.csv`,
    );
    expect(r.files.map((f: any) => f.key)).toEqual(expected);
    expect(Object.keys(await listing()).sort()).toEqual([...expected, keys.manifest, keys.marker].map((k) => `sluice/${k}`).sort());
    expect(r.manifests.map((m: any) => [m.kind, m.key])).toEqual([['manifest', keys.manifest], ['marker', keys.marker]]);
    // The marker is written after the manifest (the proxy saw the PUTs in that order).
    const puts = proxy.seen.filter((s) => s3Operation(s) === 'PutObject').map((s) => decodeURIComponent(new URL(s.url, 'http://x').pathname));
    expect(puts.indexOf(`/${bucket}/sluice/${keys.marker}`)).toBeGreaterThan(puts.indexOf(`/${bucket}/sluice/${keys.manifest}`));

    for (const f of r.files) expect(sha256(await object(`sluice/${f.key}`))).toBe(f.sha256);
    const manifest = JSON.parse((await object(`sluice/${keys.manifest}`)).toString());
    const [source] = await p.query(
      `SELECT count(*)::INT AS n, strftime(min(install_date), '%Y-%m-%dT%H:%M:%SZ') AS first_time, strftime(max(install_date), '%Y-%m-%dT%H:%M:%SZ') AS last_time,
              arg_min(event_id, (install_date, event_id)) AS first_id, arg_max(event_id, (install_date, event_id)) AS last_id
       FROM install_events WHERE tenant_id = $t AND install_date >= $f::DATE AND install_date < $to::DATE + 1`,
      { t: p.tenantA.id, f: r.window.from, to: r.window.to },
    );
    expect(manifest).toMatchObject({
      manifestVersion: 1,
      runId: r.id,
      dataset: 'install_events',
      window: r.window,
      settings: r.settings,
      totals: { files: 3, rows: source!.n, bytes: r.files.reduce((n: number, f: any) => n + f.bytes, 0) },
      timeRange: { first: source!.first_time, last: source!.last_time },
      eventIds: { first: source!.first_id, last: source!.last_id },
    });
    expect(manifest.files.map((f: any) => [f.key, f.rows, f.sha256])).toEqual(r.files.map((f: any) => [f.key, f.rows, f.sha256]));
    const marker = JSON.parse((await object(`sluice/${keys.marker}`)).toString());
    expect(marker).toEqual({ runId: r.id, manifest: keys.manifest, manifestSha256: sha256(await object(`sluice/${keys.manifest}`)), files: 3, rows: source!.n });
  });

  it('names seed 003 files by the podcast-events preset, to the minute of the request', async () => {
    const destination = await s3Destination();
    const r = await run({ dataset: 'download_events', format: 'jsonl', compression: 'gzip', pathTemplate: 'podcast-events', destinations: [destination] });
    expect(r.status).toBe('Completed');
    const at = new Date(r.requestedAt).toISOString();
    const [y, mo, d, h, mi] = [at.slice(0, 4), at.slice(5, 7), at.slice(8, 10), at.slice(11, 13), at.slice(14, 16)];
    const [first] = await p.query(
      `SELECT strftime(min(downloaded_at), '%Y%m%dT%H%M%SZ') AS t FROM download_events WHERE tenant_id = $t AND downloaded_at >= $f::DATE AND downloaded_at < $to::DATE + 1`,
      { t: p.tenantA.id, f: r.window.from, to: r.window.to },
    );
    const key = `${y}/${y}-${mo}/${y}-${mo}-${d}/${y}-${mo}-${d}T${h}${mi}_${first!.t}_${stableFileId(r.id, r.window, partitionsOf(r.window, 'none')[0]!.key)}.jsonl.gz`;
    expect(r.files.map((f: any) => f.key)).toEqual([key]);
    expect(Object.keys(await listing())).toContain(`sluice/${key}`);
  });

  it('re-delivering a window of a saved export rewrites the same keys with the same bytes and adds nothing', async () => {
    const destination = await s3Destination();
    const saved = await p.request('POST', '/v1/exports', {
      key: p.keyA,
      body: { name: 'nightly', dataset: 'install_events', format: 'csv', compression: 'gzip', partitioning: 'day', destinations: [destination] },
    });
    expect(saved.status).toBe(201);
    const window = { from: daysAgo(6), to: daysAgo(4) };
    const once = await p.request('POST', `/v1/exports/${saved.json.id}/runs`, { key: p.keyA, body: window });
    expect((await p.waitForRun(once.json.id, p.keyA)).status).toBe('Completed');
    const before = await listing();
    const from = proxy.seen.length;
    const twice = await p.request('POST', `/v1/exports/${saved.json.id}/runs`, { key: p.keyA, body: window });
    const second = await p.waitForRun(twice.json.id, p.keyA);
    expect(second.status).toBe('Completed');
    const after = await listing();
    // The same keys; the data objects byte for byte the same; the manifest and marker now name the new run.
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    expect(Object.keys(before)).toHaveLength(3 + 2);
    for (const key of Object.keys(before).filter((k) => !k.includes('/_sluice/'))) expect(after[key]).toBe(before[key]);
    const manifest = JSON.parse((await object(Object.keys(after).find((k) => k.endsWith('manifest.json'))!)).toString());
    expect(manifest.runId).toBe(second.id);
    // Data files were found in place (HEAD only); only the manifest and marker were written again.
    const dataPuts = proxy.seen.slice(from).filter((s) => s3Operation(s) === 'PutObject' && !s.url.includes('/_sluice/'));
    expect(dataPuts).toEqual([]);
  });

  it('ends with complete objects when S3 answers 503 SlowDown and 500 to the first try of every upload', async () => {
    const destination = await s3Destination();
    const faulted = new Set<string>();
    proxy.inject = (r) => {
      if (s3Operation(r) !== 'PutObject' || faulted.has(r.url)) return undefined;
      faulted.add(r.url);
      return faulted.size % 2 ? { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' } : { status: 500, code: 'InternalError' };
    };
    const r = await run({ partitioning: 'day', destinations: [destination] });
    expect(r.status).toBe('Completed');
    expect(faulted.size).toBe(5); // three files, the manifest and the marker
    for (const f of r.files) expect(sha256(await object(`sluice/${f.key}`))).toBe(f.sha256);
    const [source] = await p.query(
      `SELECT count(*)::INT AS n FROM install_events WHERE tenant_id = $t AND install_date >= $f::DATE AND install_date < $to::DATE + 1`,
      { t: p.tenantA.id, f: r.window.from, to: r.window.to },
    );
    expect(r.rows).toBe(source!.n);
  });

  it('wrong credentials fail the run after one attempt, saying which field to fix', async () => {
    const destination = await s3Destination(p.keyA, { secretAccessKey: 'definitely-wrong' });
    const from = proxy.seen.length;
    const r = await run({ destinations: [destination] });
    expect(r.status).toBe('Failed');
    expect(r.error.type).toBe('DestinationConfig');
    expect(r.error.message).toMatch(/secret access key does not match the access key id; check secretAccessKey/);
    expect(r.deliveries).toEqual([expect.objectContaining({ state: 'failed', attempts: 1 })]);
    expect(proxy.seen.slice(from).map(s3Operation)).toEqual(['HeadObject', 'PutObject']);
    expect(await listing()).toEqual({});
  });

  it('keeps secrets out of logs and Temporal history', async () => {
    const destination = await s3Destination();
    const r = await run({ destinations: [destination] });
    expect(r.status).toBe('Completed');
    const secret = writer().secretAccessKey;
    const history = await p.client.workflow.getHandle(r.workflowId).fetchHistory();
    // Payload bytes decoded, plus everything else as JSON: the whole history as text.
    const chunks: string[] = [];
    const walk = (v: unknown): void => {
      if (v instanceof Uint8Array) chunks.push(Buffer.from(v).toString('utf8'));
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
      else if (typeof v === 'string') chunks.push(v);
    };
    walk(history);
    const text = chunks.join('\n');
    expect(text).toContain(destination); // the history does name the destination...
    expect(text).not.toContain(secret); // ...but never its secret
    expect(p.logs.length).toBeGreaterThan(0);
    expect(p.logs.join('\n')).not.toContain(secret);
  });
});

describe('tenancy', () => {
  it("a tenant cannot deliver to another tenant's S3 destination", async () => {
    const destination = await s3Destination(p.keyA);
    const res = await p.request('POST', '/v1/runs', {
      key: p.keyB,
      body: { dataset: 'install_events', format: 'csv', from: daysAgo(3), to: daysAgo(2), destinations: [destination] },
    });
    expect(res.status).toBe(404);
  });
});
