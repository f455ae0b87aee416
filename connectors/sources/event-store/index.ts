/**
 * The embedded event store: one DuckDB database file holding every dataset's rows. It is the source the
 * export transform reads; queries and COPYs run inside DuckDB, so rows never pass through Node.
 * DuckDB allows one writer process per file: the worker (or the all-in-one process) owns it.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBType, type DuckDBValue, LIST, VARCHAR, listValue } from '@duckdb/node-api';
import { DATASETS, datasetTableDdl, findDataset } from '../../../datasets/catalog.js';
import type { BoundQuery } from '../../../datasets/sql.js';
import { ConnectorError } from '../../errors.js';

export interface EventStoreOptions {
  /** Database file; ':memory:' for a throw-away store. */
  path: string;
  memoryLimit?: string;
  threads?: number | undefined;
  /** Where DuckDB spills when a sort or aggregate exceeds the memory limit. */
  tempDirectory?: string;
}

export interface SeedOptions {
  rows: number;
  seed: number;
  tenants: readonly string[];
  /** Last day (YYYY-MM-DD, UTC) of the generated 24 months. */
  end: string;
}

/**
 * Helpers for the synthetic generators, per connection. Every draw is a hash of (seed, row, salt), so
 * a generator is deterministic whatever DuckDB's parallelism.
 */
const GENERATOR_MACROS = [
  `CREATE OR REPLACE TEMP MACRO u(seed, i, salt) AS (hash(seed, i, salt) % 1000000)::DOUBLE / 1000000`,
  `CREATE OR REPLACE TEMP MACRO pick(list, seed, i, salt) AS list[1 + (hash(seed, i, salt) % len(list))::INTEGER]`,
  `CREATE OR REPLACE TEMP MACRO uuid_of(seed, i, salt) AS (
     substr(md5(hash(seed, i, salt)::VARCHAR), 1, 8) || '-' || substr(md5(hash(seed, i, salt)::VARCHAR), 9, 4) || '-4'
     || substr(md5(hash(seed, i, salt)::VARCHAR), 14, 3) || '-a' || substr(md5(hash(seed, i, salt)::VARCHAR), 18, 3) || '-'
     || substr(md5(hash(seed, i, salt)::VARCHAR), 21, 12))`,
  `CREATE OR REPLACE TEMP MACRO day_of(seed, i, salt, last_day) AS (last_day::DATE - 730) + floor(730 * sqrt(u(seed, i, salt)))::INTEGER`,
];

/** Binds a query's parameters, list parameters as VARCHAR[]. */
function bindings(query: BoundQuery): { values: Record<string, DuckDBValue>; types: Record<string, DuckDBType> } {
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  for (const [k, v] of Object.entries(query.params)) {
    if (Array.isArray(v)) {
      values[k] = listValue(v);
      types[k] = LIST(VARCHAR);
    } else values[k] = v;
  }
  return { values, types };
}

export class EventStore {
  private constructor(private readonly instance: DuckDBInstance) {}

  static async open(options: EventStoreOptions): Promise<EventStore> {
    if (options.path !== ':memory:') await mkdir(path.dirname(options.path), { recursive: true });
    const config: Record<string, string> = { memory_limit: options.memoryLimit ?? '1GB' };
    if (options.threads) config.threads = String(options.threads);
    if (options.tempDirectory) {
      await mkdir(options.tempDirectory, { recursive: true });
      config.temp_directory = options.tempDirectory;
    }
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(options.path, config);
    } catch (err) {
      const message = (err as Error).message;
      if (/lock/i.test(message)) {
        throw new ConnectorError('config', `the event store ${options.path} is in use by another Sluice process; stop it first`, { cause: err });
      }
      throw err;
    }
    const store = new EventStore(instance);
    const conn = await store.connect();
    try {
      for (const dataset of DATASETS.values()) await conn.run(datasetTableDdl(dataset));
    } finally {
      conn.closeSync();
    }
    return store;
  }

  connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /** Runs `COPY (query) TO target (options)`, interrupting DuckDB if `signal` aborts. Returns rows written. */
  async copyTo(query: BoundQuery, target: string, options: string, signal?: AbortSignal): Promise<number> {
    return this.withConnection(async (conn) => {
      const onAbort = () => conn.interrupt();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const escaped = target.replaceAll("'", "''");
        const { values, types } = bindings(query);
        const result = await conn.run(`COPY (${query.sql}) TO '${escaped}' (${options})`, values, types);
        const rows = await result.getRows();
        return Number(rows[0]?.[0] ?? 0);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    });
  }

  /** The first column of the first row, or null. */
  async scalar(query: BoundQuery): Promise<unknown> {
    return this.withConnection(async (conn) => {
      const { values, types } = bindings(query);
      const reader = await conn.runAndReadAll(query.sql, values, types);
      return reader.getRows()[0]?.[0] ?? null;
    });
  }

  /** The first row as a JSON-safe object, or undefined. */
  async row(query: BoundQuery): Promise<Record<string, unknown> | undefined> {
    return this.withConnection(async (conn) => {
      const { values, types } = bindings(query);
      const reader = await conn.runAndReadAll(query.sql, values, types);
      return reader.getRowObjectsJson()[0];
    });
  }

  async count(query: BoundQuery): Promise<number> {
    return Number((await this.scalar(query)) ?? 0);
  }

  /** Runs a statement (INSERT, DELETE) and returns the rows it changed. */
  async execute(sql: string, params: Record<string, string> = {}): Promise<number> {
    return this.withConnection(async (conn) => {
      const result = await conn.run(sql, params);
      return Number((await result.getRows())[0]?.[0] ?? 0);
    });
  }

  async rowCount(table: string): Promise<number> {
    return this.withConnection(async (conn) => {
      const reader = await conn.runAndReadAll(`SELECT count(*) FROM "${table.replaceAll('"', '""')}"`);
      return Number(reader.getRows()[0]?.[0] ?? 0);
    });
  }

  /** Generates synthetic rows for a dataset inside DuckDB; returns how many were inserted. */
  async seed(datasetId: string, options: SeedOptions): Promise<number> {
    const dataset = findDataset(datasetId);
    if (!dataset) throw new Error(`unknown dataset '${datasetId}'`);
    if (options.tenants.length === 0) throw new Error('seeding needs at least one tenant');
    const sql = dataset.generatorSql;
    const all: Record<string, DuckDBValue> = { rows: options.rows, seed: options.seed, tenants: listValue([...options.tenants]), end: options.end };
    // Bind exactly the parameters the generator names; DuckDB refuses unused ones.
    const used = new Set([...sql.matchAll(/\$(\w+)/g)].map((m) => m[1]!));
    const values = Object.fromEntries(Object.entries(all).filter(([k]) => used.has(k)));
    return this.withConnection(async (conn) => {
      for (const macro of GENERATOR_MACROS) await conn.run(macro);
      const result = await conn.run(sql, values, used.has('tenants') ? { tenants: LIST(VARCHAR) } : {});
      const rows = await result.getRows();
      await conn.run('CHECKPOINT');
      return Number(rows[0]?.[0] ?? 0);
    });
  }

  private async withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const conn = await this.connect();
    try {
      return await fn(conn);
    } finally {
      conn.closeSync();
    }
  }

  close(): void {
    this.instance.closeSync();
  }
}
