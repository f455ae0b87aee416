/**
 * `npm run seed -- --rows N [--seed S] [--dataset install_events] [--end YYYY-MM-DD]`: fills the event store
 * with deterministic synthetic rows over the 24 months ending on --end (default today, UTC), spread over
 * the store's tenants (the demo tenants acme, globex and initech are created when there are none).
 * Run it while Sluice is stopped: the embedded stores allow one process at a time.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadSettings } from '../settings.js';
import { openStore } from '../store/index.js';
import { EventStore } from '../connectors/sources/event-store/index.js';
import { findDataset } from '../datasets/catalog.js';
import { isoDay } from '../datasets/window.js';
import { seedTenants } from '../platform/bootstrap.js';
import { exitWithError } from './exit.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '42' },
      dataset: { type: 'string', default: 'install_events' },
      end: { type: 'string' },
    },
    strict: true,
  });
  const rows = Number(values.rows);
  if (!Number.isInteger(rows) || rows <= 0) throw new Error(`--rows must be a positive integer (got '${values.rows}')`);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer (got '${values.seed}')`);
  if (!findDataset(values.dataset)) throw new Error(`unknown dataset '${values.dataset}'`);
  const end = values.end ?? isoDay(new Date());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(end)) throw new Error(`--end must be YYYY-MM-DD (got '${end}')`);

  const settings = loadSettings();
  const store = await openStore({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
  const events = await EventStore.open({ path: settings.eventStorePath, memoryLimit: settings.duckdbMemoryLimit, tempDirectory: path.join(settings.stagingDir, '.duckdb-spill') });
  try {
    const tenants = await seedTenants(store);
    const started = Date.now();
    const inserted = await events.seed(values.dataset, { rows, seed, tenants, end });
    process.stdout.write(`seeded ${inserted} ${values.dataset} rows for ${tenants.length} tenants in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    events.close();
    await store.close();
  }
}

main().catch(exitWithError);
