import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Destination } from '../../store/destinations.js';
import { DESTINATION_CONFIG_SCHEMAS, DESTINATION_SECRET_FIELDS } from '../../connectors/registry.js';
import { connectorContext } from '../connector-context.js';
import type { ApiDeps, ApiEnv } from '../env.js';
import { ApiProblem, problemResponses } from '../problem.js';
import { destinationSchema, idParam } from '../schemas.js';
import { API_KEY_SECURITY } from './security.js';

const createDestinationBody = z
  .discriminatedUnion('type', [
    z
      .object({
        name: z.string().trim().min(1).max(200).openapi({ example: 'local files' }),
        type: z.literal('filesystem'),
        config: DESTINATION_CONFIG_SCHEMAS.filesystem,
      })
      .strict(),
    z
      .object({
        name: z.string().trim().min(1).max(200).openapi({ example: 'analytics bucket' }),
        type: z.literal('s3'),
        config: DESTINATION_CONFIG_SCHEMAS.s3,
      })
      .strict(),
    z
      .object({
        name: z.string().trim().min(1).max(200).openapi({ example: 'weekly report' }),
        type: z.literal('email'),
        config: DESTINATION_CONFIG_SCHEMAS.email,
      })
      .strict(),
  ])
  .openapi('CreateDestination');

/** Splits a validated config into what is stored readable and the secret fields, which are sealed. */
export function splitSecrets(type: string, config: Record<string, unknown>) {
  const secretNames = DESTINATION_SECRET_FIELDS[type] ?? [];
  const plain: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) (secretNames.includes(k) ? secrets : plain)[k] = v;
  return { plain, secrets };
}

export const toDestinationView = (d: Destination) => ({
  id: d.id,
  name: d.name,
  type: d.type,
  tenantId: d.tenantId,
  config: { ...d.config, ...(d.hasSecrets ? Object.fromEntries((DESTINATION_SECRET_FIELDS[d.type] ?? []).map((f) => [f, '[redacted]'])) : {}) },
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
});

const updateDestinationBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    config: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: 'Fields to change, merged over the current configuration; secret fields left out keep their stored value (rotate a key by sending it).' }),
  })
  .strict()
  .openapi('UpdateDestination');

const checkSchema = z
  .object({
    ok: z.boolean().openapi({ description: 'Whether Sluice can deliver to this destination now.' }),
    message: z.string().openapi({ description: 'What was tested, or what is wrong and what to change.' }),
    checkedAt: z.string(),
  })
  .openapi('DestinationCheck');

export function registerDestinationRoutes(app: OpenAPIHono<ApiEnv>, { store, destinations, log }: ApiDeps): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/destinations',
      tags: ['Destinations'],
      summary: 'Create a destination',
      security: API_KEY_SECURITY,
      request: { body: { required: true, content: { 'application/json': { schema: createDestinationBody } } } },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: destinationSchema } } },
        ...problemResponses(400, 401),
      },
    }),
    async (c) => {
      const scope = c.get('scope');
      const body = c.req.valid('json');
      const { plain, secrets } = splitSecrets(body.type, body.config);
      const destination = await store.destinations.create(scope, { name: body.name, type: body.type, config: plain, secrets });
      await store.audit.append(scope, {
        action: 'destination.create',
        resourceType: 'destination',
        resourceId: destination.id,
        tenantId: destination.tenantId,
        details: { name: destination.name, type: destination.type },
      });
      return c.json(toDestinationView(destination), 201, { Location: `/v1/destinations/${destination.id}` });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/destinations',
      tags: ['Destinations'],
      summary: 'List destinations',
      security: API_KEY_SECURITY,
      responses: {
        200: { description: 'Destinations', content: { 'application/json': { schema: z.object({ destinations: z.array(destinationSchema) }) } } },
        ...problemResponses(401),
      },
    }),
    async (c) => c.json({ destinations: (await store.destinations.list(c.get('scope'))).map(toDestinationView) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/destinations/{id}',
      tags: ['Destinations'],
      summary: 'Get a destination',
      security: API_KEY_SECURITY,
      request: { params: idParam('Destination', 'dst_0123456789abcdef0123') },
      responses: {
        200: { description: 'The destination', content: { 'application/json': { schema: destinationSchema } } },
        ...problemResponses(401, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const destination = await store.destinations.get(c.get('scope'), id);
      if (!destination) throw new ApiProblem('notFound', `destination '${id}' does not exist`);
      return c.json(toDestinationView(destination), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/v1/destinations/{id}',
      tags: ['Destinations'],
      summary: 'Rename a destination or change its configuration (rotate credentials)',
      security: API_KEY_SECURITY,
      request: {
        params: idParam('Destination', 'dst_0123456789abcdef0123'),
        body: { required: true, content: { 'application/json': { schema: updateDestinationBody } } },
      },
      responses: {
        200: { description: 'Updated', content: { 'application/json': { schema: destinationSchema } } },
        ...problemResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const scope = c.get('scope');
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const found = await store.destinations.getForDelivery(id, scope);
      if (!found) throw new ApiProblem('notFound', `destination '${id}' does not exist`);
      const type = found.destination.type as keyof typeof DESTINATION_CONFIG_SCHEMAS;
      let split: { plain: Record<string, unknown>; secrets: Record<string, unknown> } | undefined;
      if (body.config) {
        const schema = DESTINATION_CONFIG_SCHEMAS[type] as z.ZodType<Record<string, unknown>> | undefined;
        if (!schema) throw new ApiProblem('invalidRequest', `destinations of type '${type}' cannot be changed here`);
        const merged = schema.safeParse({ ...found.config, ...body.config });
        if (!merged.success) {
          const errors = merged.error.issues.map((i) => ({ path: ['config', ...i.path.map(String)].join('.'), message: i.message }));
          throw new ApiProblem('invalidRequest', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
        }
        split = splitSecrets(type, merged.data);
      }
      const updated = await store.destinations.update(scope, id, { ...(body.name ? { name: body.name } : {}), ...(split ? { config: split.plain, secrets: split.secrets } : {}) });
      if (!updated) throw new ApiProblem('notFound', `destination '${id}' does not exist`);
      const secretNames = DESTINATION_SECRET_FIELDS[type] ?? [];
      await store.audit.append(scope, {
        action: 'destination.update',
        resourceType: 'destination',
        resourceId: id,
        tenantId: updated.tenantId,
        // Which fields changed, never their values when they are secrets.
        details: { name: body.name ?? null, changed: Object.keys(body.config ?? {}), secretsChanged: Object.keys(body.config ?? {}).filter((k) => secretNames.includes(k)) },
      });
      return c.json(toDestinationView(updated), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/destinations/{id}/check',
      tags: ['Destinations'],
      summary: 'Test credentials and write permission',
      description: 'Writes, reads back and deletes a small probe object (or file). Answers 200 either way; `ok: false` says what is wrong.',
      security: API_KEY_SECURITY,
      request: { params: idParam('Destination', 'dst_0123456789abcdef0123') },
      responses: {
        200: { description: 'The outcome of the check', content: { 'application/json': { schema: checkSchema } } },
        ...problemResponses(401, 404),
      },
    }),
    async (c) => {
      const scope = c.get('scope');
      const { id } = c.req.valid('param');
      const found = await store.destinations.getForDelivery(id, scope);
      if (!found) throw new ApiProblem('notFound', `destination '${id}' does not exist`);
      if (!destinations) throw new ApiProblem('internal', 'destination checks are not configured on this process');
      const { connector, config, problem } = await destinations.bind(found);
      const checkedAt = new Date().toISOString();
      if (config === null) return c.json({ ok: false, message: `the stored configuration is invalid: ${problem}`, checkedAt }, 200);
      const result = await connector.check(config, connectorContext(log));
      return c.json({ ok: result.ok, message: result.message, checkedAt }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/destinations/{id}',
      tags: ['Destinations'],
      summary: 'Delete a destination',
      security: API_KEY_SECURITY,
      request: { params: idParam('Destination', 'dst_0123456789abcdef0123') },
      responses: { 204: { description: 'Deleted' }, ...problemResponses(401, 404) },
    }),
    async (c) => {
      const scope = c.get('scope');
      const { id } = c.req.valid('param');
      const destination = await store.destinations.get(scope, id);
      if (!destination || !(await store.destinations.delete(scope, id))) throw new ApiProblem('notFound', `destination '${id}' does not exist`);
      await store.audit.append(scope, { action: 'destination.delete', resourceType: 'destination', resourceId: id, tenantId: destination.tenantId });
      return c.body(null, 204);
    },
  );
}
