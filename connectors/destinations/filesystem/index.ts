/**
 * Filesystem destination: files under `SLUICE_FILES_ROOT/<path>` (admin) or
 * `SLUICE_FILES_ROOT/tenants/<tenantId>/<path>` (a tenant's). A file becomes visible only complete: it is
 * copied to a partial name, flushed, then renamed. Re-delivery under the same key finds the same bytes and
 * leaves them alone.
 */
import path from 'node:path';
import { copyFile, link, mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { sha256File } from '../../../platform/files.js';
import type { DestinationConnector, DestinationDeps } from '../../types.js';
import { ConnectorError } from '../../errors.js';
import { type FilesystemConfig, filesystemConfigSchema } from './config.js';
import { toFilesystemError } from './errors.js';

export function destinationDirectory(root: string, config: FilesystemConfig, tenantId: string | null): string {
  const base = tenantId ? path.join(root, 'tenants', tenantId) : root;
  const dir = path.resolve(base, config.path);
  if (dir !== base && !dir.startsWith(base + path.sep)) {
    throw new ConnectorError('config', `path '${config.path}' leaves the files root`);
  }
  return dir;
}

async function existingSha256(file: string): Promise<string | undefined> {
  try {
    await stat(file);
  } catch {
    return undefined;
  }
  return sha256File(file);
}

export function createFilesystemDestination(deps: DestinationDeps): DestinationConnector<FilesystemConfig> {
  return {
    type: 'filesystem',
    configSchema: filesystemConfigSchema,
    secretFields: [],
    capabilities: { formats: ['csv', 'json', 'jsonl', 'parquet'], loads: 'files', maxFileBytes: null, manifests: true },

    async check(config) {
      const dir = destinationDirectory(deps.filesRoot, config, null);
      const probe = path.join(dir, `.sluice-check-${process.pid}-${Date.now()}`);
      try {
        await mkdir(dir, { recursive: true });
        await writeFile(probe, 'ok');
        await rm(probe, { force: true });
        return { ok: true, message: `writable: ${dir}` };
      } catch (err) {
        return { ok: false, message: toFilesystemError(err, dir).message };
      }
    },

    async deliver(config, request, ctx) {
      const dir = destinationDirectory(deps.filesRoot, config, request.tenantId);
      const target = path.resolve(dir, request.objectKey);
      if (!target.startsWith(dir + path.sep)) {
        throw new ConnectorError('config', `object key '${request.objectKey}' leaves the destination directory`);
      }
      const receipt = { location: target, objectKey: request.objectKey, rows: request.file.rows, bytes: request.file.bytes, sha256: request.file.sha256 };
      if ((await existingSha256(target)) === request.file.sha256) {
        ctx.log.info('already delivered; keeping the existing file', { target });
        return { ...receipt, alreadyDelivered: true };
      }
      const partial = `${target}.partial-${request.deliveryKey.slice(0, 16)}`;
      try {
        await mkdir(path.dirname(target), { recursive: true });
        await rm(partial, { force: true });
        // Same volume as the staging area: a hard link costs nothing and the bytes are already on disk.
        const linked = await link(request.file.path, partial).then(() => true, () => false);
        if (!linked) {
          await copyFile(request.file.path, partial);
          const handle = await open(partial, 'r+');
          try {
            await handle.sync();
          } finally {
            await handle.close();
          }
        }
        const copied = await stat(partial);
        if (copied.size !== request.file.bytes) {
          throw new ConnectorError('transient', `copied ${copied.size} bytes of ${request.file.bytes} to ${partial}`);
        }
        await rename(partial, target);
      } catch (err) {
        await rm(partial, { force: true }).catch(() => undefined);
        throw toFilesystemError(err, target);
      }
      return { ...receipt, alreadyDelivered: false };
    },

    async remove(config, target) {
      const dir = destinationDirectory(deps.filesRoot, config, target.tenantId);
      const file = path.resolve(dir, target.objectKey);
      if (!file.startsWith(dir + path.sep)) throw new ConnectorError('config', `object key '${target.objectKey}' leaves the destination directory`);
      await rm(file, { force: true });
    },
  };
}
