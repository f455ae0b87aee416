/** Saved export definitions (seed 004's configuration) and their runs, with one run in flight at a time. */
import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { ExportDefinition } from '../../store/exports.js';
import type { ApiDeps, ApiEnv } from '../env.js';
import { ApiProblem, problemResponses } from '../problem.js';
import { idParam, isoDate, runSchema } from '../schemas.js';
import { checkWindow, datasetAndSpec, launchRun, runView } from './runs.js';
import { API_KEY_SECURITY } from './security.js';

const createExportBody = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ example: 'weekly installs' }),
    dataset: z.string().min(1),
    format: z.enum(['csv', 'json', 'jsonl', 'parquet']),
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
  tenantId: e.tenantId,
  settings: e.spec as unknown as Record<string, unknown>,
  destinationIds: e.destinationIds,
  createdAt: e.createdAt.toISOString(),
});

export function registerExportRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { store } = deps;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/exports',
      tags: ['Exports'],
      summary: 'Save an export definition',
      security: API_KEY_SECURITY,
      request: { body: { required: true, content: { 'application/json': { schema: createExportBody } } } },
      responses: { 201: { description: 'Created', content: { 'application/json': { schema: exportSchema } } }, ...problemResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const scope = c.get('scope');
      const body = c.req.valid('json');
      const { dataset, spec } = datasetAndSpec(scope, body);
      const ids = [...new Set(body.destinations)];
      const missing = (await Promise.all(ids.map(async (id) => ((await store.destinations.get(scope, id)) ? null : id)))).filter((x) => x !== null);
      if (missing.length > 0) throw new ApiProblem('notFound', `destination ${missing.map((m) => `'${m}'`).join(', ')} does not exist`);
      const created = await store.exports.create({
        tenantId: scope.role === 'tenant' ? scope.tenantId : null,
        name: body.name,
        dataset: dataset.id,
        spec,
        destinationIds: ids,
      });
      await store.audit.append(scope, { action: 'export.create', resourceType: 'export', resourceId: created.id, tenantId: created.tenantId, details: { name: created.name, dataset: created.dataset } });
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
}
