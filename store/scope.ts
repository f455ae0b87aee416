/**
 * Who is asking. An admin sees every tenant; a tenant key sees only rows whose tenant_id is its own.
 * Repositories take a Scope so the tenancy rule lives in one place, in SQL.
 */
export type Scope = { role: 'admin'; actor: string } | { role: 'tenant'; tenantId: string; actor: string };

export const systemScope: Scope = { role: 'admin', actor: 'system' };

/** Adds `AND <column> = $n` for tenant scopes; returns the clause and the parameters to append. */
export function tenantClause(scope: Scope, column: string, params: unknown[]): string {
  if (scope.role === 'admin') return '';
  params.push(scope.tenantId);
  return ` AND ${column} = $${params.length}`;
}

export function scopeTenantId(scope: Scope): string | null {
  return scope.role === 'tenant' ? scope.tenantId : null;
}
