/**
 * Sluice's own outgoing mail (announcing background exports), through the SMTP server in SLUICE_SMTP_URL
 * (`smtp://user:password@host:587`, `smtps://...:465`). Distinct from e-mail destinations, which carry
 * their own server settings.
 */
import nodemailer from 'nodemailer';

export interface Mailer {
  send(message: { to: string; subject: string; text: string; messageId: string }): Promise<void>;
}

export function createMailer(options: { url: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(options.url);
  return {
    async send(message) {
      await transport.sendMail({ from: options.from, ...message });
    },
  };
}
