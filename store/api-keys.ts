/**
 * API keys are 32 random bytes shown once at creation. Only their SHA-256 is stored: the keys carry 256
 * bits of entropy, so a fast hash is enough and lookups stay O(1) through the unique index.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from './database.js';
import { newId } from './ids.js';

export type Role = 'admin' | 'tenant';

export interface ApiKey {
  id: string;
  role: Role;
  tenantId: string | null;
  prefix: string;
  label: string | null;
  createdAt: Date;
}

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');
export const generateApiKey = (): string => `sk_${randomBytes(32).toString('base64url')}`;

const toApiKey = (r: Record<string, unknown>): ApiKey => ({
  id: r.id as string,
  role: r.role as Role,
  tenantId: (r.tenant_id as string | null) ?? null,
  prefix: r.key_prefix as string,
  label: (r.label as string | null) ?? null,
  createdAt: r.created_at as Date,
});

export class ApiKeyRepository {
  constructor(private readonly db: Queryable) {}

  /** Stores the hash of `key` (or of a new key) and returns the plain key once. */
  async create(input: { role: Role; tenantId: string | null; label?: string; key?: string }): Promise<{ key: string; apiKey: ApiKey }> {
    const key = input.key ?? generateApiKey();
    const rows = await this.db.query(
      `INSERT INTO api_keys (id, tenant_id, role, key_hash, key_prefix, label) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [newId('apiKey'), input.tenantId, input.role, hashApiKey(key), key.slice(0, 7), input.label ?? null],
    );
    return { key, apiKey: toApiKey(rows[0]!) };
  }

  async authenticate(key: string): Promise<ApiKey | undefined> {
    const rows = await this.db.query('SELECT * FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL', [hashApiKey(key)]);
    return rows[0] ? toApiKey(rows[0]) : undefined;
  }

  async count(): Promise<number> {
    const rows = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys');
    return Number(rows[0]!.n);
  }
}
