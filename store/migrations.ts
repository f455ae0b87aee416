/**
 * Versioned schema migrations, applied in order at start-up inside one transaction each. A migration is
 * never edited once released; changes are new versions. Plain Postgres SQL that PGlite runs unchanged.
 */
import type { Database } from './database.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE tenants (
  id          text PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  id          text PRIMARY KEY,
  tenant_id   text REFERENCES tenants(id),
  role        text NOT NULL CHECK (role IN ('admin', 'tenant')),
  key_hash    text NOT NULL UNIQUE,
  key_prefix  text NOT NULL,
  label       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  CHECK ((role = 'tenant') = (tenant_id IS NOT NULL))
);

CREATE TABLE destinations (
  id          text PRIMARY KEY,
  tenant_id   text REFERENCES tenants(id),
  name        text NOT NULL,
  type        text NOT NULL,
  config      jsonb NOT NULL,
  secrets     text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX destinations_tenant ON destinations (tenant_id);

CREATE TABLE exports (
  id          text PRIMARY KEY,
  tenant_id   text REFERENCES tenants(id),
  name        text NOT NULL,
  dataset     text NOT NULL,
  spec        jsonb NOT NULL,
  schedule    jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX exports_tenant ON exports (tenant_id);

CREATE TABLE runs (
  id            text PRIMARY KEY,
  tenant_id     text REFERENCES tenants(id),
  export_id     text REFERENCES exports(id),
  dataset       text NOT NULL,
  format        text NOT NULL,
  window_from   date NOT NULL,
  window_to     date NOT NULL,
  settings      jsonb NOT NULL,
  destination_ids text[] NOT NULL,
  status        text NOT NULL CHECK (status IN ('Pending','Processing','Completed','Failed','Cancelled','Expired')),
  workflow_id   text NOT NULL UNIQUE,
  requested_by  text,
  requested_at  timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz,
  expires_at    timestamptz,
  rows          bigint,
  bytes         bigint,
  files         integer,
  error         jsonb
);
CREATE INDEX runs_tenant_requested ON runs (tenant_id, requested_at DESC);
CREATE INDEX runs_export ON runs (export_id, requested_at DESC);

CREATE TABLE artifacts (
  id              text PRIMARY KEY,
  run_id          text NOT NULL REFERENCES runs(id),
  destination_id  text NOT NULL,
  partition_key   text NOT NULL,
  object_key      text NOT NULL,
  location        text NOT NULL,
  format          text NOT NULL,
  rows            bigint NOT NULL,
  bytes           bigint NOT NULL,
  sha256          text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz,
  UNIQUE (run_id, destination_id, partition_key)
);

CREATE TABLE delivery_ledger (
  run_id          text NOT NULL REFERENCES runs(id),
  partition_key   text NOT NULL,
  destination_id  text NOT NULL,
  delivery_key    text NOT NULL UNIQUE,
  state           text NOT NULL CHECK (state IN ('pending','delivering','delivered','failed')),
  attempts        integer NOT NULL DEFAULT 0,
  rows            bigint,
  checksum        text,
  receipt         jsonb,
  error           text,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, partition_key, destination_id)
);

CREATE TABLE audit_log (
  id            bigserial PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  actor         text NOT NULL,
  tenant_id     text,
  action        text NOT NULL,
  resource_type text NOT NULL,
  resource_id   text,
  details       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at DESC);

-- The audit log is append-only: the database itself refuses to change or remove a record.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
`,
  },
  {
    version: 2,
    name: 'artifact kinds; a delivery key may recur across runs (re-delivery of a window)',
    sql: `
ALTER TABLE artifacts ADD COLUMN kind text NOT NULL DEFAULT 'data' CHECK (kind IN ('data', 'manifest', 'marker'));
-- Running a saved export's window again is the same delivery again: same key, a new run's ledger row.
ALTER TABLE delivery_ledger DROP CONSTRAINT delivery_ledger_delivery_key_key;
CREATE INDEX delivery_ledger_delivery_key ON delivery_ledger (delivery_key);
`,
  },
  {
    version: 3,
    name: 'deleted exports stay for their runs history',
    sql: `
ALTER TABLE exports ADD COLUMN deleted_at timestamptz;
`,
  },
  {
    version: 4,
    name: "a tenant's address for background-export e-mails",
    sql: `
ALTER TABLE tenants ADD COLUMN notify_email text;
`,
  },
];

export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied = new Set(
    (await db.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)),
  );
  const done: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    await db.transaction(async (tx) => {
      // Serialise concurrent starters (api and worker processes) on the same Postgres.
      await tx.query('SELECT pg_advisory_xact_lock(727274)');
      const again = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (again.length > 0) return;
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    });
    done.push(m.version);
  }
  return done;
}

/** Splits a script on top-level semicolons, keeping dollar-quoted bodies whole. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let inDollar = false;
  for (let i = 0; i < sql.length; i++) {
    if (sql.startsWith('$$', i)) {
      inDollar = !inDollar;
      current += '$$';
      i++;
      continue;
    }
    const ch = sql[i]!;
    if (ch === ';' && !inDollar) {
      if (current.trim()) out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out.filter((s) => !/^(--[^\n]*\n?\s*)*$/.test(s));
}
