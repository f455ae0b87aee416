/**
 * Signed, expiring download links for files Sluice serves itself (seeds 002 and 004). A token names an
 * artifact and an expiry and carries an HMAC-SHA256 over both; changing either breaks the signature.
 * The key comes from SLUICE_LINK_SECRET, or is generated once and kept in the data directory (mode 0600).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface LinkClaims {
  artifactId: string;
  /** Unix seconds. */
  expiresAt: number;
}

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: 'invalid' | 'expired' };

export class LinkSigner {
  constructor(private readonly key: Buffer) {}

  sign(claims: LinkClaims): string {
    const body = Buffer.from(`${claims.artifactId}.${claims.expiresAt}`).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The link itself: `<base>/files/<token>`, served by GET /files/{token}. */
  url(baseUrl: string, claims: LinkClaims): string {
    return `${baseUrl.replace(/\/$/, '')}/files/${this.sign(claims)}`;
  }

  verify(token: string, nowSeconds = Math.floor(Date.now() / 1000)): LinkCheck {
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined) return { ok: false, reason: 'invalid' };
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'invalid' };
    const [artifactId, exp] = Buffer.from(body, 'base64url').toString().split('.');
    const expiresAt = Number(exp);
    if (!artifactId || !Number.isInteger(expiresAt)) return { ok: false, reason: 'invalid' };
    if (expiresAt <= nowSeconds) return { ok: false, reason: 'expired' };
    return { ok: true, claims: { artifactId, expiresAt } };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

/** The signing key: from the environment, or created once under the data directory. */
export async function loadLinkKey(configured: string | undefined, dataDir: string): Promise<Buffer> {
  if (configured) return Buffer.from(configured);
  const file = path.join(dataDir, 'link-signing.key');
  try {
    return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
  } catch {
    const key = randomBytes(32);
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, key.toString('base64'), { mode: 0o600 });
    return key;
  }
}
