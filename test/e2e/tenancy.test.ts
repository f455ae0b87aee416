/** Tenant isolation: a tenant key sees and changes only its own tenant's resources and data. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { type TestPlatform, daysAgo, startTestPlatform } from '../helpers/platform.js';

let p: TestPlatform;
let destinationB: string;
let runB: { id: string };
beforeAll(async () => {
  p = await startTestPlatform({ seedRows: 20_000 });
  destinationB = await p.createFilesystemDestination(p.keyB, 'b-files');
  const res = await p.request('POST', '/v1/runs', {
    key: p.keyB,
    body: { dataset: 'install_events', format: 'csv', from: daysAgo(5), to: daysAgo(4), destinations: [destinationB] },
  });
  runB = res.json;
  await p.waitForRun(runB.id, p.keyB);
});
afterAll(async () => p?.stop());

describe('tenant isolation', () => {
  it("answers 404 for another tenant's run and destination, whatever the verb", async () => {
    for (const [method, url] of [
      ['GET', `/v1/runs/${runB.id}`],
      ['GET', `/v1/destinations/${destinationB}`],
      ['DELETE', `/v1/destinations/${destinationB}`],
    ] as const) {
      const res = await p.request(method, url, { key: p.keyA });
      expect(res.status, `${method} ${url}`).toBe(404);
      expect(res.json.type).toBe('/problems/not-found');
    }
    expect((await p.request('GET', `/v1/destinations/${destinationB}`, { key: p.keyB })).status).toBe(200);
  });

  it("refuses to export to another tenant's destination", async () => {
    const res = await p.request('POST', '/v1/runs', {
      key: p.keyA,
      body: { dataset: 'install_events', format: 'csv', from: daysAgo(5), to: daysAgo(4), destinations: [destinationB] },
    });
    expect(res.status).toBe(404);
    expect(res.json.detail).toContain(destinationB);
  });

  it("lists only the caller's own runs and destinations; admin sees all", async () => {
    const runsA = await p.request('GET', '/v1/runs', { key: p.keyA });
    expect(runsA.json.runs.map((r: { id: string }) => r.id)).not.toContain(runB.id);
    const destinationsA = await p.request('GET', '/v1/destinations', { key: p.keyA });
    expect(destinationsA.json.destinations.map((d: { id: string }) => d.id)).not.toContain(destinationB);
    const runsAdmin = await p.request('GET', '/v1/runs', { key: p.adminKey });
    expect(runsAdmin.json.runs.map((r: { id: string }) => r.id)).toContain(runB.id);
  });

  it("exports only the caller's rows", async () => {
    const destinationA = await p.createFilesystemDestination(p.keyA, 'a-files');
    const res = await p.request('POST', '/v1/runs', {
      key: p.keyA,
      body: { dataset: 'install_events', format: 'csv', from: daysAgo(5), to: daysAgo(4), destinations: [destinationA] },
    });
    const run = await p.waitForRun(res.json.id, p.keyA);
    const rows = parse<{ tenant_id: string }>(readFileSync(run.files[0].location, 'utf8'), { columns: true });
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.tenant_id))).toEqual(new Set([p.tenantA.id]));
    const b = await p.waitForRun(runB.id, p.keyB);
    const rowsB = parse<{ tenant_id: string }>(readFileSync(b.files[0].location, 'utf8'), { columns: true });
    expect(new Set(rowsB.map((r) => r.tenant_id))).toEqual(new Set([p.tenantB.id]));
    expect(run.files[0].location).not.toBe(b.files[0].location);
  });

  it('keeps tenant keys away from admin endpoints and from choosing a tenant', async () => {
    const tenant = await p.request('POST', '/v1/tenants', { key: p.keyA, body: { name: 'sneaky' } });
    expect(tenant.status).toBe(403);
    expect(tenant.json.type).toBe('/problems/forbidden');
    const key = await p.request('POST', '/v1/api-keys', { key: p.keyA, body: { role: 'admin' } });
    expect(key.status).toBe(403);
    const chooser = await p.request('POST', '/v1/runs', {
      key: p.keyA,
      body: { dataset: 'install_events', format: 'csv', from: daysAgo(5), to: daysAgo(4), destinations: [destinationB], tenantId: p.tenantB.id },
    });
    expect(chooser.status).toBe(400);
  });

  it('lets an admin create a tenant and a tenant key that works once, returned only at creation', async () => {
    const tenant = await p.request('POST', '/v1/tenants', { key: p.adminKey, body: { name: 'tenant-c' } });
    expect(tenant.status).toBe(201);
    const duplicate = await p.request('POST', '/v1/tenants', { key: p.adminKey, body: { name: 'tenant-c' } });
    expect(duplicate.status).toBe(409);
    const created = await p.request('POST', '/v1/api-keys', { key: p.adminKey, body: { role: 'tenant', tenantId: tenant.json.id } });
    expect(created.status).toBe(201);
    expect(created.json.key).toMatch(/^sk_/);
    const list = await p.request('GET', '/v1/destinations', { key: created.json.key });
    expect(list.status).toBe(200);
    expect(list.json.destinations).toEqual([]);
    // Stored hashed: the plain key is nowhere in the database.
    const rows = await p.store.db.query('SELECT key_hash, key_prefix FROM api_keys');
    expect(JSON.stringify(rows)).not.toContain(created.json.key);
    // The query parameter works as well as the header (seed 002).
    expect((await p.request('GET', `/v1/runs?apiKey=${encodeURIComponent(created.json.key)}`)).status).toBe(200);
  });
});
