/**
 * Scheduled exports on real Temporal Schedules (the dev server: the time-skipping test server does not
 * implement schedules). Fire times come from Temporal's own calendar evaluation in the schedule's zone;
 * past periods run through Temporal's backfill, so each run's window is derived from a real nominal time.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { msToTs } from '@temporalio/common/lib/time.js';
import type { temporal } from '@temporalio/proto';
import { type TestPlatform, startTestPlatform } from '../helpers/platform.js';
import { scheduleId } from '../../api/run-launcher.js';
import { scheduleSchema, windowFor, zonedBounds } from '../../datasets/schedule.js';
import { naiveUtc } from '../../datasets/window.js';

let p: TestPlatform;
let destination: string;
beforeAll(async () => {
  p = await startTestPlatform({ seedRows: 30_000 });
  destination = await p.createFilesystemDestination(p.keyA, 'scheduled');
});
afterAll(async () => p?.stop());

const createExport = async (schedule: Record<string, unknown>, name = 'scheduled') => {
  const res = await p.request('POST', '/v1/exports', { key: p.keyA, body: { name, dataset: 'install_events', format: 'csv', destinations: [destination], schedule } });
  expect(res.status, res.text).toBe(201);
  return res.json.id as string;
};

const runsOf = async (exportId: string) => (await p.request('GET', `/v1/exports/${exportId}/runs`, { key: p.keyA })).json.runs as any[];

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The scheduledExport executions a schedule has started, once all of them have closed. */
async function closedFirings(exportId: string, count: number): Promise<{ status: string; result: string }[]> {
  return waitFor(`${count} closed firings`, async () => {
    const found: { status: string; result: string }[] = [];
    for await (const w of p.client.workflow.list({ query: `TemporalScheduledById = '${scheduleId(exportId)}'` })) {
      if (w.status.name === 'RUNNING') return undefined;
      found.push({ status: w.status.name, result: String(await p.client.workflow.getHandle(w.workflowId, w.runId).result()) });
    }
    return found.length >= count ? found : undefined;
  });
}

/** When Temporal would fire the export's schedule between two instants (its own calendar evaluation). */
async function matchingTimes(exportId: string, from: string, to: string): Promise<Date[]> {
  const res = (await p.client.workflowService.listScheduleMatchingTimes({
    namespace: 'default',
    scheduleId: scheduleId(exportId),
    startTime: msToTs(Date.parse(from)),
    endTime: msToTs(Date.parse(to)),
  })) as temporal.api.workflowservice.v1.IListScheduleMatchingTimesResponse;
  return (res.startTime ?? []).map((t) => new Date(Number(t.seconds) * 1000));
}

async function sourceCount(window: { from: string; to: string }, tz: string): Promise<number> {
  const b = zonedBounds(window, tz);
  const [row] = await p.query(
    `SELECT count(*)::INT AS n FROM install_events WHERE tenant_id = $t AND install_date >= $s::TIMESTAMP AND install_date < $e::TIMESTAMP`,
    { t: p.tenantA.id, s: naiveUtc(b.start), e: naiveUtc(b.end) },
  );
  return row!.n as number;
}

describe('weekly in Europe/Berlin', () => {
  let exportId: string;

  it('fires on Mondays at 08:00 Berlin time, before and after the DST change, and previews the next 5', async () => {
    exportId = await createExport({ preset: 'weekly', timezone: 'Europe/Berlin' });
    const view = await p.request('GET', `/v1/exports/${exportId}/schedule`, { key: p.keyA });
    expect(view.status).toBe(200);
    expect(view.json.schedule).toMatchObject({ preset: 'weekly', timezone: 'Europe/Berlin', publishTime: '08:00' });
    expect(view.json.next).toHaveLength(5);
    for (const { at, window } of view.json.next) {
      expect(at).toMatch(/^\d{4}-\d{2}-\d{2}T08:00:00\+0[12]:00$/);
      const day = at.slice(0, 10);
      expect(new Date(`${day}T12:00:00Z`).getUTCDay()).toBe(1);
      const sunday = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
      const monday = new Date(Date.parse(`${day}T00:00:00Z`) - 7 * 86_400_000).toISOString().slice(0, 10);
      expect(window).toEqual({ from: monday, to: sunday });
    }
    // Temporal's own evaluation of the calendar across 2026-10-25 (CEST -> CET).
    expect((await matchingTimes(exportId, '2026-10-10T00:00:00Z', '2026-11-04T00:00:00Z')).map((t) => t.toISOString())).toEqual([
      '2026-10-12T06:00:00.000Z',
      '2026-10-19T06:00:00.000Z',
      '2026-10-26T07:00:00.000Z',
      '2026-11-02T07:00:00.000Z',
    ]);
  });

  it('a backfill runs each prior Monday-Sunday in Berlin time, the DST week (169 hours) included', async () => {
    // An install at Sunday 23:30 UTC is Monday 00:30 in Berlin: it belongs to the next week.
    const boundary = { event_id: 'berlin-boundary', package_id: 'pkg-tz', version: '1.0.0', tenant_region: 'eu-central-1', install_date: '2026-10-18T22:30:00Z' };
    expect((await p.request('POST', '/v1/events/install_events', { key: p.keyA, body: [boundary] })).json.accepted).toBe(1);

    const res = await p.request('POST', `/v1/exports/${exportId}/backfill`, { key: p.keyA, body: { from: '2026-10-12', to: '2026-11-01' } });
    expect(res.status, res.text).toBe(202);
    expect(res.json.firings).toEqual([
      { at: '2026-10-19T08:00:00+02:00', window: { from: '2026-10-12', to: '2026-10-18' } },
      { at: '2026-10-26T08:00:00+01:00', window: { from: '2026-10-19', to: '2026-10-25' } },
      { at: '2026-11-02T08:00:00+01:00', window: { from: '2026-10-26', to: '2026-11-01' } },
    ]);
    const runs = await waitFor('three completed runs', async () => {
      const r = await runsOf(exportId);
      return r.length === 3 && r.every((x) => x.status === 'Completed') ? r : undefined;
    });
    const byWindow = Object.fromEntries(runs.map((r) => [`${r.window.from}..${r.window.to}`, r]));
    expect(Object.keys(byWindow).sort()).toEqual(['2026-10-12..2026-10-18', '2026-10-19..2026-10-25', '2026-10-26..2026-11-01']);
    for (const r of runs) {
      expect(r.settings.timeZone).toBe('Europe/Berlin');
      expect(r.rows).toBe(await sourceCount(r.window, 'Europe/Berlin'));
    }
    const ids = (r: any) => parse<Record<string, string>>(readFileSync(r.files[0].location, 'utf8'), { columns: true }).map((x) => x.event_id);
    expect(ids(byWindow['2026-10-19..2026-10-25'])).toContain('berlin-boundary');
    expect(ids(byWindow['2026-10-12..2026-10-18'])).not.toContain('berlin-boundary');
  });
});

describe('monthly', () => {
  it('a backfill of three months yields exactly three monthly runs; backfilling again runs nothing twice', async () => {
    const exportId = await createExport({ preset: 'monthly', timezone: 'America/New_York', publishTime: '06:00' }, 'monthly');
    const res = await p.request('POST', `/v1/exports/${exportId}/backfill`, { key: p.keyA, body: { from: '2026-06-15', to: '2026-09-30' } });
    expect(res.status, res.text).toBe(202);
    expect(res.json.firings.map((f: any) => f.window)).toEqual([
      { from: '2026-07-01', to: '2026-07-31' },
      { from: '2026-08-01', to: '2026-08-31' },
      { from: '2026-09-01', to: '2026-09-30' },
    ]);
    expect(res.json.firings[0].at).toBe('2026-08-01T06:00:00-04:00');
    // Temporal fires on 1 March 2028 at 06:00 New York time, and that firing covers the whole leap February.
    const fires = await matchingTimes(exportId, '2028-02-15T00:00:00Z', '2028-03-15T00:00:00Z');
    expect(fires.map((f) => f.toISOString())).toEqual(['2028-03-01T11:00:00.000Z']);
    expect(windowFor(scheduleSchema.parse({ preset: 'monthly', timezone: 'America/New_York', publishTime: '06:00' }), fires[0]!)).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    await closedFirings(exportId, 3);
    const runs = await runsOf(exportId);
    expect(runs.map((r) => `${r.window.from}..${r.window.to}`).sort()).toEqual(['2026-07-01..2026-07-31', '2026-08-01..2026-08-31', '2026-09-01..2026-09-30']);
    expect(runs.every((r) => r.status === 'Completed')).toBe(true);

    const again = await p.request('POST', `/v1/exports/${exportId}/backfill`, { key: p.keyA, body: { from: '2026-07-01', to: '2026-09-30' } });
    expect(again.status).toBe(202);
    const firings = await closedFirings(exportId, 6);
    expect(firings.filter((f) => f.result.startsWith('skipped: window'))).toHaveLength(3);
    expect(await runsOf(exportId)).toHaveLength(3);
  });
});

describe('pause and resume', () => {
  it('a paused schedule does not fire; resumed, it fires, and a second firing for the same window does not run it again', async () => {
    const exportId = await createExport({ cron: '* * * * *', period: 'day', timezone: 'UTC' }, 'every minute');
    const paused = await p.request('POST', `/v1/exports/${exportId}/schedule/pause`, { key: p.keyA, body: { note: 'maintenance' } });
    expect(paused.json).toMatchObject({ paused: true, note: 'maintenance' });
    await new Promise((r) => setTimeout(r, 62_000)); // a whole minute boundary passes while paused
    expect((await p.request('GET', `/v1/exports/${exportId}/schedule`, { key: p.keyA })).json.firings).toBe(0);
    expect(await runsOf(exportId)).toHaveLength(0);

    expect((await p.request('POST', `/v1/exports/${exportId}/schedule/resume`, { key: p.keyA })).json.paused).toBe(false);
    const [first] = await waitFor('the first run after resuming', async () => {
      const r = await runsOf(exportId);
      return r.length > 0 && r[0].status === 'Completed' ? r : undefined;
    });
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect(first.window).toEqual({ from: yesterday, to: yesterday });
    // Trigger now: the same nominal day, so the same window: it is not run twice.
    expect((await p.request('POST', `/v1/exports/${exportId}/trigger`, { key: p.keyA })).status).toBe(202);
    const firings = await closedFirings(exportId, 2);
    expect(firings.some((f) => f.result.startsWith('skipped: window'))).toBe(true);
    expect(await runsOf(exportId)).toHaveLength(1);
    expect((await p.request('DELETE', `/v1/exports/${exportId}`, { key: p.keyA })).status).toBe(204);
    await expect(p.client.schedule.getHandle(scheduleId(exportId)).describe()).rejects.toThrow();
  }, 200_000);

  it('schedules are per tenant and validated', async () => {
    const bad = await p.request('POST', '/v1/exports', {
      key: p.keyA,
      body: { name: 'x', dataset: 'install_events', format: 'csv', destinations: [destination], schedule: { preset: 'weekly', timezone: 'Europe/Atlantis' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: any) => e.path)).toEqual(['schedule.timezone']);
    const exportId = await createExport({ preset: 'daily', timezone: 'Asia/Tokyo', settleDelay: '2h' }, 'tokyo');
    for (const [method, url] of [
      ['GET', `/v1/exports/${exportId}/schedule`],
      ['POST', `/v1/exports/${exportId}/schedule/pause`],
      ['POST', `/v1/exports/${exportId}/backfill`],
      ['DELETE', `/v1/exports/${exportId}/schedule`],
    ] as const) {
      const res = await p.request(method, url, { key: p.keyB, ...(url.endsWith('backfill') ? { body: { from: '2026-11-01', to: '2026-11-02' } } : {}) });
      expect(res.status, `${method} ${url}`).toBe(404);
    }
    const updated = await p.request('PUT', `/v1/exports/${exportId}/schedule`, { key: p.keyA, body: { schedule: { preset: 'weekly', timezone: 'Asia/Tokyo', publishTime: '09:30' } } });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.json.next[0].at).toMatch(/T09:30:00\+09:00$/);
    expect((await p.request('DELETE', `/v1/exports/${exportId}/schedule`, { key: p.keyA })).status).toBe(204);
    expect((await p.request('GET', `/v1/exports/${exportId}/schedule`, { key: p.keyA })).status).toBe(404);
    const audit = await p.request('GET', '/v1/audit?limit=200', { key: p.keyA });
    expect(audit.json.entries.map((e: any) => e.action)).toEqual(expect.arrayContaining(['schedule.update', 'schedule.delete', 'schedule.pause', 'schedule.resume', 'schedule.backfill']));
  });
});
