/**
 * API-key authentication: the key comes in the `x-api-key` header or the `apiKey` query parameter (seed
 * 002), is looked up by its hash, and becomes the request's Scope: admin sees all, a tenant key its own.
 */
import type { MiddlewareHandler } from 'hono';
import type { Store } from '../store/index.js';
import type { Scope } from '../store/scope.js';
import type { ApiEnv } from './env.js';
import { ApiProblem } from './problem.js';

export function authenticate(store: Store): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const key = c.req.header('x-api-key') ?? c.req.query('apiKey');
    if (!key) throw new ApiProblem('unauthorized', "send your API key in the 'x-api-key' header or the 'apiKey' query parameter");
    const apiKey = await store.apiKeys.authenticate(key);
    if (!apiKey) throw new ApiProblem('unauthorized', 'the API key is not valid (unknown or revoked)');
    const scope: Scope =
      apiKey.role === 'admin' ? { role: 'admin', actor: apiKey.id } : { role: 'tenant', tenantId: apiKey.tenantId!, actor: apiKey.id };
    c.set('apiKey', apiKey);
    c.set('scope', scope);
    await next();
  };
}

export function requireAdmin(scope: Scope, what: string): void {
  if (scope.role !== 'admin') throw new ApiProblem('forbidden', `only an admin key may ${what}`);
}
