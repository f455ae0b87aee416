/** Saved export definitions (seed 004's configuration) and their runs, with one run in flight at a time. */
import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { ExportDefinition } from '../../store/exports.js';
import type { ApiDeps, ApiEnv } from '../env.js';
import type { ScheduleControl as ScheduleControlT } from '../run-launcher.js';
import { ApiProblem, problemResponses } from '../problem.js';
import { idParam, isoDate, runSchema } from '../schemas.js';
import { checkWindow, datasetAndSpec, launchRun, runView } from './runs.js';
import { naiveUtc } from '../../datasets/window.js';
import { type Schedule, isoWithOffset, periodsWithin, scheduleSchema, windowFor } from '../../datasets/schedule.js';
import { API_KEY_SECURITY } from './security.js';

const createExportBody = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ example: 'weekly installs' }),
    dataset: z.string().min(1),
    mode: z
      .enum(['batch', 'stream'])
      .default('batch')
      .openapi({ description: "'batch': runs for windows you start. 'stream': new events delivered every interval (seed 003)." }),
    stream: z
      .object({ intervalMinutes: z.number().int().min(1).max(1440).default(15).openapi({ description: 'How often new events are delivered.' }) })
      .strict()
      .optional(),
    schedule: scheduleSchema.optional().openapi({ description: 'Run by itself on a Temporal Schedule: a preset or cron, a zone, a publish time, a settle delay.' }),
    format: z.enum(['csv', 'json', 'jsonl', 'parquet']).optional().openapi({ description: "Required for batch exports; streams default to 'jsonl'." }),
    compression: z.enum(['none', 'gzip', 'zstd']).optional(),
    granularity: z.enum(['day', 'week', 'month']).optional(),
    dimension: z.string().min(1).optional(),
    partitioning: z.enum(['none', 'day', 'month']).optional(),
    pathTemplate: z.string().min(1).max(500).optional(),
    filters: z.record(z.string(), z.array(z.string().max(500)).min(1).max(1000)).optional(),
    destinations: z.array(z.string().min(1)).min(1).max(20),
  })
  .strict()
  .openapi('CreateExport');

const exportSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    dataset: z.string(),
    mode: z.enum(['batch', 'stream']),
    stream: z.object({ intervalMinutes: z.number().int() }).nullable(),
    schedule: z.record(z.string(), z.unknown()).nullable(),
    tenantId: z.string().nullable(),
    settings: z.record(z.string(), z.unknown()),
    destinationIds: z.array(z.string()),
    createdAt: z.string(),
  })
  .openapi('Export');

const startBody = z.object({ from: isoDate, to: isoDate }).strict().openapi('StartExportRun');

const historyQuery = z.object({
  status: z.enum(['Pending', 'Processing', 'Completed', 'Failed', 'Cancelled', 'Expired']).optional(),
  requestedAfter: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Only runs requested at or after this time.' }),
  requestedBefore: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Only runs requested before this time.' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const view = (e: ExportDefinition) => ({
  id: e.id,
  name: e.name,
  dataset: e.dataset,
  mode: e.mode,
  stream: e.stream,
  schedule: e.schedule as Record<string, unknown> | null,
  tenantId: e.tenantId,
  settings: e.spec as unknown as Record<string, unknown>,
  destinationIds: e.destinationIds,
  createdAt: e.createdAt.toISOString(),
});

const scheduleView = z
  .object({
    schedule: z.record(z.string(), z.unknown()),
    paused: z.boolean(),
    note: z.string().nullable(),
    firings: z.number().int().openapi({ description: 'How often it has fired.' }),
    next: z
      .array(z.object({ at: z.string().openapi({ example: '2026-11-23T08:00:00+01:00' }), window: z.object({ from: z.string(), to: z.string() }) }))
      .openapi({ description: 'The next 5 firings (ISO 8601 with the zone offset) and the window each covers, dates inclusive.' }),
  })
  .openapi('ExportSchedule');

const backfillBody = z.object({ from: isoDate, to: isoDate }).strict().openapi('Backfill');

export function registerExportRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { store } = deps;
  const schedules = () => {
    if (!deps.launcher.schedules) throw new ApiProblem('temporalUnavailable', 'schedules are not available on this process');
    return deps.launcher.schedules;
  };
  const scheduled = async (scope: Parameters<typeof store.exports.get>[0], id: string) => {
    const found = await store.exports.get(scope, id);
    if (!found) throw new ApiProblem('notFound', `export '${id}' does not exist`);
    if (!found.schedule) throw new ApiProblem('notFound', `export '${id}' has no schedule; set one with PUT /v1/exports/${id}/schedule`);
    return { definition: found, schedule: found.schedule };
  };
  const describe = async (definition: Parameters<ScheduleControlT['describeSchedule']>[0], schedule: Schedule) => {
    const state = await schedules().describeSchedule(definition);
    return {
      schedule: schedule as Record<string, unknown>,
      paused: state.paused,
      note: state.note,
      firings: state.actions,
      next: state.nextActionTimes.slice(0, 5).map((at) => ({ at: isoWithOffset(at, schedule.timezone), window: windowFor(schedule, at) })),
    };
  };
  const idParams = idParam('Export', 'exp_0123456789abcdef0123');

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/exports/{id}/schedule',
      tags: ['Schedules'],
      summary: 'The schedule, whether it is paused, and its next 5 firings with their windows',
      security: API_KEY_SECURITY,
      request: { params: idParams },
      responses: { 200: { description: 'The schedule', content: { 'application/json': { schema: scheduleView } } }, ...problemResponses(401, 404, 503) },
    }),
    async (c) => {
      const { definition, schedule } = await scheduled(c.get('scope'), c.req.valid('param').id);
      return c.json(await describe(definition, schedule), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/exports/{id}/schedule',
      tags: ['Schedules'],
      summary: 'Set or change the schedule',
      security: API_KEY_SECURITY,
      request: { params: idParams, body: { required: true, content: { 'application/json': { schema: z.object({ schedule: scheduleSchema }).strict() } } } },
      responses: { 200: { description: 'The schedule', content: { 'application/json': { schema: scheduleView } } }, ...problemResponses(400, 401, 404, 409, 503) },
    }),
    async (c) => {
      const scope = c.get('scope');
      const { id } = c.req.valid('param');
      const { schedule } = c.req.valid('json');
      const found = await store.exports.get(scope, id);
      if (!found) throw new ApiProblem('notFound', `export '${id}' does not exist`);
      if (found.mode === 'stream') throw new ApiProblem('conflict', `export ${id} is a stream; it runs continuously`);
      const updated = (await store.exports.setSchedule(scope, id, schedule))!;
      await schedules().upsertSchedule(updated, schedule);
      await store.audit.append(scope, { action: found.schedule ? 'schedule.update' : 'schedule.create', resourceType: 'export', resourceId: id, tenantId: found.tenantId, details: { schedule, previous: found.schedule } });
      return c.json(await describe(updated, schedule), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/exports/{id}/schedule',
      tags: ['Schedules'],
      summary: 'Remove the schedule (the export stays, for runs you start)',
      security: API_KEY_SECURITY,
      request: { params: idParams },
      responses: { 204: { description: 'Removed' }, ...problemResponses(401, 404, 503) },
    }),
    async (c) => {
      const scope = c.get('scope');
      const { definition, schedule } = await scheduled(scope, c.req.valid('param').id);
      await schedules().deleteSchedule(definition);
      await store.exports.setSchedule(scope, definition.id, null);
      await store.audit.append(scope, { action: 'schedule.delete', resourceType: 'export', resourceId: definition.id, tenantId: definition.tenantId, details: { schedule } });
      return c.body(null, 204);
    },
  );

  for (const action of ['pause', 'resume'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/exports/{id}/schedule/${action}`,
        tags: ['Schedules'],
        summary: action === 'pause' ? 'Pause: no firings until resumed' : 'Resume: firings continue; windows already run are not run again',
        security: API_KEY_SECURITY,
        request: {
          params: idParams,
          body: { required: false, content: { 'application/json': { schema: z.object({ note: z.string().max(500).optional() }).strict() } } },
        },
        responses: { 200: { description: 'The schedule', content: { 'application/json': { schema: scheduleView } } }, ...problemResponses(401, 404, 503) },
      }),
      async (c) => {
        const scope = c.get('scope');
        const { definition, schedule } = await scheduled(scope, c.req.valid('param').id);
        const note = (await c.req.json().catch(() => ({})) as { note?: string }).note ?? `${action}d by ${scope.actor}`;
        if (action === 'pause') await schedules().pauseSchedule(definition, note);
        else await schedules().resumeSchedule(definition, note);
        await store.audit.append(scope, { action: `schedule.${action}`, resourceType: 'export', resourceId: definition.id, tenantId: definition.tenantId, details: { note } });
        return c.json(await describe(definition, schedule), 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/exports/{id}/backfill',
      tags: ['Schedules'],
      summary: 'Run the schedule for a past date range: one run per whole period in it',
      security: API_KEY_SECURITY,
      request: { params: idParams, body: { required: true, content: { 'application/json': { schema: backfillBody } } } },
      responses: {
        202: {
          description: 'The firings started',
          content: { 'application/json': { schema: z.object({ firings: z.array(z.object({ at: z.string(), window: z.object({ from: z.string(), to: z.string() }) })) }) } },
        },
        ...problemResponses(400, 401, 404, 503),
      },
    }),
    async (c) => {
      const scope = c.get('scope');
      const { definition, schedule } = await scheduled(scope, c.req.valid('param').id);
      const range = c.req.valid('json');
      if (range.to < range.from) throw new ApiProblem('invalidRequest', `'to' (${range.to}) is before 'from' (${range.from})`);
      checkWindow(deps, range, definition.spec);
      const periods = periodsWithin(schedule, range);
      if (periods.length === 0) throw new ApiProblem('invalidRequest', `${range.from}..${range.to} holds no whole ${schedule.preset ?? schedule.period ?? 'day'} period of this schedule`);
      const firings = await schedules().backfillSchedule(definition, schedule, periods);
      await store.audit.append(scope, { action: 'schedule.backfill', resourceType: 'export', resourceId: definition.id, tenantId: definition.tenantId, details: { range, firings: firings.length } });
      return c.json({ firings: firings.map((f) => ({ at: isoWithOffset(f.at, schedule.timezone), window: { from: f.from, to: f.to } })) }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/exports',
      tags: ['Exports'],
      summary: 'Save an export definition',
      security: API_KEY_SECURITY,
      request: { body: { required: true, content: { 'application/json': { schema: createExportBody } } } },
      responses: { 201: { description: 'Created', content: { 'application/json': { schema: exportSchema } } }, ...problemResponses(400, 401, 403, 404, 503) },
    }),
    async (c) => {
      const scope = c.get('scope');
      const body = c.req.valid('json');
      const stream = body.mode === 'stream';
      if (stream) {
        // Seed 003's feed: gzipped JSON Lines in date folders, unless asked otherwise.
        if (body.format === 'json') throw new ApiProblem('invalidRequest', "format: a stream delivers rows; use 'jsonl', 'csv' or 'parquet'", { errors: [{ path: 'format', message: 'not a row format' }] });
        if (body.partitioning && body.partitioning !== 'none') throw new ApiProblem('invalidRequest', 'partitioning: each stream batch is one file; omit partitioning', { errors: [{ path: 'partitioning', message: 'not for streams' }] });
      } else if (!body.format) {
        throw new ApiProblem('invalidRequest', "format: required for a batch export (csv, json, jsonl or parquet)", { errors: [{ path: 'format', message: 'required' }] });
      } else if (body.stream) {
        throw new ApiProblem('invalidRequest', "stream: only for mode 'stream'", { errors: [{ path: 'stream', message: "needs mode 'stream'" }] });
      }
      if (stream && body.schedule) throw new ApiProblem('invalidRequest', 'schedule: a stream runs continuously; omit schedule', { errors: [{ path: 'schedule', message: 'not for streams' }] });
      if (body.schedule && !deps.launcher.schedules) throw new ApiProblem('temporalUnavailable', 'schedules are not available on this process');
      const { dataset, spec } = datasetAndSpec(scope, {
        ...body,
        format: body.format ?? 'jsonl',
        ...(stream ? { compression: body.compression ?? 'gzip', pathTemplate: body.pathTemplate ?? 'podcast-events' } : {}),
      });
      const ids = [...new Set(body.destinations)];
      const missing = (await Promise.all(ids.map(async (id) => ((await store.destinations.get(scope, id)) ? null : id)))).filter((x) => x !== null);
      if (missing.length > 0) throw new ApiProblem('notFound', `destination ${missing.map((m) => `'${m}'`).join(', ')} does not exist`);
      const created = await store.exports.create({
        tenantId: scope.role === 'tenant' ? scope.tenantId : null,
        name: body.name,
        dataset: dataset.id,
        spec,
        destinationIds: ids,
        stream: stream ? { intervalMinutes: body.stream?.intervalMinutes ?? 15 } : null,
        schedule: body.schedule ?? null,
      });
      if (body.schedule) {
        try {
          await deps.launcher.schedules!.upsertSchedule(created, body.schedule);
        } catch (err) {
          await store.exports.delete(scope, created.id);
          deps.log.error('could not create the Temporal schedule', { exportId: created.id, error: (err as Error).message });
          throw new ApiProblem('temporalUnavailable', 'the workflow engine did not accept the schedule; check that Temporal is running, then create the export again');
        }
      }
      if (stream) {
        try {
          // New events from now on; earlier ones are a batch run's job (POST /v1/exports/{id}/runs).
          await deps.launcher.startStream(created, naiveUtc(created.createdAt));
        } catch (err) {
          await store.exports.delete(scope, created.id);
          deps.log.error('could not start the stream workflow', { exportId: created.id, error: (err as Error).message });
          throw new ApiProblem('temporalUnavailable', 'the workflow engine did not accept the stream; check that Temporal is running, then create the export again');
        }
      }
      await store.audit.append(scope, {
        action: 'export.create',
        resourceType: 'export',
        resourceId: created.id,
        tenantId: created.tenantId,
        details: { name: created.name, dataset: created.dataset, mode: created.mode },
      });
      return c.json(view(created), 201, { Location: `/v1/exports/${created.id}` });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/exports',
      tags: ['Exports'],
      summary: 'List export definitions',
      security: API_KEY_SECURITY,
      responses: { 200: { description: 'Exports', content: { 'application/json': { schema: z.object({ exports: z.array(exportSchema) }) } } }, ...problemResponses(401) },
    }),
    async (c) => c.json({ exports: (await store.exports.list(c.get('scope'))).map(view) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/exports/{id}',
      tags: ['Exports'],
      summary: 'Get an export definition',
      security: API_KEY_SECURITY,
      request: { params: idParam('Export', 'exp_0123456789abcdef0123') },
      responses: { 200: { description: 'The export', content: { 'application/json': { schema: exportSchema } } }, ...problemResponses(401, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const found = await store.exports.get(c.get('scope'), id);
      if (!found) throw new ApiProblem('notFound', `export '${id}' does not exist`);
      return c.json(view(found), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/exports/{id}/runs',
      tags: ['Exports'],
      summary: 'Start the export for a window; 409 while another run of it is in flight',
      security: API_KEY_SECURITY,
      request: { params: idParam('Export', 'exp_0123456789abcdef0123'), body: { required: true, content: { 'application/json': { schema: startBody } } } },
      responses: { 202: { description: 'Accepted', content: { 'application/json': { schema: runSchema } } }, ...problemResponses(400, 401, 404, 409, 503) },
    }),
    async (c) => {
      const scope = c.get('scope');
      const { id } = c.req.valid('param');
      const window = c.req.valid('json');
      const definition = await store.exports.get(scope, id);
      if (!definition) throw new ApiProblem('notFound', `export '${id}' does not exist`);
      checkWindow(deps, window, definition.spec);
      const running = await store.runs.inFlightForExport(definition.id);
      if (running) {
        throw new ApiProblem('conflict', `export ${definition.id} already has run ${running.id} (${running.status}) in flight; wait for it or cancel it`, { runId: running.id });
      }
      const run = await launchRun(deps, scope, {
        tenantId: definition.tenantId,
        exportId: definition.id,
        dataset: definition.dataset,
        spec: definition.spec,
        window,
        destinationIds: definition.destinationIds,
      });
      return c.json(await runView(store, run), 202, { Location: `/v1/runs/${run.id}` });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/exports/{id}/runs',
      tags: ['Exports'],
      summary: "The export's history, newest first",
      security: API_KEY_SECURITY,
      request: { params: idParam('Export', 'exp_0123456789abcdef0123'), query: historyQuery },
      responses: { 200: { description: 'Runs', content: { 'application/json': { schema: z.object({ runs: z.array(runSchema) }) } } }, ...problemResponses(400, 401, 404) },
    }),
    async (c) => {
      const scope = c.get('scope');
      const { id } = c.req.valid('param');
      const q = c.req.valid('query');
      if (!(await store.exports.get(scope, id))) throw new ApiProblem('notFound', `export '${id}' does not exist`);
      const runs = await store.runs.list(scope, {
        exportId: id,
        status: q.status,
        limit: q.limit,
        ...(q.requestedAfter ? { requestedAfter: new Date(q.requestedAfter) } : {}),
        ...(q.requestedBefore ? { requestedBefore: new Date(q.requestedBefore) } : {}),
      });
      return c.json({ runs: await Promise.all(runs.map((r) => runView(store, r))) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/exports/{id}',
      tags: ['Exports'],
      summary: 'Delete an export definition; a stream stops (its batch in flight is cancelled). Runs keep their history.',
      security: API_KEY_SECURITY,
      request: { params: idParam('Export', 'exp_0123456789abcdef0123') },
      responses: { 204: { description: 'Deleted' }, ...problemResponses(401, 404) },
    }),
    async (c) => {
      const scope = c.get('scope');
      const { id } = c.req.valid('param');
      const found = await store.exports.get(scope, id);
      if (!found || !(await store.exports.delete(scope, id))) throw new ApiProblem('notFound', `export '${id}' does not exist`);
      if (found.mode === 'stream') await deps.launcher.stopStream(found);
      if (found.schedule) await deps.launcher.schedules?.deleteSchedule(found);
      await store.audit.append(scope, { action: 'export.delete', resourceType: 'export', resourceId: id, tenantId: found.tenantId, details: { name: found.name } });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/exports/{id}/trigger',
      tags: ['Exports'],
      summary: "Now: a scheduled export fires (its window from now's nominal time); a stream delivers its pending events",
      security: API_KEY_SECURITY,
      request: { params: idParam('Export', 'exp_0123456789abcdef0123') },
      responses: {
        202: { description: 'Triggered', content: { 'application/json': { schema: z.object({ triggered: z.boolean() }) } } },
        ...problemResponses(401, 404, 409),
      },
    }),
    async (c) => {
      const scope = c.get('scope');
      const { id } = c.req.valid('param');
      const found = await store.exports.get(scope, id);
      if (!found) throw new ApiProblem('notFound', `export '${id}' does not exist`);
      if (found.schedule) await schedules().triggerSchedule(found);
      else if (found.mode === 'stream') await deps.launcher.deliverNow(found);
      else throw new ApiProblem('conflict', `export ${id} has no schedule and is not a stream; start a run with POST /v1/exports/${id}/runs`);
      await store.audit.append(scope, { action: 'export.trigger', resourceType: 'export', resourceId: id, tenantId: found.tenantId });
      return c.json({ triggered: true }, 202);
    },
  );
}
