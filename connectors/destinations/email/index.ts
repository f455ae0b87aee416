/**
 * E-mail destination (seed 000): the file attached when it is under the size limit (10 MB), otherwise a
 * signed link valid 7 days. The Message-ID derives from the delivery key, so a retried send is recognisably
 * the same message. SMTP 4xx answers and connection failures are retried; 5xx (a rejected recipient or
 * message) fails the delivery with the server's own words. When some recipients are accepted and others
 * refused, the message goes to those accepted and the ledger keeps each recipient's answer.
 */
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { DeliveryReceipt, DestinationConnector, DestinationDeps } from '../../types.js';
import { ConnectorError } from '../../errors.js';
import { EMAIL_SECRET_FIELDS, type EmailConfig, emailConfigSchema } from './config.js';

const LINK_TTL_SECONDS = 7 * 24 * 3600;

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
  rejected?: string[];
  rejectedErrors?: SmtpError[];
}

function transport(config: EmailConfig) {
  return nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.tls === 'tls',
    requireTLS: config.tls === 'starttls',
    ignoreTLS: config.tls === 'none',
    ...(config.username ? { auth: { user: config.username, pass: config.password } } : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    disableFileAccess: false,
    disableUrlAccess: true,
  });
}

export function toSmtpError(err: unknown, where: string): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const e = (err ?? {}) as SmtpError;
  const said = (e.response ?? e.message ?? String(err)).trim();
  if (e.code === 'EAUTH') return new ConnectorError('config', `the SMTP server refused the login (${said}); check username and password (${where})`, { cause: err, code: e.code });
  if (e.code === 'EENVELOPE' && e.rejectedErrors?.length) {
    const answers = e.rejectedErrors.map((r) => (r.response ?? r.message ?? '').trim()).join('; ');
    const temporary = e.rejectedErrors.every((r) => (r.responseCode ?? 500) < 500);
    return new ConnectorError(temporary ? 'transient' : 'permanent', `the SMTP server refused every recipient: ${answers} (${where})`, { cause: err, code: e.code });
  }
  if (e.responseCode !== undefined && e.responseCode >= 500) {
    return new ConnectorError('permanent', `the SMTP server rejected the message: ${said} (${where})`, { cause: err, code: String(e.responseCode) });
  }
  if (e.responseCode !== undefined && e.responseCode >= 400) {
    return new ConnectorError('transient', `the SMTP server deferred the message: ${said} (${where})`, { cause: err, code: String(e.responseCode) });
  }
  return new ConnectorError('transient', `could not talk to the SMTP server: ${said} (${where}); check host, port and tls`, { cause: err, code: e.code });
}

const render = (template: string, values: Record<string, string>) => template.replace(/\{([a-z_]+)\}/g, (m: string, k: string) => values[k] ?? m);

export function createEmailDestination(deps: DestinationDeps): DestinationConnector<EmailConfig> {
  return {
    type: 'email',
    configSchema: emailConfigSchema,
    secretFields: EMAIL_SECRET_FIELDS,
    capabilities: { formats: ['csv', 'json', 'jsonl', 'parquet'], loads: 'files', maxFileBytes: null, manifests: false },

    async check(config) {
      const t = transport(config);
      try {
        await t.verify();
        return { ok: true, message: `the SMTP server at ${config.host}:${config.port} accepted the connection${config.username ? ' and the login' : ''}` };
      } catch (err) {
        return { ok: false, message: toSmtpError(err, `${config.host}:${config.port}`).message };
      } finally {
        t.close();
      }
    },

    async deliver(config, request, ctx): Promise<DeliveryReceipt> {
      const { file } = request;
      const fileName = path.basename(request.objectKey);
      const period = request.about ? (request.about.period.from === request.about.period.to ? request.about.period.from : `${request.about.period.from}..${request.about.period.to}`) : '';
      const values: Record<string, string> = {
        dataset: request.about?.dataset ?? '',
        period,
        from: request.about?.period.from ?? '',
        to: request.about?.period.to ?? '',
        run_id: request.about?.runId ?? '',
        file: fileName,
        rows: String(file.rows),
        bytes: String(file.bytes),
      };
      const attach = file.bytes <= config.attachMaxBytes;
      let location = `mailto:${config.to.join(',')}`;
      let text: string;
      if (attach) {
        text = render(config.body, values);
      } else {
        if (!deps.fileLinks) throw new ConnectorError('config', `${fileName} is ${file.bytes} bytes, over attachMaxBytes (${config.attachMaxBytes}), and this worker cannot publish links`);
        const link = await deps.fileLinks.publish(file.path, { objectKey: request.objectKey, tenantId: request.tenantId }, LINK_TTL_SECONDS);
        location = link.location;
        text = render(config.linkBody, { ...values, link: link.url, link_expires: link.expiresAt.toISOString() });
      }
      const messageId = `<${request.deliveryKey}@sluice>`;
      const t = transport(config);
      try {
        const info = await t.sendMail({
          from: config.from,
          to: config.to,
          subject: render(config.subject, values),
          text,
          messageId,
          ...(attach ? { attachments: [{ filename: fileName, path: file.path }] } : {}),
        });
        const rejected = new Map<string, string>();
        for (const r of (info as unknown as SmtpError).rejectedErrors ?? []) rejected.set(String((r as { recipient?: string }).recipient ?? ''), (r.response ?? r.message ?? '').trim());
        const recipients = config.to.map((address) => {
          const refused = (info.rejected).includes(address);
          return { address, accepted: !refused, response: refused ? (rejected.get(address) ?? 'rejected') : info.response };
        });
        if (recipients.some((r) => !r.accepted)) ctx.log.warn('some recipients were refused', { recipients: recipients.filter((r) => !r.accepted) });
        return {
          location,
          objectKey: request.objectKey,
          rows: file.rows,
          bytes: file.bytes,
          sha256: file.sha256,
          alreadyDelivered: false,
          details: { messageId, mode: attach ? 'attachment' : 'link', recipients },
        };
      } catch (err) {
        throw toSmtpError(err, `sending to ${config.to.join(', ')} via ${config.host}:${config.port}`);
      } finally {
        t.close();
      }
    },

    async remove(_config, target) {
      await deps.fileLinks?.remove(target);
    },
  };
}
