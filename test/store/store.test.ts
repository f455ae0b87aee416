/** The metadata store, the same tests on the embedded PGlite and on a real Postgres server. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openStore, type Store } from '../../store/index.js';
import { MIGRATIONS, migrate } from '../../store/migrations.js';
import type { Scope } from '../../store/scope.js';
import { createDatabase } from '../helpers/postgres-server.js';
import { SecretBox } from '../../platform/secret-box.js';

describe.each(['pglite', 'postgres'] as const)('metadata store on %s', (kind) => {
  let store: Store;
  let scopeA: Scope;
  let scopeB: Scope;
  const admin: Scope = { role: 'admin', actor: 'key_admin' };

  beforeAll(async () => {
    const databaseUrl = kind === 'postgres' ? await createDatabase(inject('postgresUrl'), `s_${randomBytes(6).toString('hex')}`) : undefined;
    store = await openStore({ databaseUrl, secretBox: new SecretBox(randomBytes(32)) });
    expect(store.db.kind).toBe(kind);
    const a = await store.tenants.create('a');
    const b = await store.tenants.create('b');
    scopeA = { role: 'tenant', tenantId: a.id, actor: 'key_a' };
    scopeB = { role: 'tenant', tenantId: b.id, actor: 'key_b' };
  });
  afterAll(async () => store?.close());

  it('applies migrations once; applying again changes nothing', async () => {
    expect(await migrate(store.db)).toEqual([]);
    const applied = await store.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(applied.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('authenticates API keys by hash and never stores the key', async () => {
    const { key, apiKey } = await store.apiKeys.create({ role: 'tenant', tenantId: (scopeA as { tenantId: string }).tenantId });
    expect((await store.apiKeys.authenticate(key))?.id).toBe(apiKey.id);
    expect(await store.apiKeys.authenticate(key + 'x')).toBeUndefined();
    const raw = await store.db.query('SELECT * FROM api_keys');
    expect(JSON.stringify(raw)).not.toContain(key);
  });

  it('refuses a tenant key without a tenant', async () => {
    await expect(store.apiKeys.create({ role: 'tenant', tenantId: null })).rejects.toThrow();
  });

  it('scopes destinations by tenant', async () => {
    const d = await store.destinations.create(scopeA, { name: 'a', type: 'filesystem', config: { path: 'x' } });
    expect((await store.destinations.get(scopeA, d.id))?.config).toEqual({ path: 'x' });
    expect(await store.destinations.get(scopeB, d.id)).toBeUndefined();
    expect(await store.destinations.delete(scopeB, d.id)).toBe(false);
    expect((await store.destinations.get(admin, d.id))?.tenantId).toBe((scopeA as { tenantId: string }).tenantId);
    expect((await store.destinations.list(scopeB)).map((x) => x.id)).not.toContain(d.id);
  });

  it('keeps destination secrets sealed at rest and out of get and list', async () => {
    const d = await store.destinations.create(scopeA, {
      name: 's3',
      type: 's3',
      config: { bucket: 'b', accessKeyId: 'AKIAEXAMPLE' },
      secrets: { secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    });
    const raw = await store.db.query('SELECT * FROM destinations WHERE id = $1', [d.id]);
    expect(JSON.stringify(raw)).not.toContain('wJalrXUtnFEMI');
    expect(JSON.stringify(await store.destinations.get(scopeA, d.id))).not.toContain('wJalrXUtnFEMI');
    expect(JSON.stringify(await store.destinations.list(admin))).not.toContain('wJalrXUtnFEMI');
    expect((await store.destinations.getForDelivery(d.id))?.config).toEqual({
      bucket: 'b',
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    });
  });

  it('moves a run through its statuses and never out of a terminal one', async () => {
    const run = await store.runs.create({
      tenantId: (scopeA as { tenantId: string }).tenantId,
      dataset: 'install_events',
      format: 'csv',
      window: { from: '2026-02-27', to: '2026-03-01' },
      settings: { format: 'csv', compression: 'none', granularity: 'day', dimension: null, partitioning: 'none', pathTemplate: '{dataset}/{run_id}/{dataset}_{period_start}_{period_end}.{ext}', filters: {} },
      destinationIds: ['dst_1'],
      requestedBy: 'key_a',
    });
    expect(run).toMatchObject({ status: 'Pending', window: { from: '2026-02-27', to: '2026-03-01' }, destinationIds: ['dst_1'] });
    await store.runs.markProcessing(run.id);
    expect((await store.runs.get(scopeA, run.id))?.status).toBe('Processing');
    await store.runs.finish(run.id, { status: 'Completed', rows: 5_000_000_000, bytes: 10, files: 1 });
    await store.runs.finish(run.id, { status: 'Failed', error: { type: 'Internal', message: 'late' } });
    await store.runs.markProcessing(run.id);
    const done = await store.runs.get(scopeA, run.id);
    expect(done).toMatchObject({ status: 'Completed', rows: 5_000_000_000, error: null });
    expect(await store.runs.get(scopeB, run.id)).toBeUndefined();
    expect((await store.runs.list(scopeA, { status: 'Completed' })).map((r) => r.id)).toContain(run.id);
    expect(await store.runs.list(scopeA, { status: 'Failed' })).toEqual([]);
  });

  it('counts ledger attempts and keeps a delivered unit delivered', async () => {
    const run = await store.runs.create({
      tenantId: null,
      dataset: 'install_events',
      format: 'csv',
      window: { from: '2026-01-01', to: '2026-01-01' },
      settings: { format: 'csv', compression: 'none', granularity: 'day', dimension: null, partitioning: 'none', pathTemplate: '{dataset}/{run_id}/{dataset}_{period_start}_{period_end}.{ext}', filters: {} },
      destinationIds: ['dst_1'],
      requestedBy: null,
    });
    const unit = { runId: run.id, partitionKey: 'window', destinationId: 'dst_1', deliveryKey: randomBytes(32).toString('hex') };
    expect((await store.ledger.beginAttempt(unit)).attempts).toBe(1);
    await store.ledger.markFailed(unit, 'timeout');
    expect((await store.ledger.beginAttempt(unit)).state).toBe('delivering');
    await store.ledger.markDelivered(unit, { rows: 3, checksum: 'abc', receipt: { location: 'x' } });
    const again = await store.ledger.beginAttempt(unit);
    expect(again).toMatchObject({ state: 'delivered', attempts: 3, rows: 3, checksum: 'abc', receipt: { location: 'x' } });
    await store.ledger.markFailed(unit, 'late failure');
    expect((await store.ledger.forRun(run.id))[0]).toMatchObject({ state: 'delivered', error: null });
  });

  it('keeps the audit log append-only, and scoped per tenant', async () => {
    await store.audit.append(scopeA, { action: 'destination.create', resourceType: 'destination', resourceId: 'dst_x' });
    await store.audit.append(scopeB, { action: 'destination.create', resourceType: 'destination', resourceId: 'dst_y' });
    const seenByA = await store.audit.list(scopeA);
    expect(seenByA.map((e) => e.resourceId)).toContain('dst_x');
    expect(seenByA.map((e) => e.resourceId)).not.toContain('dst_y');
    expect((await store.audit.list(admin)).length).toBeGreaterThanOrEqual(2);
    await expect(store.db.query(`UPDATE audit_log SET action = 'x'`)).rejects.toThrow(/append-only/);
    await expect(store.db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
  });

  it('rolls back a failed transaction', async () => {
    await expect(
      store.db.transaction(async (tx) => {
        await tx.query(`INSERT INTO tenants (id, name) VALUES ('ten_tx', 'tx')`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.tenants.get('ten_tx')).toBeUndefined();
  });
});
