/**
 * The e-mail destination against a real SMTP server (smtp-server in-process): recipients, subject, the
 * attachment equal to the exported file, the link variant over the size limit, 4xx retried, 5xx failing
 * with the server's words, refused recipients reported one by one, and the password kept secret.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type TestPlatform, daysAgo, startTestPlatform } from '../helpers/platform.js';
import { type TestSmtp, startSmtp } from '../helpers/smtp-server.js';

let p: TestPlatform;
let smtp: TestSmtp;
beforeAll(async () => {
  [p, smtp] = await Promise.all([startTestPlatform({ seedRows: 10_000 }), startSmtp({ username: 'reports', password: 'smtp-pass-do-not-leak' })]);
});
afterAll(async () => {
  await smtp?.close();
  await p?.stop();
});
beforeEach(() => {
  smtp.messages.length = 0;
  smtp.refuseRecipients = null;
  smtp.failNext = null;
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function emailDestination(overrides: Record<string, unknown> = {}) {
  const res = await p.request('POST', '/v1/destinations', {
    key: p.keyA,
    body: {
      name: 'weekly report',
      type: 'email',
      config: {
        host: '127.0.0.1',
        port: smtp.port,
        tls: 'none',
        username: 'reports',
        password: 'smtp-pass-do-not-leak',
        from: 'sluice@example.com',
        to: ['ana@example.com', 'ben@example.com'],
        subject: 'Installs {period} ({rows} rows)',
        ...overrides,
      },
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.json.id as string;
}

async function run(destination: string, body: Record<string, unknown> = {}) {
  const started = await p.request('POST', '/v1/runs', {
    key: p.keyA,
    body: { dataset: 'install_events', format: 'csv', from: daysAgo(9), to: daysAgo(3), destinations: [destination], ...body },
  });
  expect(started.status, started.text).toBe(202);
  return p.waitForRun(started.json.id, p.keyA);
}

describe('e-mail destination', () => {
  it('sends the file as an attachment to every recipient, with the subject rendered and a Message-ID from the delivery key', async () => {
    const destination = await emailDestination();
    const r = await run(destination);
    expect(r.status).toBe('Completed');
    expect(smtp.messages).toHaveLength(1);
    const [mail] = smtp.messages;
    expect((mail!.to as { value: { address: string }[] }).value.map((v) => v.address)).toEqual(['ana@example.com', 'ben@example.com']);
    expect(mail!.subject).toBe(`Installs ${daysAgo(9)}..${daysAgo(3)} (${r.rows} rows)`);
    expect(mail!.attachments).toHaveLength(1);
    expect(mail!.attachments[0]!.filename).toBe(r.files[0].key.split('/').pop());
    expect(sha256(mail!.attachments[0]!.content)).toBe(r.files[0].sha256);
    expect(mail!.messageId).toMatch(/^<[0-9a-f]{64}@sluice>$/);
    expect(r.deliveries[0].detail).toMatchObject({ mode: 'attachment', messageId: mail!.messageId });
  });

  it('over the size limit sends a signed link that downloads the file', async () => {
    const destination = await emailDestination({ attachMaxBytes: 1000 });
    const r = await run(destination);
    expect(r.status).toBe('Completed');
    const [mail] = smtp.messages;
    expect(mail!.attachments).toHaveLength(0);
    const link = mail!.text!.match(/http:\/\/sluice\.test(\/files\/\S+)/);
    expect(link, mail!.text).not.toBeNull();
    const file = await p.app.request(link![1]!);
    expect(file.status).toBe(200);
    expect(sha256(Buffer.from(await file.arrayBuffer()))).toBe(r.files[0].sha256);
    expect(mail!.text).toMatch(/works until \d{4}-\d{2}-\d{2}T/);
    const tampered = await p.app.request(link![1]!.slice(0, -2) + (link![1]!.endsWith('A') ? 'BB' : 'AA'));
    expect(tampered.status).toBe(403);
  });

  it('retries a 4xx answer and delivers once the server accepts', async () => {
    smtp.failNext = { code: 451, message: '4.3.0 Temporary local problem, try again', count: 1 };
    const r = await run(await emailDestination());
    expect(r.status).toBe('Completed');
    expect(r.deliveries[0].attempts).toBe(2);
    expect(smtp.messages).toHaveLength(1);
  });

  it("fails the delivery on a 5xx answer with the server's message, after one attempt", async () => {
    smtp.failNext = { code: 554, message: '5.7.1 Message rejected: attachment type not allowed', count: 5 };
    const r = await run(await emailDestination());
    expect(r.status).toBe('Failed');
    expect(r.error.type).toBe('DestinationRejected');
    expect(r.error.message).toContain('5.7.1 Message rejected: attachment type not allowed');
    expect(r.deliveries[0].attempts).toBe(1);
    expect(smtp.failNext.count).toBe(4);
  });

  it('reports a partially accepted recipient list per recipient', async () => {
    smtp.refuseRecipients = /^nobody@/;
    const r = await run(await emailDestination({ to: ['ana@example.com', 'nobody@example.com'] }));
    expect(r.status).toBe('Completed');
    expect(r.deliveries[0].detail.recipients).toEqual([
      { address: 'ana@example.com', accepted: true, response: expect.stringMatching(/^250/) },
      { address: 'nobody@example.com', accepted: false, response: expect.stringContaining('User unknown') },
    ]);
    expect((smtp.messages[0]!.to as { value: { address: string }[] }).value.map((v) => v.address)).toContain('ana@example.com');
  });

  it('a wrong password fails after one attempt, saying so', async () => {
    const r = await run(await emailDestination({ password: 'wrong' }));
    expect(r.status).toBe('Failed');
    expect(r.error.type).toBe('DestinationConfig');
    expect(r.error.message).toMatch(/refused the login \(535 5.7.8 Authentication credentials invalid\); check username and password/);
    expect(r.deliveries[0].attempts).toBe(1);
  });

  it('fails when every recipient is refused, and never shows or logs the password', async () => {
    smtp.refuseRecipients = /./;
    const destination = await emailDestination();
    const r = await run(destination);
    expect(r.status).toBe('Failed');
    expect(r.error.message).toMatch(/refused every recipient: .*User unknown/);
    const view = await p.request('GET', `/v1/destinations/${destination}`, { key: p.keyA });
    expect(view.json.config.password).toBe('[redacted]');
    expect(view.text).not.toContain('smtp-pass-do-not-leak');
    expect(p.logs.join('\n')).not.toContain('smtp-pass-do-not-leak');
  });
});
