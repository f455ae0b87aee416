/** Every API error is RFC 9457 problem+json with a type, a status and a detail a person can act on. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { silentLogger } from '../../platform/logger.js';
import { type TestPlatform, daysAgo, startTestPlatform, today } from '../helpers/platform.js';
import { addMonths } from '../../datasets/window.js';

let p: TestPlatform;
let destination: string;
beforeAll(async () => {
  p = await startTestPlatform({ seedRows: 100, startWorker: false });
  destination = await p.createFilesystemDestination(p.keyA);
});
afterAll(async () => p?.stop());

const runBody = (over: Record<string, unknown> = {}) => ({
  dataset: 'install_events',
  format: 'csv',
  from: daysAgo(3),
  to: daysAgo(1),
  destinations: [destination],
  ...over,
});

function expectProblem(res: { status: number; headers: Headers; json: any; text: string }, status: number, type: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.json).toMatchObject({ type, status, title: expect.any(String), detail: expect.any(String) });
  expect(res.text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
}

describe('problem+json errors', () => {
  it('400 for malformed JSON', async () => {
    const res = await p.request('POST', '/v1/runs', { key: p.keyA, rawBody: '{"dataset": ', headers: { 'content-type': 'application/json' } });
    expectProblem(res, 400, '/problems/malformed-json');
  });

  it('400 for unknown fields, naming the field', async () => {
    const res = await p.request('POST', '/v1/runs', { key: p.keyA, body: runBody({ colour: 'blue' }) });
    expectProblem(res, 400, '/problems/invalid-request');
    expect(res.json.errors).toEqual([expect.objectContaining({ path: 'colour' })]);
  });

  it('400 for an unknown format, listing the known ones', async () => {
    const res = await p.request('POST', '/v1/runs', { key: p.keyA, body: runBody({ format: 'xml' }) });
    expectProblem(res, 400, '/problems/invalid-request');
    expect(res.json.errors[0].path).toBe('format');
    expect(res.json.detail).toMatch(/csv.*json/);
  });

  it('400 for a date that is not a calendar date', async () => {
    const res = await p.request('POST', '/v1/runs', { key: p.keyA, body: runBody({ from: '2026-02-30' }) });
    expectProblem(res, 400, '/problems/invalid-request');
    expect(res.json.errors[0].path).toBe('from');
  });

  it.each([
    ['to before from', { from: daysAgo(1), to: daysAgo(3) }, 'reversed'],
    ['a range over 24 months', { from: '2020-01-01', to: '2022-06-01' }, 'too_long'],
    ['a date in the future', { from: daysAgo(1), to: addMonths(today(), 1) }, 'future'],
    ['a start older than the retention', { from: addMonths(today(), -25), to: addMonths(today(), -24) }, 'beyond_retention'],
  ])('400 invalid-window for %s', async (_name, window, reason) => {
    const res = await p.request('POST', '/v1/runs', { key: p.keyA, body: runBody(window) });
    expectProblem(res, 400, '/problems/invalid-window');
    expect(res.json.reason).toBe(reason);
  });

  it('404 for an unknown dataset and an unknown destination', async () => {
    const dataset = await p.request('POST', '/v1/runs', { key: p.keyA, body: runBody({ dataset: 'nope' }) });
    expectProblem(dataset, 404, '/problems/not-found');
    expect(dataset.json.detail).toContain("'nope'");
    const dst = await p.request('POST', '/v1/runs', { key: p.keyA, body: runBody({ destinations: ['dst_missing'] }) });
    expectProblem(dst, 404, '/problems/not-found');
    expect(dst.json.detail).toContain('dst_missing');
    expectProblem(await p.request('GET', '/v1/runs/run_missing', { key: p.keyA }), 404, '/problems/not-found');
  });

  it('401 for a missing or wrong key', async () => {
    expectProblem(await p.request('GET', '/v1/runs'), 401, '/problems/unauthorized');
    expectProblem(await p.request('GET', '/v1/runs', { key: 'sk_wrong' }), 401, '/problems/unauthorized');
    expectProblem(await p.request('GET', '/v1/runs?apiKey=sk_wrong'), 401, '/problems/unauthorized');
  });

  it('400 for destination configs that could escape the files root', async () => {
    for (const path of ['../etc', '/etc', 'a/../../b']) {
      const res = await p.request('POST', '/v1/destinations', { key: p.keyA, body: { name: 'x', type: 'filesystem', config: { path } } });
      expectProblem(res, 400, '/problems/invalid-request');
      expect(res.json.errors[0].path).toBe('config.path');
    }
    const unknownType = await p.request('POST', '/v1/destinations', { key: p.keyA, body: { name: 'x', type: 'ftp', config: {} } });
    expectProblem(unknownType, 400, '/problems/invalid-request');
  });

  it('415 for a body that is not JSON, 404 for unknown routes', async () => {
    const res = await p.request('POST', '/v1/runs', { key: p.keyA, rawBody: 'dataset=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expectProblem(res, 415, '/problems/unsupported-media-type');
    expectProblem(await p.request('GET', '/v1/nothing-here', { key: p.keyA }), 404, '/problems/not-found');
  });

  it('503 and a Failed run saying why when Temporal does not take the run', async () => {
    const app = createApp({
      store: p.store,
      launcher: {
        start: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:7233')),
        cancel: () => Promise.resolve(),
        startStream: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:7233')),
        deliverNow: () => Promise.resolve(),
        stopStream: () => Promise.resolve(),
      },
      retentionMonths: 24,
      log: silentLogger,
    });
    const res = await app.request('/v1/runs', {
      method: 'POST',
      headers: { 'x-api-key': p.keyA, 'content-type': 'application/json' },
      body: JSON.stringify(runBody()),
    });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { type: string; detail: string };
    expect(body.type).toBe('/problems/temporal-unavailable');
    const runId = /run_[0-9a-f]+/.exec(body.detail)![0];
    const run = await p.request('GET', `/v1/runs/${runId}`, { key: p.keyA });
    expect(run.json.status).toBe('Failed');
    expect(run.json.error.message).toContain('Temporal');
  });

  it('describes each problem type at its URI', async () => {
    const res = await p.request('GET', '/problems/invalid-window');
    expect(res.json).toMatchObject({ type: '/problems/invalid-window', status: 400 });
  });
});

describe('OpenAPI document', () => {
  it('describes every route with its security and problem responses', async () => {
    const res = await p.request('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.json;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/v1/api-keys',
        '/v1/audit',
        '/v1/datasets',
        '/v1/datasets/{id}',
        '/v1/destinations',
        '/v1/destinations/{id}',
        '/v1/destinations/{id}/check',
        '/v1/events',
        '/v1/events/{dataset}',
        '/v1/exports',
        '/v1/exports/{id}',
        '/v1/exports/{id}/backfill',
        '/v1/exports/{id}/runs',
        '/v1/exports/{id}/schedule',
        '/v1/exports/{id}/schedule/pause',
        '/v1/exports/{id}/schedule/resume',
        '/v1/exports/{id}/trigger',
        '/v1/runs',
        '/v1/runs/{id}',
        '/v1/runs/{id}/cancel',
        '/v1/runs/{id}/download',
        '/v1/tenants',
        '/v1/tenants/{id}',
      ].sort(),
    );
    expect(doc.components.securitySchemes).toEqual({
      apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      apiKeyQuery: { type: 'apiKey', in: 'query', name: 'apiKey' },
    });
    expect(doc.paths['/v1/runs'].post.responses['400'].content['application/problem+json']).toBeDefined();
    expect(doc.components.schemas.Run.properties.status.enum).toContain('Processing');
  });

  it('serves a self-contained reference page at /docs', async () => {
    const res = await p.request('GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.text).toContain('/openapi.json');
    expect(res.text).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  });
});

describe('datasets', () => {
  it('lists install_events with its data dictionary', async () => {
    const res = await p.request('GET', '/v1/datasets/install_events', { key: p.keyA });
    expect(res.status).toBe(200);
    expect(res.json.available).toBe(true);
    expect(res.json.columns.map((c: { name: string }) => c.name)).toEqual(['event_id', 'tenant_id', 'package_id', 'version', 'tenant_region', 'install_date']);
  });
});
