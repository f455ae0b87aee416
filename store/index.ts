import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Database, openPglite, openPostgres } from './database.js';
import { migrate } from './migrations.js';
import { TenantRepository } from './tenants.js';
import { ApiKeyRepository } from './api-keys.js';
import { DestinationRepository } from './destinations.js';
import { RunRepository } from './runs.js';
import { DeliveryLedger } from './delivery-ledger.js';
import { AuditLog } from './audit-log.js';
import { ExportRepository } from './exports.js';
import type { SecretBox } from '../platform/secret-box.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** The metadata store: every repository over one database. */
export class Store {
  readonly tenants: TenantRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly destinations: DestinationRepository;
  readonly runs: RunRepository;
  readonly ledger: DeliveryLedger;
  readonly audit: AuditLog;
  readonly exports: ExportRepository;

  constructor(
    readonly db: Database,
    secretBox?: SecretBox,
  ) {
    this.tenants = new TenantRepository(db);
    this.apiKeys = new ApiKeyRepository(db);
    this.destinations = new DestinationRepository(db, secretBox);
    this.runs = new RunRepository(db);
    this.ledger = new DeliveryLedger(db);
    this.audit = new AuditLog(db);
    this.exports = new ExportRepository(db);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

export interface StoreLocation {
  /** postgres:// URL; when absent the embedded PGlite under `dataDir` is used. */
  databaseUrl?: string | undefined;
  /** Directory for PGlite; undefined keeps it in memory. */
  dataDir?: string | undefined;
  /** Seals destination secrets; without it, destinations with secrets cannot be stored. */
  secretBox?: SecretBox | undefined;
}

/**
 * Creating a PGlite cluster runs initdb inside WASM and leaves about 450 MB of WASM memory behind in the
 * process that did it; opening an existing one costs about 200 MB. So a new embedded store is created by a
 * short-lived child process, and this process only ever opens an existing one.
 */
async function initPgliteInChild(dir: string): Promise<void> {
  if (existsSync(path.join(dir, 'PG_VERSION'))) return;
  const script = `const { PGlite } = await import('@electric-sql/pglite'); const db = await PGlite.create(process.argv[1]); await db.close();`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir], { stdio: ['ignore', 'ignore', 'pipe'], cwd: projectRoot });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`creating the embedded metadata store in ${dir} failed: ${err.trim()}`))));
  });
}

/** Opens the store and applies pending migrations. */
export async function openStore(location: StoreLocation): Promise<Store> {
  let db: Database;
  if (location.databaseUrl) db = await openPostgres(location.databaseUrl);
  else {
    const dir = location.dataDir ? path.join(location.dataDir, 'metadata') : undefined;
    if (dir) {
      await mkdir(dir, { recursive: true });
      await initPgliteInChild(dir);
    }
    db = await openPglite(dir);
  }
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return new Store(db, location.secretBox);
}

export type { Database } from './database.js';
export type { Scope } from './scope.js';
