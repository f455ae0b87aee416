/**
 * The HTTP API: OpenAPIHono with one defaultHook that turns every validation failure into problem+json,
 * one error handler for everything else, API-key auth on /v1, and the OpenAPI document at /openapi.json.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { authenticate } from './auth.js';
import { DOCS_PAGE } from './docs-page.js';
import type { ApiDeps, ApiEnv } from './env.js';
import { ApiProblem, PROBLEM, problemResponse, validationProblem } from './problem.js';
import { registerDatasetRoutes } from './routes/datasets.js';
import { registerDestinationRoutes } from './routes/destinations.js';
import { registerRunRoutes } from './routes/runs.js';
import { registerTenantRoutes } from './routes/tenants.js';
import { registerEventRoutes } from './routes/events.js';
import { registerExportRoutes } from './routes/exports.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerDownloadRoutes } from './routes/downloads.js';

const JSON_MEDIA = /^application\/(([\w.-]+\+)?json|x-ndjson|jsonl)$/i;

export function createApp(deps: ApiDeps): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return validationProblem(c, result.error.issues, result.target);
      return undefined;
    },
  });

  app.onError((err, c) => {
    if (err instanceof ApiProblem) return problemResponse(c, err.kind, err.detail, err.extra);
    if (err instanceof HTTPException) {
      if (err.status === 400 && /json/i.test(err.message)) {
        return problemResponse(c, 'malformedJson', 'the body could not be parsed as JSON; check quotes, commas and brackets');
      }
      const kind = Object.entries(PROBLEM).find(([, p]) => p.status === err.status)?.[0] as keyof typeof PROBLEM | undefined;
      return problemResponse(c, kind ?? 'internal', err.message);
    }
    deps.log.error('unhandled API error', { method: c.req.method, path: c.req.path, error: (err).message });
    return problemResponse(c, 'internal', 'something went wrong on our side; the error has been logged');
  });
  app.notFound((c) => problemResponse(c, 'notFound', `no route for ${c.req.method} ${c.req.path}; see /docs`));

  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/docs', (c) => c.html(DOCS_PAGE));
  app.get('/problems/:name', (c) => {
    const p = Object.values(PROBLEM).find((x) => x.type === `/problems/${c.req.param('name')}`);
    if (!p) return problemResponse(c, 'notFound', `no problem type '${c.req.param('name')}'`);
    return c.json({ type: p.type, title: p.title, status: p.status });
  });

  app.use('/v1/*', async (c, next) => {
    const method = c.req.method;
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      const contentType = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
      const hasBody = c.req.header('content-length') !== undefined && c.req.header('content-length') !== '0';
      if ((hasBody || c.req.header('transfer-encoding')) && !JSON_MEDIA.test(contentType)) {
        throw new ApiProblem('unsupportedMediaType', `send the body as JSON with 'content-type: application/json' (got '${contentType || 'none'}')`);
      }
    }
    await next();
  });
  app.use('/v1/*', authenticate(deps.store));

  registerTenantRoutes(app, deps);
  registerDestinationRoutes(app, deps);
  registerDatasetRoutes(app);
  registerRunRoutes(app, deps);
  registerEventRoutes(app, deps);
  registerExportRoutes(app, deps);
  registerAuditRoutes(app, deps);
  registerDownloadRoutes(app, deps);

  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKeyHeader', { type: 'apiKey', in: 'header', name: 'x-api-key' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKeyQuery', { type: 'apiKey', in: 'query', name: 'apiKey' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Sluice',
      version: '0.1.0',
      description: 'Export analytics datasets to files, warehouses and inboxes as durable Temporal workflows. Errors are RFC 9457 problem+json.',
    },
  });
  return app;
}
