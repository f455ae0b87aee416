/** Response and shared request schemas, named for the OpenAPI document. */
import { z } from '@hono/zod-openapi';

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a calendar date')
  .openapi({ example: '2026-11-01', format: 'date' });

export const idParam = (name: string, example: string) =>
  z.object({ id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' }, example, description: `${name} id` }) });

export const tenantSchema = z
  .object({ id: z.string(), name: z.string(), notifyEmail: z.string().nullable(), createdAt: z.string() })
  .openapi('Tenant');

export const apiKeyCreatedSchema = z
  .object({
    id: z.string(),
    key: z.string().openapi({ description: 'The API key. Shown once: store it now; Sluice keeps only its hash.' }),
    role: z.enum(['admin', 'tenant']),
    tenantId: z.string().nullable(),
    label: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('ApiKeyCreated');

export const destinationSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.string(),
    tenantId: z.string().nullable(),
    config: z
      .record(z.string(), z.unknown())
      .openapi({ description: "Configuration; secret fields (e.g. secretAccessKey) show as '[redacted]' and are never returned." }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Destination');

export const runErrorSchema = z
  .object({
    type: z.string().openapi({ description: 'Failure type, e.g. DestinationConfig' }),
    message: z.string().openapi({ description: 'What went wrong and what to do about it.' }),
  })
  .openapi('RunError');

export const runFileSchema = z
  .object({
    key: z.string(),
    location: z.string(),
    format: z.string(),
    rows: z.number().int(),
    bytes: z.number().int(),
    sha256: z.string(),
  })
  .openapi('RunFile');

export const runDeliverySchema = z
  .object({
    destinationId: z.string(),
    partition: z.string(),
    state: z.enum(['pending', 'delivering', 'delivered', 'failed']),
    attempts: z.number().int(),
    rows: z.number().int().nullable(),
    error: z.string().nullable(),
    detail: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: "The destination's own account of the delivery: for e-mail the Message-ID and each recipient's answer." }),
  })
  .openapi('RunDelivery');

export const runSchema = z
  .object({
    id: z.string(),
    status: z.enum(['Pending', 'Processing', 'Completed', 'Failed', 'Cancelled', 'Expired']),
    dataset: z.string(),
    format: z.string(),
    settings: z
      .object({
        format: z.string(),
        compression: z.string(),
        granularity: z.string(),
        dimension: z.string().nullable(),
        partitioning: z.string(),
        pathTemplate: z.string(),
        filters: z.record(z.string(), z.array(z.string())),
      })
      .openapi('RunSettings'),
    window: z.object({ from: z.string(), to: z.string() }),
    tenantId: z.string().nullable(),
    destinationIds: z.array(z.string()),
    requestedAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    rows: z.number().int().nullable(),
    bytes: z.number().int().nullable(),
    summary: z.string().openapi({ description: 'The settings in one line, for histories.' }),
    expiresAt: z.string().nullable().openapi({ description: "When the run's files are deleted (Completed runs)." }),
    downloadAvailable: z.boolean().openapi({ description: 'Whether GET /v1/runs/{id}/download gives links now.' }),
    files: z.array(runFileSchema),
    manifests: z
      .array(
        z.object({
          destinationId: z.string(),
          kind: z.enum(['manifest', 'marker']),
          key: z.string(),
          location: z.string(),
          sha256: z.string(),
        }),
      )
      .openapi({ description: "Per destination: the run's manifest, then its completion marker (written last)." }),
    deliveries: z.array(runDeliverySchema),
    error: runErrorSchema.nullable(),
    workflowId: z.string().openapi({ description: 'Find the run in the Temporal UI by this id.' }),
  })
  .openapi('Run');

export const datasetSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    source: z.string(),
    visibility: z.enum(['tenant', 'admin']),
    available: z.boolean().openapi({ description: 'False when the calling key may not export this dataset.' }),
    columns: z.array(z.object({ name: z.string(), type: z.string(), description: z.string(), nullable: z.boolean().optional() })),
    metrics: z.array(z.object({ name: z.string(), description: z.string() })),
    dimensions: z.array(z.string()).openapi({ description: "Columns the JSON series may be grouped by ('dimension')." }),
    filters: z.array(z.object({ name: z.string(), column: z.string(), description: z.string() })).openapi({ description: "Names accepted in a run's 'filters'." }),
    aggregation: z.string().openapi({ description: 'Name the {aggregation} path token uses.' }),
    codes: z.record(z.string(), z.record(z.string(), z.string())).openapi({ description: 'Coded values and their meanings, per column.' }),
  })
  .openapi('Dataset');
