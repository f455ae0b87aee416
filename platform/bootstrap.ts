/** First-start chores shared by the entry points: the first admin key and the demo data set. */
import type { Store } from '../store/index.js';
import type { EventStore } from '../connectors/sources/event-store/index.js';
import { isoDay } from '../datasets/window.js';
import type { Logger } from './logger.js';

export const DEMO_TENANTS = ['acme', 'globex', 'initech'] as const;
export const DEMO_SEED = 42;

/**
 * With an empty store, SLUICE_ADMIN_KEY becomes the admin key; without it a key is generated and printed
 * once to stdout (never to the log). Returns the key when it was generated here.
 */
export async function ensureAdminKey(store: Store, configuredKey: string | undefined, log: Logger): Promise<string | undefined> {
  if ((await store.apiKeys.count()) > 0) {
    if (configuredKey && !(await store.apiKeys.authenticate(configuredKey))) {
      log.warn('SLUICE_ADMIN_KEY is set but is not a key of this store; it is only used on first start with an empty store');
    }
    return undefined;
  }
  const { key } = await store.apiKeys.create({ role: 'admin', tenantId: null, label: 'bootstrap admin', key: configuredKey });
  if (configuredKey) {
    log.info('admin key created from SLUICE_ADMIN_KEY');
    return undefined;
  }
  return key;
}

/** Tenants to seed for: those in the store, or the demo tenants (created) when there are none. */
export async function seedTenants(store: Store): Promise<string[]> {
  let tenants = await store.tenants.list();
  if (tenants.length === 0) {
    for (const name of DEMO_TENANTS) await store.tenants.create(name);
    tenants = await store.tenants.list();
  }
  return tenants.map((t) => t.id);
}

/** Seeds a small demo data set when the event store has no install events yet. */
export async function ensureDemoData(store: Store, events: EventStore, rows: number, log: Logger): Promise<void> {
  if (rows <= 0 || (await events.rowCount('install_events')) > 0) return;
  const tenants = await seedTenants(store);
  const inserted = await events.seed('install_events', { rows, seed: DEMO_SEED, tenants, end: isoDay(new Date()) });
  log.info('seeded demo install events', { rows: inserted, tenants: tenants.length });
}
