/**
 * A worker alone, the production shape: polls the export task queue on an external Temporal
 * (TEMPORAL_ADDRESS), records runs in Postgres (DATABASE_URL), reads the event store and stages under
 * SLUICE_STAGING_DIR. SIGINT/SIGTERM drain in-flight activities before exiting.
 */
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { loadSettings } from '../settings.js';
import { createLogger } from '../platform/logger.js';
import { installWorkerRuntime } from '../platform/runtime.js';
import { createExportWorker } from '../platform/worker.js';
import { openStore } from '../store/index.js';
import { SecretBox, loadMasterKey } from '../platform/secret-box.js';
import { EventStore } from '../connectors/sources/event-store/index.js';
import { DestinationRegistry } from '../connectors/registry.js';
import { exitWithError } from './exit.js';
import { LinkSigner, loadLinkKey } from '../platform/signed-links.js';
import { createFileLinks } from '../platform/file-links.js';
import { createMailer } from '../platform/mailer.js';

async function main(): Promise<void> {
  const settings = loadSettings();
  if (!settings.temporal.address) throw new Error('TEMPORAL_ADDRESS is required for a worker process (npm start runs everything in one process)');
  if (!settings.databaseUrl) throw new Error('DATABASE_URL is required for a worker process: API and workers share one Postgres');
  const log = createLogger(settings.logLevel, { service: 'sluice-worker' });
  installWorkerRuntime(settings.logLevel);
  const masterKey = await loadMasterKey({ configured: settings.masterKey, dataDir: settings.dataDir, production: true });
  const store = await openStore({ databaseUrl: settings.databaseUrl, secretBox: new SecretBox(masterKey) });
  const eventStore = await EventStore.open({
    path: settings.eventStorePath,
    memoryLimit: settings.duckdbMemoryLimit,
    threads: settings.duckdbThreads,
    tempDirectory: path.join(settings.stagingDir, '.duckdb-spill'),
  });
  const signer = new LinkSigner(await loadLinkKey(settings.linkSecret, settings.dataDir));
  const fileLinks = createFileLinks({ filesRoot: settings.filesRoot, signer, baseUrl: settings.publicUrl });
  const connection = await NativeConnection.connect({ address: settings.temporal.address });
  const worker = await createExportWorker({
    connection,
    namespace: settings.temporal.namespace,
    taskQueue: settings.temporal.taskQueue,
    deps: { store, eventStore, destinations: new DestinationRegistry({ filesRoot: settings.filesRoot, fileLinks }), stagingDir: settings.stagingDir, log, gzipLevel: settings.gzipLevel, artifactTtlSeconds: settings.artifactTtlSeconds,
      ...(settings.smtpUrl ? { notifier: { mailer: createMailer({ url: settings.smtpUrl, from: settings.mailFrom }), linkSigner: signer, publicUrl: settings.publicUrl } } : {}) },
  });
  const stop = () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  log.info('worker polling', { taskQueue: settings.temporal.taskQueue, address: settings.temporal.address });
  await worker.run();
  eventStore.close();
  await Promise.all([store.close(), connection.close()]);
}

main().catch(exitWithError);
