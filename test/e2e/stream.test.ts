/**
 * Continuous export (seed 003): events ingested through the API are delivered batch by batch as gzipped
 * JSON Lines in the seed's date folders. A worker dies mid-batch, after its file reached the destination
 * and before the run recorded it; another worker finishes. A late event (old event time) arrives in a later
 * file with its original time. A consumer de-duplicating by EventId sees every ingested event exactly once.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Context } from '@temporalio/activity';
import { type TestPlatform, daysAgo, startTestPlatform } from '../helpers/platform.js';
import { streamWorkflowId } from '../../api/run-launcher.js';
import { streamStateQuery } from '../../workflows/definitions.js';

let p: TestPlatform;
let destination: string;
let exportId: string;
beforeAll(async () => {
  p = await startTestPlatform({ seedRows: 1_000, startWorker: false, streamSettleSeconds: 1 });
  destination = await p.createFilesystemDestination(p.keyA, 'feed');
});
afterAll(async () => p?.stop());

let seq = 0;
const download = (downloadedAt: string) => ({
  event_id: `evt-${String(++seq).padStart(5, '0')}`,
  program_id: 'prog-1',
  program_name: 'The Sluice Hour',
  program_slug: 'the-sluice-hour',
  clip_id: `clip-${seq % 7}`,
  clip_slug: 'episode',
  clip_title: 'Episode',
  clip_audio_duration_seconds: 1834.5,
  raw_user_agent: 'AppleCoreMedia/1.0',
  raw_download_url: 'https://traffic.example/ep.mp3',
  downloaded_at: downloadedAt,
  ip_address: '203.0.113.7',
  device_type: 'Mobile',
  os_family: 'iOS',
  ua_family: 'Apple Podcasts',
  source: 'Podcast',
});

async function ingest(events: ReturnType<typeof download>[]): Promise<string[]> {
  const res = await p.request('POST', '/v1/events/download_events', { key: p.keyA, body: events });
  expect(res.status, res.text).toBe(200);
  expect(res.json.accepted).toBe(events.length);
  return events.map((e) => e.event_id);
}

const state = () => p.client.workflow.getHandle(streamWorkflowId(exportId)).query(streamStateQuery);

/** Lets the settle delay pass, asks for a batch now, and waits until the stream has delivered `batches`. */
async function deliverBatch(batches: number) {
  await new Promise((r) => setTimeout(r, 1_200));
  expect((await p.request('POST', `/v1/exports/${exportId}/trigger`, { key: p.keyA })).status).toBe(202);
  const deadline = Date.now() + 90_000;
  while ((await state()).batches < batches) {
    if (Date.now() > deadline) throw new Error(`stream stuck: ${JSON.stringify(await state())}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function deliveredFiles(): string[] {
  const root = path.join(p.filesRoot, 'tenants', p.tenantA.id, 'feed');
  return (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.jsonl.gz')).sort();
}

const readEvents = (file: string) =>
  gunzipSync(readFileSync(path.join(p.filesRoot, 'tenants', p.tenantA.id, 'feed', file)))
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { EventId: string; Download: { DownloadedAtUtc: string } });

describe('stream exports', () => {
  it('validates: a stream needs a row format and no partitioning', async () => {
    const base = { name: 'feed', dataset: 'download_events', mode: 'stream', destinations: [destination] };
    expect((await p.request('POST', '/v1/exports', { key: p.keyA, body: { ...base, format: 'json' } })).status).toBe(400);
    expect((await p.request('POST', '/v1/exports', { key: p.keyA, body: { ...base, partitioning: 'day' } })).status).toBe(400);
    const batch = await p.request('POST', '/v1/exports', { key: p.keyA, body: { ...base, mode: 'batch' } });
    expect(batch.status).toBe(400);
    expect(batch.json.detail).toMatch(/format: required/);
  });

  it('delivers every ingested event at least once across a worker crash; de-duplicated by EventId, exactly once', async () => {
    const workerA = await p.startWorker();
    const created = await p.request('POST', '/v1/exports', {
      key: p.keyA,
      body: { name: 'podcast feed', dataset: 'download_events', mode: 'stream', stream: { intervalMinutes: 15 }, destinations: [destination] },
    });
    expect(created.status, created.text).toBe(201);
    exportId = created.json.id;
    expect(created.json).toMatchObject({ mode: 'stream', stream: { intervalMinutes: 15 } });
    expect(created.json.settings).toMatchObject({ format: 'jsonl', compression: 'gzip' });

    const now = new Date();
    const recent = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const ingested: string[] = [];
    ingested.push(...(await ingest(Array.from({ length: 40 }, (_, i) => download(recent(30 - i))))));
    await deliverBatch(1);
    expect(deliveredFiles()).toHaveLength(1);

    // Batch 2 crashes: worker B delivers the file, then dies before the activity completes.
    await p.stopWorker(workerA);
    let delivered!: () => void;
    const fileDelivered = new Promise<void>((r) => (delivered = r));
    const workerB = await p.startWorker((a) => ({
      ...a,
      deliverPartition: async (input) => {
        await a.deliverPartition(input);
        delivered();
        return new Promise((_, reject) => Context.current().cancellationSignal.addEventListener('abort', () => reject(new Error('worker died'))));
      },
    }));
    const late = download(`${daysAgo(40)}T06:30:00Z`);
    ingested.push(...(await ingest([...Array.from({ length: 25 }, (_, i) => download(recent(10 - i / 5))), late])));
    await new Promise((r) => setTimeout(r, 1_200));
    await p.request('POST', `/v1/exports/${exportId}/trigger`, { key: p.keyA });
    await fileDelivered;
    expect((await state()).batches).toBe(1);
    await p.stopWorker(workerB);
    await p.startWorker();
    const deadline = Date.now() + 110_000;
    while ((await state()).batches < 2) {
      if (Date.now() > deadline) throw new Error(`stream stuck after the crash: ${JSON.stringify(await state())}`);
      await new Promise((r) => setTimeout(r, 250));
    }

    ingested.push(...(await ingest(Array.from({ length: 15 }, (_, i) => download(recent(2 - i / 10))))));
    await deliverBatch(3);

    const files = deliveredFiles();
    expect(files).toHaveLength(3);
    for (const f of files) expect(f).toMatch(/^\d{4}\/\d{4}-\d{2}\/\d{4}-\d{2}-\d{2}\/\d{4}-\d{2}-\d{2}T\d{4}_\d{8}T\d{6}Z_[0-9a-f]{16}\.jsonl\.gz$/);
    const perFile = files.map(readEvents);
    const all = perFile.flat();
    expect(all.length).toBeGreaterThanOrEqual(ingested.length); // at least once
    expect([...new Set(all.map((e) => e.EventId))].sort()).toEqual([...ingested].sort()); // de-duplicated: exactly once
    // The late event is in a later file than the first batch, with its original event time.
    const lateFile = perFile.findIndex((events) => events.some((e) => e.EventId === late.event_id));
    expect(perFile[lateFile]!.find((e) => e.EventId === late.event_id)!.Download.DownloadedAtUtc).toBe(late.downloaded_at);
    const firstBatchIds = new Set(ingested.slice(0, 40));
    expect(perFile[lateFile]!.some((e) => firstBatchIds.has(e.EventId))).toBe(false);

    // Each batch is a run in the export's history, with its ingestion range in the settings.
    const history = await p.request('GET', `/v1/exports/${exportId}/runs`, { key: p.keyA });
    expect(history.json.runs.filter((r: any) => r.status === 'Completed')).toHaveLength(3);
    expect(history.json.runs[0].settings.ingested).toEqual({ after: expect.any(String), upTo: expect.any(String) });
  });

  it('deleting the export stops the stream', async () => {
    expect((await p.request('DELETE', `/v1/exports/${exportId}`, { key: p.keyB })).status).toBe(404);
    expect((await p.request('POST', `/v1/exports/${exportId}/trigger`, { key: p.keyB })).status).toBe(404);
    expect((await p.request('DELETE', `/v1/exports/${exportId}`, { key: p.keyA })).status).toBe(204);
    const handle = p.client.workflow.getHandle(streamWorkflowId(exportId));
    await handle.result().catch(() => undefined);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect((await p.request('GET', `/v1/exports/${exportId}`, { key: p.keyA })).status).toBe(404);
  });
});
