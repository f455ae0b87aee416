import path from 'node:path';
import { mkdir } from 'node:fs/promises';
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

/** Opens the store and applies pending migrations. */
export async function openStore(location: StoreLocation): Promise<Store> {
  let db: Database;
  if (location.databaseUrl) db = await openPostgres(location.databaseUrl);
  else {
    const dir = location.dataDir ? path.join(location.dataDir, 'metadata') : undefined;
    if (dir) await mkdir(dir, { recursive: true });
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
