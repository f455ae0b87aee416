/**
 * RFC 9457 problem details. Every 4xx/5xx the API sends is `application/problem+json` with a `type` from
 * PROBLEM (relative URIs resolved against the API; GET /problems/{name} describes each), a short `title`,
 * and a `detail` a person can act on. Handlers throw ApiProblem; app.ts renders it. Never a stack trace.
 */
import type { Context } from 'hono';
import { z } from '@hono/zod-openapi';

export const PROBLEM = {
  invalidRequest: { type: '/problems/invalid-request', title: 'The request is not valid', status: 400 },
  malformedJson: { type: '/problems/malformed-json', title: 'The request body is not valid JSON', status: 400 },
  invalidWindow: { type: '/problems/invalid-window', title: 'The date range cannot be exported', status: 400 },
  unauthorized: { type: '/problems/unauthorized', title: 'A valid API key is required', status: 401 },
  forbidden: { type: '/problems/forbidden', title: 'This API key may not do that', status: 403 },
  notFound: { type: '/problems/not-found', title: 'Not found', status: 404 },
  linkInvalid: { type: '/problems/link-invalid', title: 'The download link is not valid', status: 403 },
  conflict: { type: '/problems/conflict', title: 'Conflict with the current state', status: 409 },
  gone: { type: '/problems/gone', title: 'Expired', status: 410 },
  payloadTooLarge: { type: '/problems/payload-too-large', title: 'The body is too large', status: 413 },
  unsupportedMediaType: { type: '/problems/unsupported-media-type', title: 'Send the body as application/json', status: 415 },
  eventStoreUnavailable: { type: '/problems/event-store-unavailable', title: 'This process has no event store', status: 503 },
  temporalUnavailable: { type: '/problems/temporal-unavailable', title: 'The workflow engine is not reachable', status: 503 },
  internal: { type: '/problems/internal', title: 'Internal error', status: 500 },
} as const;
export type ProblemKind = keyof typeof PROBLEM;

export const problemSchema = z
  .object({
    type: z.string().openapi({ example: '/problems/invalid-request' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .passthrough()
  .openapi('Problem');

export class ApiProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export function problemResponse(c: Context, kind: ProblemKind, detail: string, extra: Record<string, unknown> = {}): Response {
  const p = PROBLEM[kind];
  const body = { type: p.type, title: p.title, status: p.status, detail, instance: c.req.path, ...extra };
  return new Response(JSON.stringify(body), { status: p.status, headers: { 'content-type': 'application/problem+json' } });
}

/** zod issues -> `errors: [{path, message}]` and a one-line detail naming the first few. */
export function validationProblem(
  c: Context,
  issues: readonly { path: PropertyKey[]; message: string; keys?: string[] }[],
  where: string,
): Response {
  const errors = issues.map((i) => {
    const base = i.path.map(String).join('.');
    // Unknown fields: name the field itself, not the object that holds it.
    const path = i.keys?.length ? i.keys.map((k) => (base ? `${base}.${k}` : k)).join(', ') : base || where;
    return { path, message: i.message };
  });
  const detail = errors
    .slice(0, 5)
    .map((e) => `${e.path}: ${e.message}`)
    .join('; ');
  return problemResponse(c, 'invalidRequest', detail, { errors });
}

/** OpenAPI response entries for the problems a route can answer with. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: 'Problem details (RFC 9457)', content: { 'application/problem+json': { schema: problemSchema } } }]),
  );
}
