/**
 * Seed 000: a one-off export too big to answer at once runs in the background and, when done, e-mails the
 * requester (the address in the request, or the tenant's) a link to the files; small ones answer at once.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestPlatform, daysAgo, startTestPlatform } from '../helpers/platform.js';
import { type TestSmtp, startSmtp } from '../helpers/smtp-server.js';

let p: TestPlatform;
let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
  p = await startTestPlatform({ seedRows: 10_000, smtpUrl: `smtp://127.0.0.1:${smtp.port}`, immediateMaxRows: 100 });
});
afterAll(async () => {
  await p?.stop();
  await smtp?.close();
});

const big = { dataset: 'install_events', format: 'csv', from: daysAgo(40), to: daysAgo(1), delivery: 'auto' };

async function mailTo(address: string) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const found = smtp.messages.find((m) => (m.to as { value: { address: string }[] }).value.some((v) => v.address === address));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no mail to ${address}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('background exports', () => {
  it("runs a large export in the background and e-mails the tenant's address a working link", async () => {
    const patched = await p.request('PATCH', `/v1/tenants/${p.tenantA.id}`, { key: p.adminKey, body: { notifyEmail: 'ops@tenant-a.example' } });
    expect(patched.status, patched.text).toBe(200);
    expect((await p.request('PATCH', `/v1/tenants/${p.tenantA.id}`, { key: p.keyA, body: { notifyEmail: null } })).status).toBe(403);

    const res = await p.request('POST', '/v1/runs', { key: p.keyA, body: big });
    expect(res.status, res.text).toBe(202);
    expect(res.json.notifyEmail).toBe('ops@tenant-a.example');
    const run = await p.waitForRun(res.json.id, p.keyA);
    expect(run.status).toBe('Completed');
    expect(run.rows).toBeGreaterThan(100);

    const mail = await mailTo('ops@tenant-a.example');
    expect(mail.subject).toBe(`Your export is ready: install_events ${big.from}..${big.to}`);
    const link = mail.text!.match(/http:\/\/sluice\.test(\/files\/\S+)/);
    expect(link, mail.text).not.toBeNull();
    const file = await p.app.request(link![1]!);
    expect(file.status).toBe(200);
    expect(createHash('sha256').update(Buffer.from(await file.arrayBuffer())).digest('hex')).toBe(run.files[0].sha256);
    expect(mail.messageId).toBe(`<notify-${run.id}@sluice>`);
  });

  it('e-mails the address given with the request', async () => {
    const res = await p.request('POST', '/v1/runs', { key: p.keyA, body: { ...big, from: daysAgo(50), notifyEmail: 'ana@example.com' } });
    expect(res.status).toBe(202);
    expect((await p.waitForRun(res.json.id, p.keyA)).status).toBe('Completed');
    expect((await mailTo('ana@example.com')).subject).toMatch(/^Your export is ready/);
  });

  it('needs an address when the tenant has none, and still answers small exports at once', async () => {
    const refused = await p.request('POST', '/v1/runs', { key: p.keyB, body: big });
    expect(refused.status).toBe(400);
    expect(refused.json.detail).toMatch(/over the 100 answered at once; give destinations, or notifyEmail/);
    const small = await p.request('POST', '/v1/runs', { key: p.keyB, body: { ...big, from: daysAgo(1), to: daysAgo(1) } });
    expect(small.status).toBe(200);
  });
});
