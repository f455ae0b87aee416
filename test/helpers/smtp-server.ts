/**
 * A real SMTP server in the test process (npm smtp-server; messages parsed with mailparser). Knobs inject
 * the answers a mail server gives: refuse some recipients at RCPT TO, or answer the message with a 4xx or
 * 5xx code a number of times.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { type ParsedMail, simpleParser } from 'mailparser';

export interface TestSmtp {
  port: number;
  messages: ParsedMail[];
  /** Recipients matching this are refused with 550 at RCPT TO. */
  refuseRecipients: RegExp | null;
  /** The next `count` messages are answered with `code` and `message` instead of being accepted. */
  failNext: { code: number; message: string; count: number } | null;
  close(): Promise<void>;
}

/** Accepts only `credentials` when given (plain AUTH, no TLS: a loopback test server). */
export async function startSmtp(credentials?: { username: string; password: string }): Promise<TestSmtp> {
  const smtp: TestSmtp = { port: 0, messages: [], refuseRecipients: null, failNext: null, close: () => Promise.resolve() };
  const server = new SMTPServer({
    authOptional: !credentials,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, callback) {
      if (credentials && auth.username === credentials.username && auth.password === credentials.password) {
        callback(null, { user: auth.username });
        return;
      }
      callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    logger: false,
    onRcptTo(address, _session, callback) {
      if (smtp.refuseRecipients?.test(address.address)) {
        const err = Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`), { responseCode: 550 });
        callback(err);
        return;
      }
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const fail = smtp.failNext;
        if (fail && fail.count > 0) {
          fail.count--;
          callback(Object.assign(new Error(fail.message), { responseCode: fail.code }));
          return;
        }
        simpleParser(Buffer.concat(chunks))
          .then((mail) => {
            smtp.messages.push(mail);
            callback();
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  smtp.port = (server.server.address() as AddressInfo).port;
  smtp.close = () => new Promise((resolve) => server.close(() => resolve()));
  return smtp;
}
