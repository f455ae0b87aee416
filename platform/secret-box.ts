/**
 * Secrets at rest: AES-256-GCM under a 32-byte master key. Each value gets a fresh 12-byte nonce; the
 * stored form is `v1.<nonce>.<ciphertext>.<tag>` (base64url), so a tampered value fails to open instead of
 * decrypting to garbage. The key comes from SLUICE_MASTER_KEY (base64); the embedded platform generates one
 * into the data directory (mode 0600) when unset, and production processes (DATABASE_URL set) refuse to start
 * without it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the master key must be 32 bytes (base64 of 32 random bytes)');
  }

  seal(plain: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', nonce, body, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  open(sealed: string): string {
    const [version, nonce, body, tag] = sealed.split('.');
    if (version !== 'v1' || !nonce || body === undefined || !tag) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}

export async function loadMasterKey(options: { configured: string | undefined; dataDir: string; production: boolean }): Promise<Buffer> {
  if (options.configured) {
    const key = Buffer.from(options.configured, 'base64');
    if (key.length !== 32) throw new Error('SLUICE_MASTER_KEY must be the base64 of 32 bytes (e.g. `openssl rand -base64 32`)');
    return key;
  }
  if (options.production) {
    throw new Error('SLUICE_MASTER_KEY is required when DATABASE_URL is set: destination secrets are encrypted with it (e.g. `openssl rand -base64 32`)');
  }
  const file = path.join(options.dataDir, 'master.key');
  try {
    return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
  } catch {
    const key = randomBytes(32);
    await mkdir(options.dataDir, { recursive: true });
    await writeFile(file, key.toString('base64'), { mode: 0o600 });
    return key;
  }
}
