/** First-start chores shared by the entry points: the first admin key and the demo data set. */
import type { Store } from '../store/index.js';
import type { EventStore } from '../connectors/sources/event-store/index.js';
import { isoDay } from '../datasets/window.js';
import { DATASETS } from '../datasets/catalog.js';
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

/** Seeds a small demo data set into every empty dataset: `rows` install events, a fifth of that elsewhere. */
export async function ensureDemoData(store: Store, events: EventStore, rows: number, log: Logger): Promise<void> {
  if (rows <= 0) return;
  const empty: string[] = [];
  for (const d of DATASETS.values()) if ((await events.rowCount(d.table)) === 0) empty.push(d.id);
  if (empty.length === 0) return;
  const tenants = await seedTenants(store);
  const end = isoDay(new Date());
  const seeded: Record<string, number> = {};
  for (const id of empty) {
    seeded[id] = await events.seed(id, { rows: id === 'install_events' ? rows : Math.ceil(rows / 5), seed: DEMO_SEED, tenants, end });
  }
  log.info('seeded demo data', { rows: seeded, tenants: tenants.length });
}
