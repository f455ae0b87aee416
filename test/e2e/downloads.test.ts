/** Signed download links (seeds 002, 004) and the durable expiry of a run's files. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  });
});
