/**
 * `npm start` as a user runs it: the all-in-one process starts its own Temporal dev server with a persistent
 * SQLite file, seeds demo data, serves the API; Ctrl-C (SIGINT) stops everything cleanly; a second start
 * finds the run and destination again, and Temporal still knows the workflow.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { daysAgo } from '../helpers/platform.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'sluice-start-'));
const adminKey = 'sk_test_admin_key_0123456789abcdef';
let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

async function start(ports: { api: number; temporal: number; ui: number }) {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bin/start.ts'], {
    env: {
      ...process.env,
      PORT: String(ports.api),
      TEMPORAL_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      TEMPORAL_ADDRESS: '',
      TEMPORAL_CLI_PATH: inject('temporalCliPath'),
      SLUICE_DATA_DIR: dataDir,
      SLUICE_ADMIN_KEY: adminKey,
      SLUICE_DEMO_ROWS: '3000',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 90_000;
  while (!out.includes('Sluice is running')) {
    if (proc.exitCode !== null) throw new Error(`npm start exited early: ${out}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up: ${out}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { proc, output: () => out };
}

async function stop(proc: ChildProcess): Promise<number | null> {
  const exited = once(proc, 'exit');
  proc.kill('SIGINT');
  const [code] = (await exited) as [number | null];
  return code;
}

const api = (port: number) => async (method: string, url: string, body?: unknown) => {
  const res = await fetch(`http://127.0.0.1:${port}${url}`, {
    method,
    headers: { 'x-api-key': adminKey, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: (await res.json()) as any };
};

it('starts, exports, stops on Ctrl-C and keeps everything across a restart', async () => {
  const ports = { api: await freePort(), temporal: await freePort(), ui: await freePort() };
  const call = api(ports.api);

  const first = await start(ports);
  child = first.proc;
  expect(first.output()).toContain(`Temporal UI     http://127.0.0.1:${ports.ui}`);
  expect(first.output()).not.toContain(adminKey);
  const ui = await fetch(`http://127.0.0.1:${ports.ui}/`);
  expect(ui.status).toBe(200);

  const destination = await call('POST', '/v1/destinations', { name: 'files', type: 'filesystem', config: { path: 'exports' } });
  expect(destination.status).toBe(201);
  const started = await call('POST', '/v1/runs', {
    dataset: 'install_events',
    format: 'csv',
    from: daysAgo(7),
    to: daysAgo(1),
    destinations: [destination.json.id],
  });
  expect(started.status).toBe(202);
  let run = started.json;
  for (let i = 0; i < 240 && !['Completed', 'Failed'].includes(run.status); i++) {
    await new Promise((r) => setTimeout(r, 250));
    run = (await call('GET', `/v1/runs/${run.id}`)).json;
  }
  expect(run.status).toBe('Completed');
  expect(run.rows).toBeGreaterThan(0);
  expect(readFileSync(run.files[0].location, 'utf8').split('\n').length - 2).toBe(run.rows);
  expect(run.files[0].location.startsWith(path.join(dataDir, 'files', 'exports'))).toBe(true);

  expect(await stop(first.proc)).toBe(0);
  expect(await portOpen(ports.temporal)).toBe(false);
  expect(await portOpen(ports.api)).toBe(false);

  const second = await start(ports);
  child = second.proc;
  const again = await call('GET', `/v1/runs/${run.id}`);
  expect(again.json).toMatchObject({ id: run.id, status: 'Completed', rows: run.rows });
  const destinations = await call('GET', '/v1/destinations');
  expect(destinations.json.destinations.map((d: { id: string }) => d.id)).toEqual([destination.json.id]);
  // The demo data was seeded once, not again.
  expect(second.output()).not.toContain('seeded demo data');
  expect(await stop(second.proc)).toBe(0);
}, 240_000);
