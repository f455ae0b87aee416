/**
 * Downloads (seeds 002 and 004): `GET /v1/runs/{id}/download` answers `{downloadUrls}` with links valid 15
 * minutes (configurable). Files at an S3 destination get presigned GET URLs from S3 itself; files on the
 * filesystem get links served by `GET /files/{token}` without an API key, the signed token being the
 * credential. Tampered links are refused (403), expired ones and expired runs are gone (410).
 * Every download is in the audit log.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../env.js';
import { ApiProblem, problemResponses } from '../problem.js';
import { idParam } from '../schemas.js';
import { API_KEY_SECURITY } from './security.js';
import { fileOfClaim } from '../../platform/file-links.js';

const downloadSchema = z
  .object({
    downloadUrls: z.array(z.string()).openapi({ description: 'One signed link per file.' }),
    expiresAt: z.string().openapi({ description: 'When the links stop working.' }),
  })
  .openapi('DownloadLinks');

export function registerDownloadRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { store } = deps;
  const signer = () => {
    if (!deps.linkSigner) throw new ApiProblem('internal', 'download links are not configured on this process');
    return deps.linkSigner;
  };

  /** A presigned URL straight from the destination (S3), or undefined where Sluice serves the file itself. */
  const presigned = async (artifact: { destinationId: string; objectKey: string }, ttl: number): Promise<string | undefined> => {
    const found = await store.destinations.getForDelivery(artifact.destinationId);
    if (!found || !deps.destinations) return undefined;
    const { connector, config, problem } = await deps.destinations.bind(found);
    if (!connector.presign) return undefined;
    if (config === null) throw new ApiProblem('conflict', `destination ${found.destination.id} has an invalid configuration (${problem}); fix it to download its files`);
    return connector.presign(config, { objectKey: artifact.objectKey, fileName: path.basename(artifact.objectKey) }, ttl);
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/runs/{id}/download',
      tags: ['Runs'],
      summary: "Signed links to a completed run's files, valid 15 minutes",
      security: API_KEY_SECURITY,
      request: { params: idParam('Run', 'run_0123456789abcdef0123') },
      responses: { 200: { description: 'Links', content: { 'application/json': { schema: downloadSchema } } }, ...problemResponses(401, 404, 409, 410) },
    }),
    async (c) => {
      const scope = c.get('scope');
      const { id } = c.req.valid('param');
      const run = await store.runs.get(scope, id);
      if (!run) throw new ApiProblem('notFound', `run '${id}' does not exist`);
      if (run.status === 'Expired') throw new ApiProblem('gone', `run ${id} expired at ${run.expiresAt?.toISOString() ?? 'its expiry'} and its files were deleted; run the export again`);
      if (run.status !== 'Completed') throw new ApiProblem('conflict', `run ${id} is ${run.status}; files can be downloaded once it is Completed`);
      const expiresAt = Math.floor(Date.now() / 1000) + (deps.linkTtlSeconds ?? 900);
      const origin = new URL(c.req.url).origin;
      const artifacts = await store.runs.artifacts(id);
      const ttl = deps.linkTtlSeconds ?? 900;
      const downloadUrls: string[] = [];
      for (const a of artifacts) downloadUrls.push((await presigned(a, ttl)) ?? signer().url(origin, { artifactId: a.id, expiresAt }));
      await store.audit.append(scope, { action: 'run.download_links', resourceType: 'run', resourceId: id, tenantId: run.tenantId, details: { files: artifacts.length } });
      return c.json({ downloadUrls, expiresAt: new Date(expiresAt * 1000).toISOString() }, 200);
    },
  );

  app.get('/files/:token', async (c) => {
    const check = signer().verify(c.req.param('token'));
    if (!check.ok && check.reason === 'invalid') throw new ApiProblem('linkInvalid', 'this download link is not valid; ask for a new one with GET /v1/runs/{id}/download');
    if (!check.ok) throw new ApiProblem('gone', 'this download link has expired; ask for a new one with GET /v1/runs/{id}/download');
    const linked = deps.filesRoot ? fileOfClaim(deps.filesRoot, check.claims.artifactId) : undefined;
    if (linked) {
      const size = await stat(linked).then((s) => s.size, () => undefined);
      if (size === undefined) throw new ApiProblem('gone', 'the file behind this link has expired and was deleted; run the export again');
      await store.audit.append(
        { role: 'admin', actor: 'link:file' },
        { action: 'artifact.download', resourceType: 'file', resourceId: path.basename(linked), tenantId: null, details: { file: path.relative(deps.filesRoot!, linked) } },
      );
      return fileResponse(linked, size);
    }
    const artifact = await store.runs.artifact(check.claims.artifactId);
    const run = artifact && (await store.runs.get({ role: 'admin', actor: 'link' }, artifact.runId));
    if (!artifact || !run || run.status === 'Expired' || (artifact.expiresAt && artifact.expiresAt <= new Date())) {
      throw new ApiProblem('gone', 'the file behind this link has expired and was deleted; run the export again');
    }
    const size = await stat(artifact.location).then((s) => s.size, () => undefined);
    if (size === undefined) throw new ApiProblem('gone', 'the file behind this link is no longer at its destination');
    await store.audit.append(
      { role: 'admin', actor: `link:${artifact.id}` },
      { action: 'artifact.download', resourceType: 'artifact', resourceId: artifact.id, tenantId: run.tenantId, details: { runId: run.id, key: artifact.objectKey } },
    );
    return fileResponse(artifact.location, size, path.basename(artifact.objectKey));
  });
}

function fileResponse(location: string, size: number, name = path.basename(location)): Response {
  return new Response(Readable.toWeb(createReadStream(location)) as ReadableStream, {
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(size),
      'content-disposition': `attachment; filename="${name.replaceAll('"', '')}"`,
    },
  });
}
