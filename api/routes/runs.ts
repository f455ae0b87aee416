import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Run } from '../../store/runs.js';
import type { Store } from '../../store/index.js';
import { findDataset } from '../../datasets/catalog.js';
import { isoDay, validateWindow } from '../../datasets/window.js';
import { type ExportSpecRequest, resolveExportSpec } from '../../datasets/export-spec.js';
import type { DatasetDefinition } from '../../datasets/types.js';
import { MAX_PARTITIONS, partitionsOf } from '../../datasets/partitions.js';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { type Selection, countQuery } from '../../datasets/sql.js';
import { fileExtension } from '../../datasets/path-template.js';
import { writeExportFile } from '../../connectors/sources/event-store/export-file.js';
import type { Scope } from '../../store/scope.js';
import type { ExportSpec } from '../../workflows/definitions.js';
import type { ApiDeps, ApiEnv } from '../env.js';
import { ApiProblem, problemResponses } from '../problem.js';
import { idParam, isoDate, runSchema } from '../schemas.js';
import { API_KEY_SECURITY } from './security.js';

const createRunBody = z
  .object({
    dataset: z.string().min(1).openapi({ example: 'install_events' }),
    format: z.enum(['csv', 'json', 'jsonl', 'parquet']).openapi({
      description: 'csv: raw rows with a header; json: aggregated time series of the metrics; jsonl: one record per line (nested where the dataset is); parquet.',
    }),
    compression: z.enum(['none', 'gzip', 'zstd']).optional().openapi({ description: 'File compression (Parquet: the column codec; none means snappy). Default none.' }),
    granularity: z.enum(['day', 'week', 'month']).optional().openapi({ description: "json only: period of the series (weeks run Monday to Sunday). Default day." }),
    dimension: z.string().min(1).optional().openapi({ description: 'json only: group the series by this dimension of the dataset.' }),
    partitioning: z.enum(['none', 'day', 'month']).optional().openapi({ description: 'One file for the window (none), per UTC day, or per calendar month. Default none.' }),
    pathTemplate: z.string().min(1).max(500).optional().openapi({
      description: 'Object key template with {tokens}, or a preset: default, consent-periods (seed 002), podcast-events (seed 003).',
      example: '{dataset}/{year}/{month}/{dataset}_{period}.{ext}',
    }),
    filters: z
      .record(z.string(), z.array(z.string().max(500)).min(1).max(1000))
      .optional()
      .openapi({ description: 'Declared dataset filters (GET /v1/datasets/{id}): name -> accepted values.', example: { regions: ['eu-west-1'] } }),
    from: isoDate.openapi({ description: 'First day, inclusive (UTC).' }),
    to: isoDate.openapi({ description: 'Last day, inclusive (UTC).' }),
    destinations: z.array(z.string().min(1)).max(20).optional().openapi({
      example: ['dst_0123456789abcdef0123'],
      description: "Where the files go. Required, except with delivery 'auto' for an export small enough to answer at once.",
    }),
    delivery: z.enum(['background', 'auto']).optional().openapi({
      description: "background (default): a run, 202. auto (seed 000): under the immediate-row limit (100,000 by default) the file is the response body, 200; larger ones run in the background.",
    }),
    tenantId: z.string().min(1).optional().openapi({ description: "Admin keys only: export one tenant's rows (default: all tenants)." }),
    notifyEmail: z.email().optional().openapi({
      description: "delivery 'auto' over the immediate limit: who is e-mailed a link when the background export is done (default: the tenant's notifyEmail).",
    }),
  })
  .strict()
  .openapi('CreateRun');

const listRunsQuery = z.object({
  status: z.enum(['Pending', 'Processing', 'Completed', 'Failed', 'Cancelled', 'Expired']).optional(),
  requestedAfter: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Only runs requested at or after this time.' }),
  requestedBefore: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Only runs requested before this time.' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export async function runView(store: Store, run: Run) {
  const [all, ledger] = await Promise.all([store.runs.artifacts(run.id, ['data', 'manifest', 'marker']), store.ledger.forRun(run.id)]);
  const artifacts = all.filter((a) => a.kind === 'data');
  return {
    id: run.id,
    status: run.status,
    dataset: run.dataset,
    format: run.format,
    settings: run.settings,
    window: run.window,
    tenantId: run.tenantId,
    destinationIds: run.destinationIds,
    requestedAt: run.requestedAt.toISOString(),
    summary: settingsSummary(run),
    expiresAt: run.expiresAt?.toISOString() ?? null,
    downloadAvailable: run.status === 'Completed' && artifacts.length > 0 && (!run.expiresAt || run.expiresAt > new Date()),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    rows: run.rows,
    bytes: run.bytes,
    files: artifacts.map((a) => ({ key: a.objectKey, location: a.location, format: a.format, rows: a.rows, bytes: a.bytes, sha256: a.sha256 })),
    manifests: all
      .flatMap((a) => (a.kind === 'data' ? [] : [{ ...a, kind: a.kind }]))
      .map((a) => ({ destinationId: a.destinationId, kind: a.kind, key: a.objectKey, location: a.location, sha256: a.sha256 })),
    deliveries: ledger.map((l) => ({
      destinationId: l.destinationId,
      partition: l.partitionKey,
      state: l.state,
      attempts: l.attempts,
      rows: l.rows,
      error: l.error,
      detail: (l.receipt?.details as Record<string, unknown> | undefined) ?? null,
    })),
    error: run.error,
    workflowId: run.workflowId,
  };
}

/** One line a person scans in a history: "install_events csv.gz, 2026-11-01..2026-11-03, by day". */
export function settingsSummary(run: Run): string {
  const s = run.settings;
  const compression = s.format === 'parquet' || s.compression === 'none' ? '' : s.compression === 'gzip' ? '.gz' : '.zst';
  const shape = s.format === 'json' ? `json ${s.granularity} series${s.dimension ? ` by ${s.dimension}` : ''}` : `${s.format}${compression}`;
  const filters = Object.keys(s.filters).length > 0 ? `, filtered by ${Object.keys(s.filters).join(', ')}` : '';
  const parts = s.partitioning === 'none' ? '' : `, one file per ${s.partitioning}`;
  const range = s.ingested ? `ingested ${s.ingested.after}..${s.ingested.upTo}` : `${run.window.from}..${run.window.to}`;
  return `${run.dataset} ${shape}, ${range}${parts}${filters}`;
}

/** The dataset a request names, visible to this key, and the export shape checked against it. */
export function datasetAndSpec(scope: Scope, body: ExportSpecRequest & { dataset: string }): { dataset: DatasetDefinition; spec: ExportSpec } {
  const dataset = findDataset(body.dataset);
  if (!dataset) throw new ApiProblem('notFound', `dataset '${body.dataset}' does not exist; GET /v1/datasets lists the datasets`);
  if (dataset.visibility === 'admin' && scope.role !== 'admin') throw new ApiProblem('forbidden', `dataset '${dataset.id}' is available to admins only`);
  const resolved = resolveExportSpec(dataset, body);
  if (!resolved.ok) throw new ApiProblem('invalidRequest', `${resolved.path}: ${resolved.message}`, { errors: [{ path: resolved.path, message: resolved.message }] });
  return { dataset, spec: resolved.spec };
}

/** The window rules (datasets/window.ts) and the cap on files per run. */
export function checkWindow(deps: ApiDeps, window: { from: string; to: string }, spec: ExportSpec): void {
  const invalid = validateWindow(window, { retentionMonths: deps.retentionMonths, today: isoDay((deps.now ?? (() => new Date()))()) });
  if (invalid) throw new ApiProblem('invalidWindow', invalid.detail, { reason: invalid.reason });
  const partitions = partitionsOf(window, spec.partitioning).length;
  if (partitions > MAX_PARTITIONS) throw new ApiProblem('invalidRequest', `partitioning: ${partitions} files is more than ${MAX_PARTITIONS}; partition by month or shorten the range`);
}

/**
 * Records a run and starts its workflow: the one path for one-off runs and runs of saved exports. Every
 * destination must exist for the caller; a run Temporal does not take is recorded as Failed and answered 503.
 */
/** The tenant's "Sluice downloads" filesystem destination, where background exports without destinations go. */
async function downloadsDestination(deps: ApiDeps, scope: Scope, tenantId: string | null): Promise<string> {
  const owner: Scope = tenantId ? { role: 'tenant', tenantId, actor: scope.actor } : scope;
  const existing = (await deps.store.destinations.list(owner)).find((d) => d.type === 'filesystem' && d.name === DOWNLOADS_DESTINATION && d.tenantId === tenantId);
  if (existing) return existing.id;
  const created = await deps.store.destinations.create(owner, { name: DOWNLOADS_DESTINATION, type: 'filesystem', config: { path: 'downloads' } });
  await deps.store.audit.append(scope, { action: 'destination.create', resourceType: 'destination', resourceId: created.id, tenantId, details: { name: created.name, type: 'filesystem', reason: 'background export' } });
  return created.id;
}

const DOWNLOADS_DESTINATION = 'Sluice downloads';

export async function launchRun(
  deps: ApiDeps,
  scope: Scope,
  r: { tenantId: string | null; exportId: string | null; dataset: string; spec: ExportSpec; window: { from: string; to: string }; destinationIds: string[] },
  options: { notifyEmail?: string } = {},
): Promise<Run> {
  const { store, launcher, log } = deps;
  const ids = [...new Set(r.destinationIds)];
  const destinations = await Promise.all(ids.map((id) => store.destinations.get(scope, id)));
  const missing = ids.filter((_, i) => !destinations[i]);
  if (missing.length > 0) throw new ApiProblem('notFound', `destination ${missing.map((m) => `'${m}'`).join(', ')} does not exist`);
  const run = await store.runs.create({
    tenantId: r.tenantId,
    exportId: r.exportId,
    dataset: r.dataset,
    format: r.spec.format,
    window: r.window,
    settings: r.spec,
    destinationIds: ids,
    requestedBy: scope.actor,
  });
  await store.audit.append(scope, {
    action: 'run.start',
    resourceType: 'run',
    resourceId: run.id,
    tenantId: r.tenantId,
    details: { dataset: r.dataset, exportId: r.exportId, spec: r.spec, window: r.window, destinations: ids, ...(options.notifyEmail ? { notifyEmail: options.notifyEmail } : {}) },
  });
  try {
    await launcher.start(run, destinations.filter((d) => d !== undefined), options);
  } catch (err) {
    log.error('could not start the export workflow', { runId: run.id, error: (err as Error).message });
    await store.runs.finish(run.id, {
      status: 'Failed',
      error: { type: 'TemporalUnavailable', message: 'the workflow engine did not accept the run; check that Temporal is running, then start the run again' },
    });
    throw new ApiProblem('temporalUnavailable', `run ${run.id} could not be started: the workflow engine is not reachable; try again shortly`);
  }
  return run;
}

/** Seed 000: a small export is the response itself, written by the same DuckDB COPY a run would use. */
async function answerAtOnce(deps: ApiDeps, scope: Scope, e: { sel: Selection; spec: ExportSpec; rows: number }): Promise<Response> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-now-'));
  const extension = fileExtension(e.spec.format, e.spec.compression);
  const file = path.join(dir, `export.${extension}`);
  let rows: number;
  try {
    rows = await writeExportFile(deps.eventStore!, e.sel, e.spec, file, { gzipLevel: deps.gzipLevel });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  await deps.store.audit.append(scope, {
    action: 'export.immediate',
    resourceType: 'dataset',
    resourceId: e.sel.dataset.id,
    tenantId: e.sel.tenantId,
    details: { window: e.sel.window, spec: e.spec, rows },
  });
  const stream = createReadStream(file);
  stream.once('close', () => void rm(dir, { recursive: true, force: true }));
  const name = `${e.sel.dataset.id}_${e.sel.window.from}_${e.sel.window.to}.${extension}`;
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    status: 200,
    headers: {
      // A compressed file is sent as the file it is (application/gzip or zstd), never as a transfer encoding.
      'content-type': e.spec.format === 'parquet' || e.spec.compression === 'none' ? CONTENT_TYPES[e.spec.format] : e.spec.compression === 'gzip' ? 'application/gzip' : 'application/zstd',
      'content-disposition': `attachment; filename="${name}"`,
      'x-sluice-rows': String(rows),
    },
  });
}

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', json: 'application/json', jsonl: 'application/x-ndjson', parquet: 'application/vnd.apache.parquet' } as const;

export function registerRunRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { store } = deps;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/runs',
      tags: ['Runs'],
      summary: 'Start a one-off export',
      description: 'Starts the export as a durable Temporal workflow and answers 202 at once; poll the Location.',
      security: API_KEY_SECURITY,
      request: { body: { required: true, content: { 'application/json': { schema: createRunBody } } } },
      responses: {
        200: {
          description: "delivery 'auto' and a small export: the file itself (x-sluice-rows says how many rows)",
          content: { 'text/csv': { schema: z.string() }, 'application/x-ndjson': { schema: z.string() }, 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
        },
        202: { description: 'Accepted; the run is Pending', content: { 'application/json': { schema: runSchema } } },
        ...problemResponses(400, 401, 403, 404, 503),
      },
    }),
    async (c) => {
      const scope = c.get('scope');
      const body = c.req.valid('json');
      const { dataset, spec } = datasetAndSpec(scope, body);
      if (body.tenantId && scope.role !== 'admin') throw new ApiProblem('invalidRequest', 'tenantId: only admin keys choose a tenant; a tenant key always exports its own data');
      if (body.tenantId && !(await store.tenants.get(body.tenantId))) throw new ApiProblem('notFound', `tenant '${body.tenantId}' does not exist`);

      const window = { from: body.from, to: body.to };
      checkWindow(deps, window, spec);

      const tenantId = scope.role === 'tenant' ? scope.tenantId : (body.tenantId ?? null);
      if (body.delivery === 'auto' && deps.eventStore && spec.partitioning === 'none') {
        const sel = { dataset, window, tenantId, filters: spec.filters };
        const estimate = await deps.eventStore.count(countQuery(sel));
        const limit = deps.immediateMaxRows ?? 100_000;
        if (estimate < limit) return (await answerAtOnce(deps, scope, { sel, spec: spec, rows: estimate }));
        if (!body.destinations?.length) {
          // Seed 000: too big to answer at once, so it runs in the background into Sluice's own files and
          // the requester gets an e-mail with links when it is done.
          const notifyEmail = body.notifyEmail ?? (tenantId ? (await store.tenants.get(tenantId))?.notifyEmail : undefined) ?? undefined;
          if (!notifyEmail || !deps.backgroundMail) {
            throw new ApiProblem(
              'invalidRequest',
              `destinations: this export has ${estimate} rows, over the ${limit} answered at once; give destinations, or notifyEmail to be e-mailed a link when it is done` +
                (deps.backgroundMail ? '' : ' (needs SLUICE_SMTP_URL on the server)'),
            );
          }
          const downloads = await downloadsDestination(deps, scope, tenantId);
          const run = await launchRun(deps, scope, { tenantId, exportId: null, dataset: dataset.id, spec, window, destinationIds: [downloads] }, { notifyEmail });
          return c.json({ ...(await runView(store, run)), notifyEmail }, 202, { Location: `/v1/runs/${run.id}` });
        }
      }
      if (!body.destinations?.length) throw new ApiProblem('invalidRequest', 'destinations: give at least one destination id', { errors: [{ path: 'destinations', message: 'at least one' }] });
      const run = await launchRun(deps, scope, { tenantId, exportId: null, dataset: dataset.id, spec: spec, window, destinationIds: body.destinations });
      return c.json(await runView(store, run), 202, { Location: `/v1/runs/${run.id}` });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/runs',
      tags: ['Runs'],
      summary: 'List runs, newest first',
      security: API_KEY_SECURITY,
      request: { query: listRunsQuery },
      responses: {
        200: { description: 'Runs', content: { 'application/json': { schema: z.object({ runs: z.array(runSchema) }) } } },
        ...problemResponses(400, 401),
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const runs = await store.runs.list(c.get('scope'), {
        status: query.status,
        limit: query.limit,
        ...(query.requestedAfter ? { requestedAfter: new Date(query.requestedAfter) } : {}),
        ...(query.requestedBefore ? { requestedBefore: new Date(query.requestedBefore) } : {}),
      });
      return c.json({ runs: await Promise.all(runs.map((r) => runView(store, r))) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/runs/{id}',
      tags: ['Runs'],
      summary: 'Get a run: status, counts, files, per-destination outcome, error',
      security: API_KEY_SECURITY,
      request: { params: idParam('Run', 'run_0123456789abcdef0123') },
      responses: {
        200: { description: 'The run', content: { 'application/json': { schema: runSchema } } },
        ...problemResponses(401, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const run = await store.runs.get(c.get('scope'), id);
      if (!run) throw new ApiProblem('notFound', `run '${id}' does not exist`);
      return c.json(await runView(store, run), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/runs/{id}/cancel',
      tags: ['Runs'],
      summary: 'Cancel a run: its activities stop and its staged files are removed',
      security: API_KEY_SECURITY,
      request: { params: idParam('Run', 'run_0123456789abcdef0123') },
      responses: { 202: { description: 'Cancellation requested', content: { 'application/json': { schema: runSchema } } }, ...problemResponses(401, 404, 409, 503) },
    }),
    async (c) => {
      const scope = c.get('scope');
      const { id } = c.req.valid('param');
      const run = await store.runs.get(scope, id);
      if (!run) throw new ApiProblem('notFound', `run '${id}' does not exist`);
      if (run.status !== 'Pending' && run.status !== 'Processing') throw new ApiProblem('conflict', `run ${id} is ${run.status}; only Pending or Processing runs can be cancelled`);
      try {
        await deps.launcher.cancel(run);
      } catch (err) {
        deps.log.error('could not cancel the run workflow', { runId: id, error: (err as Error).message });
        throw new ApiProblem('temporalUnavailable', `run ${id} could not be cancelled: the workflow engine is not reachable; try again shortly`);
      }
      await store.audit.append(scope, { action: 'run.cancel', resourceType: 'run', resourceId: id, tenantId: run.tenantId });
      return c.json(await runView(store, run), 202);
    },
  );
}
