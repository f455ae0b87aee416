/**
 * A real, throw-away Postgres server for the store tests: Debian's postgresql binaries (installed with
 * apt-get when missing and we are root), a fresh cluster in a temp directory, bound to 127.0.0.1 on a free
 * port with trust auth. Postgres refuses to run as root, so as root it runs as the `postgres` user.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : undefined;
}

async function installPostgres(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('Postgres is not installed and installing it needs root: apt-get install postgresql');
  await run('apt-get', ['update', '-qq'], { timeout: 300_000 });
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'], {
    timeout: 600_000,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
}

export async function startPostgres(port: number): Promise<PostgresServer> {
  let bin = findPostgresBin();
  if (!bin) {
    await installPostgres();
    bin = findPostgresBin();
    if (!bin) throw new Error('apt-get installed postgresql but no server binaries were found under /usr/lib/postgresql');
  }
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-pg-'));
  const dataDir = path.join(dir, 'data');
  const asUser = (cmd: string, args: string[]) => (asRoot ? { cmd: 'runuser', args: ['-u', 'postgres', '--', cmd, ...args] } : { cmd, args });
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const uid = Number(stdout.trim());
    const { stdout: gidOut } = await run('id', ['-g', 'postgres']);
    chownSync(dir, uid, Number(gidOut.trim()));
  }
  const init = asUser(path.join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  await run(init.cmd, init.args, { timeout: 120_000 });
  const server = asUser(path.join(bin, 'postgres'), [
    '-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`,
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
  ]);
  const child: ChildProcess = spawn(server.cmd, server.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}): ${log}`);
    try {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.end();
      break;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`postgres did not start: ${(err as Error).message} ${log}`, { cause: err });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url,
    async stop() {
      // pg_ctl waits until the postmaster is gone; the child wait below is bounded either way.
      const stopCmd = asUser(path.join(bin, 'pg_ctl'), ['-D', dataDir, 'stop', '-m', 'fast', '-w', '-t', '30']);
      await run(stopCmd.cmd, stopCmd.args, { timeout: 40_000 }).catch(() => child.kill('SIGKILL'));
      if (child.exitCode === null && child.signalCode === null) {
        await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5_000).unref())]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh database on the server, so test files never see each other's rows. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return serverUrl.replace(/\/[^/]*$/, `/${name}`);
}
