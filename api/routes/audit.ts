import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../env.js';
import { problemResponses } from '../problem.js';
import { API_KEY_SECURITY } from './security.js';

const auditEntrySchema = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actor: z.string().openapi({ description: 'API key id, or system' }),
    tenantId: z.string().nullable(),
    action: z.string().openapi({ example: 'run.start' }),
    resourceType: z.string(),
    resourceId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEntry');

export function registerAuditRoutes(app: OpenAPIHono<ApiEnv>, { store }: ApiDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/audit',
      tags: ['Audit'],
      summary: 'The audit log, newest first: admin sees all, a tenant its own',
      security: API_KEY_SECURITY,
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
      responses: { 200: { description: 'Entries', content: { 'application/json': { schema: z.object({ entries: z.array(auditEntrySchema) }) } } }, ...problemResponses(400, 401) },
    }),
    async (c) => {
      const entries = await store.audit.list(c.get('scope'), c.req.valid('query').limit);
      return c.json({ entries: entries.map((e) => ({ ...e, at: e.at.toISOString() })) }, 200);
    },
  );
}
