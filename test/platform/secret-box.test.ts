import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { SecretBox, loadMasterKey } from '../../platform/secret-box.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sluice-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('secret box', () => {
  it('round-trips, never shows the plain text, and uses a fresh nonce each time', () => {
    const box = new SecretBox(randomBytes(32));
    const a = box.seal('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    const b = box.seal('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    expect(a).not.toBe(b);
    expect(a).not.toContain('wJalrXUtnFEMI');
    expect(box.open(a)).toBe('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
  });

  it('refuses a tampered value and a wrong key', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal('secret');
    const parts = sealed.split('.');
    parts[2] = Buffer.from('SECRET').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
  });

  it('needs SLUICE_MASTER_KEY in production and keeps a generated key otherwise', async () => {
    await expect(loadMasterKey({ configured: undefined, dataDir: dir, production: true })).rejects.toThrow(/SLUICE_MASTER_KEY is required/);
    await expect(loadMasterKey({ configured: 'too-short', dataDir: dir, production: false })).rejects.toThrow(/32 bytes/);
    const first = await loadMasterKey({ configured: undefined, dataDir: dir, production: false });
    const second = await loadMasterKey({ configured: undefined, dataDir: dir, production: false });
    expect(first.equals(second)).toBe(true);
    expect(statSync(path.join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dir, 'master.key'), 'utf8').trim()).toBe(first.toString('base64'));
  });
});
