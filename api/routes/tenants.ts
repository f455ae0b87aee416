import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../env.js';
import { requireAdmin } from '../auth.js';
import { ApiProblem, problemResponses } from '../problem.js';
import { apiKeyCreatedSchema, tenantSchema } from '../schemas.js';
import { API_KEY_SECURITY } from './security.js';

const createTenantBody = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ example: 'acme' }),
    notifyEmail: z.email().optional().openapi({ description: "Where this tenant's background exports are announced when a request names no address." }),
  })
  .strict()
  .openapi('CreateTenant');

const updateTenantBody = z.object({ notifyEmail: z.email().nullable() }).strict().openapi('UpdateTenant');

const createApiKeyBody = z
  .object({
    role: z.enum(['admin', 'tenant']),
    tenantId: z.string().min(1).optional().openapi({ description: "Required for role 'tenant'." }),
    label: z.string().max(200).optional(),
  })
  .strict()
  .openapi('CreateApiKey');

const toTenant = (t: { id: string; name: string; notifyEmail: string | null; createdAt: Date }) => ({
  id: t.id,
  name: t.name,
  notifyEmail: t.notifyEmail,
  createdAt: t.createdAt.toISOString(),
});

export function registerTenantRoutes(app: OpenAPIHono<ApiEnv>, { store }: ApiDeps): void {
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/v1/tenants/{id}',
      tags: ['Tenants'],
      summary: "Change a tenant's notification address (admin)",
      security: API_KEY_SECURITY,
      request: {
        params: z.object({ id: z.string().min(1) }),
        body: { required: true, content: { 'application/json': { schema: updateTenantBody } } },
      },
      responses: { 200: { description: 'Updated', content: { 'application/json': { schema: tenantSchema } } }, ...problemResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const scope = c.get('scope');
      requireAdmin(scope, 'change tenants');
      const { id } = c.req.valid('param');
      const { notifyEmail } = c.req.valid('json');
      const tenant = await store.tenants.setNotifyEmail(id, notifyEmail);
      if (!tenant) throw new ApiProblem('notFound', `tenant '${id}' does not exist`);
      await store.audit.append(scope, { action: 'tenant.update', resourceType: 'tenant', resourceId: id, tenantId: id, details: { notifyEmail } });
      return c.json(toTenant(tenant), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/tenants',
      tags: ['Tenants'],
      summary: 'Create a tenant (admin)',
      security: API_KEY_SECURITY,
      request: { body: { required: true, content: { 'application/json': { schema: createTenantBody } } } },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: tenantSchema } } },
        ...problemResponses(400, 401, 403, 409),
      },
    }),
    async (c) => {
      const scope = c.get('scope');
      requireAdmin(scope, 'create tenants');
      const { name, notifyEmail } = c.req.valid('json');
      if (await store.tenants.findByName(name)) throw new ApiProblem('conflict', `a tenant named '${name}' already exists`);
      const tenant = await store.tenants.create(name, notifyEmail ?? null);
      await store.audit.append(scope, { action: 'tenant.create', resourceType: 'tenant', resourceId: tenant.id, tenantId: tenant.id, details: { name } });
      return c.json(toTenant(tenant), 201, { Location: `/v1/tenants/${tenant.id}` });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/tenants',
      tags: ['Tenants'],
      summary: 'List tenants (admin)',
      security: API_KEY_SECURITY,
      responses: {
        200: { description: 'Tenants', content: { 'application/json': { schema: z.object({ tenants: z.array(tenantSchema) }) } } },
        ...problemResponses(401, 403),
      },
    }),
    async (c) => {
      requireAdmin(c.get('scope'), 'list tenants');
      return c.json({ tenants: (await store.tenants.list()).map(toTenant) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/api-keys',
      tags: ['API keys'],
      summary: 'Create an API key (admin); the key is returned once',
      security: API_KEY_SECURITY,
      request: { body: { required: true, content: { 'application/json': { schema: createApiKeyBody } } } },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: apiKeyCreatedSchema } } },
        ...problemResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const scope = c.get('scope');
      requireAdmin(scope, 'create API keys');
      const body = c.req.valid('json');
      if (body.role === 'tenant' && !body.tenantId) throw new ApiProblem('invalidRequest', "tenantId: required for role 'tenant'");
      if (body.role === 'admin' && body.tenantId) throw new ApiProblem('invalidRequest', "tenantId: an admin key belongs to no tenant; omit tenantId");
      if (body.tenantId && !(await store.tenants.get(body.tenantId))) throw new ApiProblem('notFound', `tenant '${body.tenantId}' does not exist`);
      const { key, apiKey } = await store.apiKeys.create({ role: body.role, tenantId: body.tenantId ?? null, label: body.label });
      await store.audit.append(scope, {
        action: 'api_key.create',
        resourceType: 'api_key',
        resourceId: apiKey.id,
        tenantId: apiKey.tenantId,
        details: { role: apiKey.role, prefix: apiKey.prefix },
      });
      return c.json(
        { id: apiKey.id, key, role: apiKey.role, tenantId: apiKey.tenantId, label: apiKey.label, createdAt: apiKey.createdAt.toISOString() },
        201,
      );
    },
  );
}
