/**
 * `npm start`: the whole platform in one process on embedded defaults. A Temporal dev server (persistent
 * SQLite and UI under ./data, unless TEMPORAL_ADDRESS points elsewhere), the metadata store (PGlite under
 * ./data, or DATABASE_URL), the event store, one worker and the HTTP API. Ctrl-C drains the worker and
 * stops everything cleanly; the next start finds every run, destination and export again.
 */
import path from 'node:path';
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadSettings } from '../settings.js';
import { createLogger } from '../platform/logger.js';
import { findTemporalCli } from '../platform/temporal-cli.js';
import { startDevServer } from '../platform/dev-server.js';
import { ensureSearchAttributes } from '../platform/search-attributes.js';
import { ensureAdminKey, ensureDemoData } from '../platform/bootstrap.js';
import { createExportWorker } from '../platform/worker.js';
import { openStore } from '../store/index.js';
import { SecretBox, loadMasterKey } from '../platform/secret-box.js';
import { EventStore } from '../connectors/sources/event-store/index.js';
import { DestinationRegistry } from '../connectors/registry.js';
import { createApp } from '../api/app.js';
import { temporalRunLauncher } from '../api/run-launcher.js';
import { ensureRetentionSchedule } from '../platform/retention-schedule.js';
import { LinkSigner, loadLinkKey } from '../platform/signed-links.js';
import { createFileLinks } from '../platform/file-links.js';
import { createMailer } from '../platform/mailer.js';
import { installWorkerRuntime } from '../platform/runtime.js';
import { exitWithError } from './exit.js';

const settings = loadSettingsOrExit();
const log = createLogger(settings.logLevel, { service: 'sluice' });
const stops: (() => Promise<void>)[] = [];

function loadSettingsOrExit() {
  try {
    return loadSettings();
  } catch (err) {
    return exitWithError(err);
  }
}

async function startTemporal(): Promise<{ address: string; uiUrl: string | undefined }> {
  const t = settings.temporal;
  if (t.address) return { address: t.address, uiUrl: undefined };
  const dbFile = path.join(settings.dataDir, 'temporal', 'temporal.db');
  const cli = await findTemporalCli({ cliPath: t.cliPath, install: true, log });
  if (cli) {
    const server = await startDevServer({ cliPath: cli, port: t.port, uiPort: t.uiPort, dbFile, namespace: t.namespace, log });
    stops.push(() => server.stop());
    return { address: server.address, uiUrl: server.uiUrl };
  }
  log.warn('no Temporal CLI found and python3 could not install one; asking the Temporal SDK to download it (needs internet)');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ip: '127.0.0.1',
      port: t.port,
      ui: true,
      uiPort: t.uiPort,
      dbFilename: dbFile,
      namespace: t.namespace,
      extraArgs: ['--dynamic-config-value', 'frontend.enableServerVersionCheck=false'],
    },
  });
  stops.push(() => env.teardown());
  return { address: `127.0.0.1:${t.port}`, uiUrl: `http://127.0.0.1:${t.uiPort}` };
}

async function main(): Promise<void> {
  installWorkerRuntime(settings.logLevel);
  const temporal = await startTemporal();
  const connection = await Connection.connect({ address: temporal.address });
  stops.push(() => connection.close());
  await ensureSearchAttributes(connection, settings.temporal.namespace);

  const masterKey = await loadMasterKey({ configured: settings.masterKey, dataDir: settings.dataDir, production: Boolean(settings.databaseUrl) });
  const store = await openStore({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir, secretBox: new SecretBox(masterKey) });
  stops.push(() => store.close());
  const generatedKey = await ensureAdminKey(store, settings.adminKey, log);

  const eventStore = await EventStore.open({
    path: settings.eventStorePath,
    memoryLimit: settings.duckdbMemoryLimit,
    threads: settings.duckdbThreads,
    tempDirectory: path.join(settings.stagingDir, '.duckdb-spill'),
  });
  stops.push(() => Promise.resolve(eventStore.close()));
  await ensureDemoData(store, eventStore, settings.demoRows, log);

  const linkSigner = new LinkSigner(await loadLinkKey(settings.linkSecret, settings.dataDir));
  const fileLinks = createFileLinks({ filesRoot: settings.filesRoot, signer: linkSigner, baseUrl: settings.publicUrl });
  const destinations = new DestinationRegistry({ filesRoot: settings.filesRoot, fileLinks });
  const workerConnection = await NativeConnection.connect({ address: temporal.address });
  stops.push(() => workerConnection.close());
  const worker = await createExportWorker({
    connection: workerConnection,
    namespace: settings.temporal.namespace,
    taskQueue: settings.temporal.taskQueue,
    deps: {
      store,
      eventStore,
      destinations,
      stagingDir: settings.stagingDir,
      log,
      gzipLevel: settings.gzipLevel, artifactTtlSeconds: settings.artifactTtlSeconds,
      ...(settings.smtpUrl ? { notifier: { mailer: createMailer({ url: settings.smtpUrl, from: settings.mailFrom }), linkSigner, publicUrl: settings.publicUrl } } : {}),
    },
  });
  const workerDone = worker.run();

  const client = new Client({ connection, namespace: settings.temporal.namespace });
  await ensureRetentionSchedule(client, { taskQueue: settings.temporal.taskQueue, retentionMonths: settings.retentionMonths });
  const app = createApp({
    store,
    launcher: temporalRunLauncher(client, settings.temporal.taskQueue, settings.artifactTtlSeconds, settings.streamSettleSeconds),
    linkSigner,
    destinations,
    filesRoot: settings.filesRoot,
    backgroundMail: settings.smtpUrl !== undefined,
    linkTtlSeconds: settings.linkTtlSeconds,
    retentionMonths: settings.retentionMonths,
    log,
    eventStore,
    ingestMaxBytes: settings.ingestMaxBytes,
    immediateMaxRows: settings.immediateMaxRows,
    gzipLevel: settings.gzipLevel,
  });
  const server = serve({ fetch: app.fetch, hostname: settings.host, port: settings.port });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });

  const api = `http://${settings.host}:${settings.port}`;
  process.stdout.write(
    [
      '',
      `Sluice is running.`,
      `  API             ${api}   (reference: ${api}/docs, OpenAPI: ${api}/openapi.json)`,
      `  Temporal UI     ${temporal.uiUrl ?? `(external Temporal at ${temporal.address})`}`,
      `  Files           ${settings.filesRoot}`,
      ...(generatedKey ? ['', `  Admin API key (shown once; store it now): ${generatedKey}`] : []),
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await workerDone.catch(() => undefined);
    for (const stop of stops.reverse()) await stop().catch((err: Error) => log.warn('stop step failed', { error: err.message }));
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  workerDone.catch(async (err: Error) => {
    if (stopping) return;
    log.error('worker stopped unexpectedly', { error: err.message });
    await shutdown('worker-failure');
  });
}

main().catch(async (err) => {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  exitWithError(err);
});
