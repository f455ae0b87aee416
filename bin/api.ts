/**
 * The API alone, the production shape: connects to an external Temporal (TEMPORAL_ADDRESS) and Postgres
 * (DATABASE_URL); run as many as needed behind a load balancer. Workers run separately (bin/worker.ts).
 */
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { loadSettings } from '../settings.js';
import { createLogger } from '../platform/logger.js';
import { ensureSearchAttributes } from '../platform/search-attributes.js';
import { ensureAdminKey } from '../platform/bootstrap.js';
import { openStore } from '../store/index.js';
import { SecretBox, loadMasterKey } from '../platform/secret-box.js';
import { createApp } from '../api/app.js';
import { temporalRunLauncher } from '../api/run-launcher.js';
import { ensureRetentionSchedule } from '../platform/retention-schedule.js';
import { LinkSigner, loadLinkKey } from '../platform/signed-links.js';
import { DestinationRegistry } from '../connectors/registry.js';
import { exitWithError } from './exit.js';

async function main(): Promise<void> {
  const settings = loadSettings();
  if (!settings.temporal.address) throw new Error('TEMPORAL_ADDRESS is required for the API process (npm start runs everything in one process)');
  if (!settings.databaseUrl) throw new Error('DATABASE_URL is required for the API process: API and workers share one Postgres');
  const log = createLogger(settings.logLevel, { service: 'sluice-api' });
  const connection = await Connection.connect({ address: settings.temporal.address });
  await ensureSearchAttributes(connection, settings.temporal.namespace);
  const masterKey = await loadMasterKey({ configured: settings.masterKey, dataDir: settings.dataDir, production: true });
  const store = await openStore({ databaseUrl: settings.databaseUrl, secretBox: new SecretBox(masterKey) });
  const generatedKey = await ensureAdminKey(store, settings.adminKey, log);
  if (generatedKey) process.stdout.write(`Admin API key (shown once; store it now): ${generatedKey}\n`);
  const client = new Client({ connection, namespace: settings.temporal.namespace });
  await ensureRetentionSchedule(client, { taskQueue: settings.temporal.taskQueue, retentionMonths: settings.retentionMonths });
  const app = createApp({
    store,
    launcher: temporalRunLauncher(client, settings.temporal.taskQueue, settings.artifactTtlSeconds, settings.streamSettleSeconds),
    linkSigner: new LinkSigner(await loadLinkKey(settings.linkSecret, settings.dataDir)),
    destinations: new DestinationRegistry({ filesRoot: settings.filesRoot }),
    filesRoot: settings.filesRoot,
    backgroundMail: settings.smtpUrl !== undefined,
    linkTtlSeconds: settings.linkTtlSeconds,
    retentionMonths: settings.retentionMonths,
    log,
  });
  const server = serve({ fetch: app.fetch, hostname: settings.host, port: settings.port }, () =>
    log.info('api listening', { url: `http://${settings.host}:${settings.port}` }),
  );
  const stop = () => {
    server.close(() => void Promise.all([store.close(), connection.close()]).finally(() => process.exit(0)));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch(exitWithError);
