import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFilesystemDestination } from '../../connectors/destinations/filesystem/index.js';
import { filesystemConfigSchema } from '../../connectors/destinations/filesystem/config.js';
import { ConnectorError } from '../../connectors/errors.js';
import type { ConnectorContext, StagedFile } from '../../connectors/types.js';
import { sha256File } from '../../platform/files.js';
import { silentLogger } from '../../platform/logger.js';

let dir: string;
let staged: StagedFile;
const ctx: ConnectorContext = { heartbeat: () => undefined, lastProgress: undefined, signal: new AbortController().signal, cancelRequested: () => false, log: silentLogger };

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sluice-fs-'));
  const file = path.join(dir, 'staged.csv');
  writeFileSync(file, 'a,b\n1,2\n');
  staged = { path: file, format: 'csv', rows: 1, bytes: 8, sha256: await sha256File(file) };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('filesystem destination', () => {
  it('delivers a complete file under the tenant directory and leaves no partial file', async () => {
    const fs = createFilesystemDestination({ filesRoot: path.join(dir, 'root') });
    const receipt = await fs.deliver({ path: 'out' }, { file: staged, objectKey: 'd/x.csv', deliveryKey: 'k'.repeat(64), tenantId: 'ten_1' }, ctx);
    expect(receipt.location).toBe(path.join(dir, 'root', 'tenants', 'ten_1', 'out', 'd', 'x.csv'));
    expect(readFileSync(receipt.location, 'utf8')).toBe('a,b\n1,2\n');
    expect(readdirSync(path.dirname(receipt.location))).toEqual(['x.csv']);
    expect(receipt).toMatchObject({ rows: 1, bytes: 8, sha256: staged.sha256, alreadyDelivered: false });
  });

  it('re-delivery under the same key keeps the same bytes and reports it', async () => {
    const fs = createFilesystemDestination({ filesRoot: dir });
    const request = { file: staged, objectKey: 'x.csv', deliveryKey: 'k'.repeat(64), tenantId: null };
    await fs.deliver({ path: 'out' }, request, ctx);
    const again = await fs.deliver({ path: 'out' }, request, ctx);
    expect(again.alreadyDelivered).toBe(true);
    expect(readdirSync(path.join(dir, 'out'))).toEqual(['x.csv']);
  });

  it('classifies a path blocked by a file as a configuration error', async () => {
    writeFileSync(path.join(dir, 'blocked'), 'not a directory');
    const fs = createFilesystemDestination({ filesRoot: dir });
    const err = await fs
      .deliver({ path: 'blocked' }, { file: staged, objectKey: 'x.csv', deliveryKey: 'k'.repeat(64), tenantId: null }, ctx)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).kind).toBe('config');
    expect((err as ConnectorError).message).toContain('is a file, not a directory');
  });

  it('refuses object keys and paths that leave the root', async () => {
    mkdirSync(path.join(dir, 'out'));
    const fs = createFilesystemDestination({ filesRoot: dir });
    await expect(fs.deliver({ path: 'out' }, { file: staged, objectKey: '../../x.csv', deliveryKey: 'k', tenantId: null }, ctx)).rejects.toThrow(/leaves/);
    expect(filesystemConfigSchema.safeParse({ path: '../x' }).success).toBe(false);
    expect(filesystemConfigSchema.safeParse({ path: '/abs' }).success).toBe(false);
    expect(filesystemConfigSchema.safeParse({ path: 'ok/nested' }).success).toBe(true);
  });

  it('checks that the directory is writable', async () => {
    const fs = createFilesystemDestination({ filesRoot: dir });
    expect((await fs.check({ path: 'checked' }, ctx)).ok).toBe(true);
    writeFileSync(path.join(dir, 'file'), 'x');
    const bad = await fs.check({ path: 'file' }, ctx);
    expect(bad.ok).toBe(false);
  });
});
