import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { DATASETS, findDataset } from '../../datasets/catalog.js';
import type { DatasetDefinition } from '../../datasets/types.js';
import type { Scope } from '../../store/scope.js';
import type { ApiEnv } from '../env.js';
import { ApiProblem, problemResponses } from '../problem.js';
import { datasetSchema } from '../schemas.js';
import { API_KEY_SECURITY } from './security.js';

const datasetView = (d: DatasetDefinition, scope: Scope) => ({
  id: d.id,
  title: d.title,
  description: d.description,
  source: d.source,
  visibility: d.visibility,
  available: d.visibility === 'tenant' || scope.role === 'admin',
  columns: d.columns.map((c) => ({ ...c })),
  metrics: d.metrics.map((m) => ({ name: m.name, description: m.description })),
  dimensions: [...d.dimensions],
  filters: d.filters.map((f) => ({ name: f.name, column: f.column, description: f.description })),
  aggregation: d.aggregation,
  codes: d.codes ?? {},
});

export function registerDatasetRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/datasets',
      tags: ['Datasets'],
      summary: 'List datasets; those this key may not export are marked unavailable',
      security: API_KEY_SECURITY,
      responses: {
        200: { description: 'Datasets', content: { 'application/json': { schema: z.object({ datasets: z.array(datasetSchema) }) } } },
        ...problemResponses(401),
      },
    }),
    (c) => c.json({ datasets: [...DATASETS.values()].map((d) => datasetView(d, c.get('scope'))) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/datasets/{id}',
      tags: ['Datasets'],
      summary: 'Get a dataset and its data dictionary',
      security: API_KEY_SECURITY,
      request: { params: z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: 'install_events' }) }) },
      responses: {
        200: { description: 'The dataset', content: { 'application/json': { schema: datasetSchema } } },
        ...problemResponses(401, 404),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const dataset = findDataset(id);
      if (!dataset) throw new ApiProblem('notFound', `dataset '${id}' does not exist`);
      return c.json(datasetView(dataset, c.get('scope')), 200);
    },
  );
}
