import { z } from 'zod';

export const EMAIL_TEMPLATE_TOKENS = ['dataset', 'period', 'from', 'to', 'run_id', 'file', 'rows', 'bytes', 'link', 'link_expires'] as const;

const template = z
  .string()
  .min(1)
  .max(5000)
  .refine((t) => [...t.matchAll(/\{([a-z_]+)\}/g)].every((m) => (EMAIL_TEMPLATE_TOKENS as readonly string[]).includes(m[1]!)), {
    message: `unknown token; known tokens: ${EMAIL_TEMPLATE_TOKENS.map((t) => `{${t}}`).join(', ')}`,
  });

export const emailConfigSchema = z
  .object({
    host: z.string().min(1).max(253).describe('SMTP server host name.'),
    port: z.number().int().min(1).max(65535).default(587),
    tls: z.enum(['none', 'starttls', 'tls']).default('starttls').describe("'tls': TLS from the start (port 465); 'starttls': upgrade (587); 'none': plain."),
    username: z.string().min(1).max(320).optional(),
    password: z.string().min(1).max(1000).optional().describe('Secret: encrypted at rest, never returned or logged.'),
    from: z.email(),
    to: z.array(z.email()).min(1).max(50),
    subject: template.default('Sluice export: {dataset} {period}'),
    body: template.default('Your {dataset} export for {period} ({rows} rows) is attached as {file}.\n\nRun {run_id}.'),
    /** Over this the message carries a signed link valid 7 days instead of the file. */
    attachMaxBytes: z.number().int().min(1).max(25 * 1024 * 1024).default(10 * 1024 * 1024),
    linkBody: template.default('Your {dataset} export for {period} ({rows} rows, {bytes} bytes) is ready: {link}\n\nThe link works until {link_expires}.\n\nRun {run_id}.'),
  })
  .strict()
  .refine((c) => (c.username === undefined) === (c.password === undefined), { message: 'username and password go together', path: ['password'] });

export type EmailConfig = z.infer<typeof emailConfigSchema>;
export const EMAIL_SECRET_FIELDS = ['password'] as const;
