/**
 * Files published behind a signed link, for deliveries that hand a person a link instead of the file (an
 * e-mail whose file is over the attachment limit). The file is copied under `<filesRoot>/_links/` and the
 * link names it by a signed claim; `GET /files/{token}` serves it until the link expires.
 */
import path from 'node:path';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import type { LinkSigner } from './signed-links.js';

const CLAIM_PREFIX = 'file:';

export interface FileLinks {
  /** Copies `file` to a stable place for `objectKey` and answers a link valid `ttlSeconds`. */
  publish(file: string, target: { objectKey: string; tenantId: string | null }, ttlSeconds: number): Promise<{ url: string; location: string; expiresAt: Date }>;
  remove(target: { objectKey: string; tenantId: string | null }): Promise<void>;
}

export function linkedFileLocation(filesRoot: string, target: { objectKey: string; tenantId: string | null }): string {
  const dir = path.resolve(filesRoot, '_links', target.tenantId ?? '_admin');
  const location = path.resolve(dir, target.objectKey);
  if (!location.startsWith(dir + path.sep)) throw new Error(`object key '${target.objectKey}' leaves the links directory`);
  return location;
}

/** The claim a file link signs: the file's path under the files root, base64url (no dots, so tokens stay parseable). */
export const fileClaim = (relative: string): string => `${CLAIM_PREFIX}${Buffer.from(relative).toString('base64url')}`;

/** The path under the files root a file claim names, or undefined for artifact claims. */
export function fileOfClaim(filesRoot: string, claim: string): string | undefined {
  if (!claim.startsWith(CLAIM_PREFIX)) return undefined;
  const relative = Buffer.from(claim.slice(CLAIM_PREFIX.length), 'base64url').toString();
  const root = path.resolve(filesRoot, '_links');
  const location = path.resolve(filesRoot, relative);
  return location.startsWith(root + path.sep) ? location : undefined;
}

export function createFileLinks(options: { filesRoot: string; signer: LinkSigner; baseUrl: string }): FileLinks {
  return {
    async publish(file, target, ttlSeconds) {
      const location = linkedFileLocation(options.filesRoot, target);
      await mkdir(path.dirname(location), { recursive: true });
      await copyFile(file, location);
      const expiresAt = Math.floor(Date.now() / 1000) + ttlSeconds;
      const url = options.signer.url(options.baseUrl, { artifactId: fileClaim(path.relative(options.filesRoot, location)), expiresAt });
      return { url, location, expiresAt: new Date(expiresAt * 1000) };
    },
    async remove(target) {
      await rm(linkedFileLocation(options.filesRoot, target), { force: true });
    },
  };
}
