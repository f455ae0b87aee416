import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Destination } from '../../store/destinations.js';
import { DESTINATION_CONFIG_SCHEMAS } from '../../connectors/registry.js';
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
  ])
  .openapi('CreateDestination');

export const toDestinationView = (d: Destination) => ({
  id: d.id,
  name: d.name,
  type: d.type,
  tenantId: d.tenantId,
  config: d.config,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
});

export function registerDestinationRoutes(app: OpenAPIHono<ApiEnv>, { store }: ApiDeps): void {
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
      const destination = await store.destinations.create(scope, { name: body.name, type: body.type, config: body.config });
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
