/**
 * The events API (seed 001) and ingestion. Both need the event store, which lives in the process that
 * runs the worker (`npm start`); an API process without it answers 503 and says so.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { findDataset } from '../../datasets/catalog.js';
import { addMonths, isoDay } from '../../datasets/window.js';
import { writeExportFile } from '../../connectors/sources/event-store/export-file.js';
import { type Rejection, ingestRecords } from '../../connectors/sources/event-store/ingest.js';
import type { EventStore } from '../../connectors/sources/event-store/index.js';
import type { ApiDeps, ApiEnv } from '../env.js';
import { ApiProblem, problemResponses } from '../problem.js';
import { isoDate } from '../schemas.js';
import { API_KEY_SECURITY } from './security.js';

const csvList = z
  .string()
  .max(20_000)
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

const eventsQuery = z.object({
  after: isoDate.optional().openapi({ description: 'Events on or after this day (UTC).' }),
  before: isoDate.optional().openapi({ description: 'Events on or before this day (UTC).' }),
  customerIDs: csvList.optional().openapi({ type: 'string', description: 'Comma-separated customer ids.', example: '1b13241,2Rjk2923481' }),
  instanceIDs: csvList.optional().openapi({ type: 'string', description: 'Comma-separated instance ids.' }),
  eventTypes: csvList.optional().openapi({ type: 'string', description: 'Comma-separated event types.', example: 'numUsers,numProjects' }),
  format: z.enum(['json', 'csv']).default('json'),
});

export const ingestResultSchema = z
  .object({
    received: z.number().int(),
    accepted: z.number().int(),
    duplicates: z.number().int().openapi({ description: 'Valid records whose id was already stored (or repeated in the body).' }),
    rejected: z.array(z.object({ index: z.number().int(), reason: z.string() })),
  })
  .openapi('IngestResult');

function requireEventStore(events: EventStore | undefined): EventStore {
  if (!events) {
    throw new ApiProblem(
      'eventStoreUnavailable',
      'this API process has no event store; the events API and ingestion are served by the all-in-one process (npm start)',
    );
  }
  return events;
}

/** Reads the body up to `limit` bytes (after gzip decoding too), or answers 413. */
async function readBody(c: Context, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const body = c.req.raw.body as AsyncIterable<Uint8Array> | null;
  for await (const chunk of body ?? []) {
    size += chunk.byteLength;
    // Leaving the loop cancels the rest of the upload.
    if (size > limit) throw new ApiProblem('payloadTooLarge', `the body is larger than ${limit} bytes; send the records in smaller batches`);
    chunks.push(Buffer.from(chunk));
  }
  const raw = Buffer.concat(chunks);
  if ((c.req.header('content-encoding') ?? '').toLowerCase() !== 'gzip') return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: limit });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || /larger than/i.test((err as Error).message)) {
      throw new ApiProblem('payloadTooLarge', `the decompressed body is larger than ${limit} bytes; send the records in smaller batches`);
    }
    throw new ApiProblem('invalidRequest', "the body says 'content-encoding: gzip' but is not valid gzip");
  }
}

/** A JSON array (or one object), or NDJSON: one record per line, a bad line rejected on its own. */
function parseRecords(body: string, ndjson: boolean): { records: unknown[]; rejected: Rejection[] } {
  if (!ndjson) {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      throw new ApiProblem('malformedJson', 'the body is not valid JSON; send a JSON array of records, or NDJSON with content-type application/x-ndjson');
    }
    return { records: Array.isArray(value) ? value : [value], rejected: [] };
  }
  const records: unknown[] = [];
  const rejected: Rejection[] = [];
  body.split('\n').forEach((line) => {
    if (!line.trim()) return;
    try {
      records.push(JSON.parse(line));
    } catch {
      rejected.push({ index: records.length, reason: 'not valid JSON' });
      records.push(undefined);
    }
  });
  return { records, rejected };
}

export function registerEventRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const now = deps.now ?? (() => new Date());

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events',
      tags: ['Events'],
      summary: 'Instance events, filtered by date, customer, instance and event type (at least one filter)',
      description: 'Dates are inclusive. Ids that do not exist or belong to another tenant give an empty result, not an error. The response streams.',
      security: API_KEY_SECURITY,
      request: { query: eventsQuery },
      responses: {
        200: {
          description: 'A JSON array of events, or CSV with a header row',
          content: { 'application/json': { schema: z.array(z.record(z.string(), z.unknown())) }, 'text/csv': { schema: z.string() } },
        },
        ...problemResponses(400, 401, 503),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      if (!q.after && !q.before && !q.customerIDs?.length && !q.instanceIDs?.length && !q.eventTypes?.length) {
        throw new ApiProblem('invalidRequest', 'give at least one filter: after, before, customerIDs, instanceIDs or eventTypes');
      }
      const events = requireEventStore(deps.eventStore);
      const today = isoDay(now());
      const earliest = addMonths(today, -deps.retentionMonths);
      const from = q.after && q.after > earliest ? q.after : earliest;
      const to = q.before && q.before < today ? q.before : today;
      if (q.after && q.before && q.before < q.after) {
        throw new ApiProblem('invalidWindow', `'before' (${q.before}) is earlier than 'after' (${q.after}); both are inclusive`, { reason: 'reversed' });
      }
      const scope = c.get('scope');
      const filters: Record<string, string[]> = {};
      if (q.customerIDs?.length) filters.customerIDs = q.customerIDs;
      if (q.instanceIDs?.length) filters.instanceIDs = q.instanceIDs;
      if (q.eventTypes?.length) filters.eventTypes = q.eventTypes;
      const dir = await mkdtemp(path.join(tmpdir(), 'sluice-events-'));
      const file = path.join(dir, `events.${q.format}`);
      try {
        await writeExportFile(
          events,
          // A window that lies wholly outside the retained days selects nothing: the file is just its header, or [].
          { dataset: findDataset('instance_events')!, window: { from, to: from > to ? from : to }, tenantId: scope.role === 'tenant' ? scope.tenantId : null, filters },
          { format: q.format === 'csv' ? 'csv' : 'jsonl', compression: 'none', granularity: 'day', dimension: null },
          file,
          { jsonArray: true },
        );
      } catch (err) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
      const stream = createReadStream(file);
      stream.once('close', () => void rm(dir, { recursive: true, force: true }));
      return new Response(Readable.toWeb(stream) as ReadableStream, {
        status: 200,
        headers: { 'content-type': q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json' },
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/events/{dataset}',
      tags: ['Events'],
      summary: 'Ingest records: a JSON array, or NDJSON (application/x-ndjson); gzip bodies with content-encoding: gzip',
      description:
        "Each record is validated against the dataset's columns. Valid records are stored unless their id is already stored (a duplicate); " +
        'invalid ones are listed with their index and reason. A tenant key writes its own tenant only.',
      security: API_KEY_SECURITY,
      request: { params: z.object({ dataset: z.string().openapi({ param: { name: 'dataset', in: 'path' }, example: 'install_events' }) }) },
      responses: {
        200: { description: 'What was stored', content: { 'application/json': { schema: ingestResultSchema } } },
        ...problemResponses(400, 401, 403, 404, 413, 503),
      },
    }),
    async (c) => {
      const { dataset: id } = c.req.valid('param');
      const scope = c.get('scope');
      const dataset = findDataset(id);
      if (!dataset) throw new ApiProblem('notFound', `dataset '${id}' does not exist; GET /v1/datasets lists the datasets`);
      if (dataset.visibility === 'admin' && scope.role !== 'admin') throw new ApiProblem('forbidden', `dataset '${id}' is available to admins only`);
      const events = requireEventStore(deps.eventStore);
      const body = (await readBody(c, deps.ingestMaxBytes ?? 10 << 20)).toString('utf8');
      const ndjson = /ndjson|jsonl|json-seq/i.test(c.req.header('content-type') ?? '');
      const { records, rejected } = parseRecords(body, ndjson);
      const result = await ingestRecords(events, dataset, records, scope.role === 'tenant' ? { tenantId: scope.tenantId } : null, rejected);
      await deps.store.audit.append(scope, {
        action: 'events.ingest',
        resourceType: 'dataset',
        resourceId: dataset.id,
        details: { received: result.received, accepted: result.accepted, duplicates: result.duplicates, rejected: result.rejected.length },
      });
      return c.json(result, 200);
    },
  );
}
