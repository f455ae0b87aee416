import { z } from 'zod';

/** An S3 key prefix: no leading slash, no `..` segments; a trailing slash is added when missing. */
const prefix = z
  .string()
  .max(500)
  .refine((p) => !p.startsWith('/'), 'must not start with a slash')
  .refine((p) => p.split('/').every((seg) => seg !== '..' && seg !== '.'), "may not contain '.' or '..' segments")
  .transform((p) => (p === '' || p.endsWith('/') ? p : `${p}/`));

/** Field names follow the AWS SDK's (S3ClientConfig and PutObject input), so AWS users recognise them. */
export const s3ConfigSchema = z
  .object({
    bucket: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name: 3-63 lower-case letters, digits, dots and hyphens')
      .describe('Bucket that receives the files.'),
    prefix: prefix.default('').describe("Key prefix inside the bucket, e.g. 'exports/sluice/'."),
    region: z.string().regex(/^[a-z0-9-]+$/, "must look like 'eu-central-1'").default('us-east-1'),
    endpoint: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .optional()
      .describe('Endpoint of an S3-compatible store (MinIO, Ceph, R2...); omit for AWS.'),
    forcePathStyle: z.boolean().default(false).describe('Address the bucket in the path (most S3-compatible stores need this).'),
    accessKeyId: z.string().min(16).max(128),
    secretAccessKey: z.string().min(1).max(256).describe('Secret: encrypted at rest, never returned or logged.'),
    serverSideEncryption: z.enum(['AES256', 'aws:kms']).optional(),
    sseKmsKeyId: z.string().min(1).optional().describe("KMS key for serverSideEncryption 'aws:kms'."),
  })
  .strict()
  .refine((c) => !c.sseKmsKeyId || c.serverSideEncryption === 'aws:kms', {
    message: "sseKmsKeyId needs serverSideEncryption 'aws:kms'",
    path: ['sseKmsKeyId'],
  });

export type S3Config = z.infer<typeof s3ConfigSchema>;
export const S3_SECRET_FIELDS = ['secretAccessKey'] as const;
