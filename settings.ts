/**
 * Process configuration, parsed once at start-up from the environment. A bad value stops the process with
 * a message naming the variable, rather than failing later in the middle of a run.
 */
import path from 'node:path';
import { z } from 'zod';
import { TASK_QUEUE } from './temporal.config.js';

const envSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(TASK_QUEUE),
  TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  SLUICE_PUBLIC_URL: z.url().optional(),
  SLUICE_SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  SLUICE_MAIL_FROM: z.email().default('sluice@localhost'),
  SLUICE_DATA_DIR: z.string().default('data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  SLUICE_ADMIN_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  SLUICE_FILES_ROOT: z.string().optional(),
  SLUICE_STAGING_DIR: z.string().optional(),
  SLUICE_EVENT_STORE: z.string().optional(),
  SLUICE_DUCKDB_MEMORY_LIMIT: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i).default('512MB'),
  SLUICE_INGEST_MAX_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
  SLUICE_IMMEDIATE_MAX_ROWS: z.coerce.number().int().min(0).default(100_000),
  SLUICE_MASTER_KEY: z.string().optional(),
  SLUICE_LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SLUICE_LINK_TTL_SECONDS: z.coerce.number().int().min(1).default(900),
  SLUICE_ARTIFACT_TTL_SECONDS: z.coerce.number().int().min(1).default(7 * 24 * 3600),
  SLUICE_STREAM_SETTLE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  SLUICE_GZIP_LEVEL: z.coerce.number().int().min(1).max(9).default(1),
  SLUICE_DUCKDB_THREADS: z.coerce.number().int().min(1).optional(),
  SLUICE_RETENTION_MONTHS: z.coerce.number().int().min(1).max(120).default(24),
  SLUICE_DEMO_ROWS: z.coerce.number().int().min(0).default(50_000),
  SLUICE_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export interface Settings {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  adminKey: string | undefined;
  filesRoot: string;
  stagingDir: string;
  eventStorePath: string;
  duckdbMemoryLimit: string;
  duckdbThreads: number | undefined;
  gzipLevel: number;
  ingestMaxBytes: number;
  immediateMaxRows: number;
  masterKey: string | undefined;
  linkSecret: string | undefined;
  /** Base of links Sluice sends people (download links in e-mails). */
  publicUrl: string;
  /** Sluice's own mail (background-export announcements); none when unset. */
  smtpUrl: string | undefined;
  mailFrom: string;
  linkTtlSeconds: number;
  artifactTtlSeconds: number;
  /** Stream exports leave rows ingested this recently for the next batch. */
  streamSettleSeconds: number;
  retentionMonths: number;
  demoRows: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  temporal: {
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    port: number;
    uiPort: number;
    cliPath: string | undefined;
  };
}

export class SettingsError extends Error {}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  // An empty variable (`TEMPORAL_ADDRESS=`) means unset, as in most shells' habits.
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new SettingsError(`invalid environment: ${problems}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.SLUICE_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    adminKey: e.SLUICE_ADMIN_KEY,
    filesRoot: path.resolve(e.SLUICE_FILES_ROOT ?? path.join(dataDir, 'files')),
    stagingDir: path.resolve(e.SLUICE_STAGING_DIR ?? path.join(dataDir, 'staging')),
    eventStorePath: path.resolve(e.SLUICE_EVENT_STORE ?? path.join(dataDir, 'events.duckdb')),
    duckdbMemoryLimit: e.SLUICE_DUCKDB_MEMORY_LIMIT,
    duckdbThreads: e.SLUICE_DUCKDB_THREADS,
    gzipLevel: e.SLUICE_GZIP_LEVEL,
    ingestMaxBytes: e.SLUICE_INGEST_MAX_BYTES,
    immediateMaxRows: e.SLUICE_IMMEDIATE_MAX_ROWS,
    masterKey: e.SLUICE_MASTER_KEY,
    linkSecret: e.SLUICE_LINK_SECRET,
    publicUrl: e.SLUICE_PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`,
    smtpUrl: e.SLUICE_SMTP_URL,
    mailFrom: e.SLUICE_MAIL_FROM,
    linkTtlSeconds: e.SLUICE_LINK_TTL_SECONDS,
    artifactTtlSeconds: e.SLUICE_ARTIFACT_TTL_SECONDS,
    streamSettleSeconds: e.SLUICE_STREAM_SETTLE_SECONDS,
    retentionMonths: e.SLUICE_RETENTION_MONTHS,
    demoRows: e.SLUICE_DEMO_ROWS,
    logLevel: e.SLUICE_LOG_LEVEL,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      port: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      cliPath: e.TEMPORAL_CLI_PATH,
    },
  };
}
