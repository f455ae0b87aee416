/**
 * A whole Sluice for one test file: metadata store (PGlite in memory, or a fresh Postgres database), an
 * event store seeded with tenants A and B, a real worker on its own task queue against the suite's Temporal
 * dev server, and the API app driven through `app.request()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { openStore, type Store } from '../../store/index.js';
import { EventStore } from '../../connectors/sources/event-store/index.js';
import { DestinationRegistry, type DestinationFactory } from '../../connectors/registry.js';
import { createApp } from '../../api/app.js';
import { temporalRunLauncher } from '../../api/run-launcher.js';
import { createExportWorker } from '../../platform/worker.js';
import type { ExportActivities } from '../../activities/index.js';
import { createLogger } from '../../platform/logger.js';
import { installWorkerRuntime } from '../../platform/runtime.js';
import { isoDay } from '../../datasets/window.js';
import { createDatabase } from './postgres-server.js';
import { LinkSigner } from '../../platform/signed-links.js';
import { createFileLinks } from '../../platform/file-links.js';
import { createMailer } from '../../platform/mailer.js';
import { SecretBox } from '../../platform/secret-box.js';

export interface TestPlatformOptions {
  seedRows?: number;
  store?: 'pglite' | 'postgres';
  wrapActivities?: (a: ExportActivities) => ExportActivities;
  extraDestinations?: Record<string, DestinationFactory>;
  startWorker?: boolean;
  /** Seconds until a completed run's files expire (7 days unless a test wants to watch it happen). */
  artifactTtlSeconds?: number;
  /** Stream exports: seconds an ingested row waits before a batch takes it (1 in tests). */
  streamSettleSeconds?: number;
  /** Sluice's own SMTP server (background-export e-mails), e.g. smtp://127.0.0.1:2525. */
  smtpUrl?: string;
  /** `delivery: "auto"` exports under this many rows are answered at once. */
  immediateMaxRows?: number;
  /** S3 multipart part size (S3's minimum, 5 MiB, keeps multipart tests small). */
  s3PartSizeBytes?: number;
}

export interface RequestOptions {
  key?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export const today = (): string => isoDay(new Date());
export const daysAgo = (n: number): string => isoDay(new Date(Date.now() - n * 86_400_000));

export async function startTestPlatform(options: TestPlatformOptions = {}) {
  installWorkerRuntime('warn');
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-test-'));
  const address = inject('temporalAddress');
  const taskQueue = `test-${randomBytes(6).toString('hex')}`;
  const databaseUrl = options.store === 'postgres' ? await createDatabase(inject('postgresUrl'), `t_${randomBytes(6).toString('hex')}`) : undefined;
  const store: Store = await openStore({ databaseUrl, secretBox: new SecretBox(randomBytes(32)) });
  const eventStore = await EventStore.open({ path: path.join(dir, 'events.duckdb'), memoryLimit: '512MB', threads: 2 });
  const tenantA = await store.tenants.create('tenant-a');
  const tenantB = await store.tenants.create('tenant-b');
  await eventStore.seed('install_events', { rows: options.seedRows ?? 20_000, seed: 7, tenants: [tenantA.id, tenantB.id], end: today() });

  const { key: adminKey } = await store.apiKeys.create({ role: 'admin', tenantId: null });
  const { key: keyA } = await store.apiKeys.create({ role: 'tenant', tenantId: tenantA.id });
  const { key: keyB } = await store.apiKeys.create({ role: 'tenant', tenantId: tenantB.id });

  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const filesRoot = path.join(dir, 'files');
  const stagingDir = path.join(dir, 'staging');
  const linkSigner = new LinkSigner(randomBytes(32));
  const fileLinks = createFileLinks({ filesRoot, signer: linkSigner, baseUrl: 'http://sluice.test' });
  const registry = new DestinationRegistry({ filesRoot, s3PartSizeBytes: options.s3PartSizeBytes, fileLinks }, options.extraDestinations);
  // Every log line the API and workers write, kept so tests can search them (for secrets, say).
  const logs: string[] = [];
  const log = createLogger('debug', {}, (line) => logs.push(line));
  const app = createApp({
    store,
    launcher: temporalRunLauncher(client, taskQueue, options.artifactTtlSeconds, options.streamSettleSeconds ?? 1),
    retentionMonths: 24,
    log,
    eventStore,
    ingestMaxBytes: 1 << 20,
    linkSigner,
    destinations: registry,
    filesRoot,
    backgroundMail: options.smtpUrl !== undefined,
    ...(options.immediateMaxRows ? { immediateMaxRows: options.immediateMaxRows } : {}),
  });

  const workers: { worker: Worker; done: Promise<void>; connection: NativeConnection }[] = [];
  const startWorker = async (wrapActivities = options.wrapActivities) => {
    const nativeConnection = await NativeConnection.connect({ address });
    const worker = await createExportWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      deps: {
        store,
        eventStore,
        destinations: registry,
        stagingDir,
        log,
        ...(options.artifactTtlSeconds ? { artifactTtlSeconds: options.artifactTtlSeconds } : {}),
        ...(options.smtpUrl ? { notifier: { mailer: createMailer({ url: options.smtpUrl, from: 'sluice@example.com' }), linkSigner, publicUrl: 'http://sluice.test' } } : {}),
      },
      workflowBundle: { codePath: inject('workflowBundlePath') },
      wrapActivities,
      options: { shutdownGraceTime: '1 second' },
    });
    const entry = { worker, done: worker.run(), connection: nativeConnection };
    workers.push(entry);
    return entry;
  };
  const stopWorker = async (entry: (typeof workers)[number]) => {
    if (entry.worker.getState() === 'RUNNING') entry.worker.shutdown();
    await entry.done.catch(() => undefined);
    await entry.connection.close();
    workers.splice(workers.indexOf(entry), 1);
  };
  if (options.startWorker !== false) await startWorker();

  const request = async (method: string, url: string, o: RequestOptions = {}) => {
    const headers: Record<string, string> = { ...(o.key ? { 'x-api-key': o.key } : {}), ...o.headers };
    let body: string | undefined = o.rawBody;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await app.request(url, { method, headers, body });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  };

  const waitForRun = async (id: string, key = adminKey, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await request('GET', `/v1/runs/${id}`, { key });
      if (['Completed', 'Failed', 'Cancelled', 'Expired'].includes(res.json?.status)) return res.json;
      if (Date.now() > deadline) {
        // Say what the workflow is waiting on: the pending activities and their last failures.
        const described = await client.workflow.getHandle(res.json?.workflowId).describe().catch(() => undefined);
        const pending = (described?.raw.pendingActivities ?? []).map((a) => `${a.activityType?.name} attempt ${a.attempt}: ${a.lastFailure?.message ?? 'no failure'}`);
        throw new Error(`run ${id} still ${res.json?.status} after ${timeoutMs} ms; pending: ${pending.join('; ') || 'none'}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  const createFilesystemDestination = async (key: string, destPath = 'out') => {
    const res = await request('POST', '/v1/destinations', { key, body: { name: `fs ${destPath}`, type: 'filesystem', config: { path: destPath } } });
    if (res.status !== 201) throw new Error(`destination not created: ${res.text}`);
    return res.json.id as string;
  };

  const createS3Destination = async (key: string, config: Record<string, unknown>, name = 's3') => {
    const res = await request('POST', '/v1/destinations', { key, body: { name, type: 's3', config: { region: 'us-east-1', forcePathStyle: true, ...config } } });
    if (res.status !== 201) throw new Error(`destination not created: ${res.text}`);
    return res.json.id as string;
  };

  /** Rows of a query against the event store, as JSON-safe objects. */
  const query = async (sql: string, params: Record<string, string> = {}): Promise<Record<string, any>[]> => {
    const conn = await eventStore.connect();
    try {
      return (await conn.runAndReadAll(sql, params)).getRowObjectsJson() as Record<string, any>[];
    } finally {
      conn.closeSync();
    }
  };

  return {
    dir,
    app,
    query,
    linkSigner,
    store,
    eventStore,
    client,
    taskQueue,
    filesRoot,
    stagingDir,
    tenantA,
    tenantB,
    adminKey,
    keyA,
    keyB,
    request,
    waitForRun,
    startWorker,
    stopWorker,
    createFilesystemDestination,
    createS3Destination,
    logs,
    async stop() {
      for (const w of [...workers]) await stopWorker(w);
      await connection.close();
      eventStore.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TestPlatform = Awaited<ReturnType<typeof startTestPlatform>>;
