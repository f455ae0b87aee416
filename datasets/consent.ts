/** Seed 002, consent analytics: interaction analytics and granular analytics, with coded values. */
import type { DatasetDefinition } from './types.js';

const tenantOf = `$tenants[1 + least(len($tenants) - 1, floor(len($tenants) * pow(u($seed, i, 't'), 1.5)))::INTEGER]`;

/** Seed 002's code dictionary for granular analytics. */
export const CONSENT_CODES = {
  consent: { '0': 'Opt-out', '1': 'Opt-in' },
  action: {
    '0': 'Accept All (onAcceptAllServices)',
    '1': 'Deny All (onDenyAllServices)',
    '2': "Essential change: indicated service as essential that wasn't before and vice versa (onEssentialChange)",
    '3': 'User is visiting the website for the first time (onInitialPageLoad)',
    '4': 'A bot script is detected or a CCPA CMP first visited or where we accept all implicitly for non EU users (onNonEURegion)',
    '5': 'Session restored (onSessionRestored), deprecated',
    '6': 'Tcf string change (onTcfStringChange)',
    '7': 'Granular Accept or Granular Deny (onUpdateServices)',
    '8': 'Mobile session restore (onMobileSessionRestore)',
  },
} as const;

export const consentInteractions = {
  id: 'consent_interactions',
  title: 'Interaction analytics',
  description: 'One row per consent banner interaction: setting, event type, country, device.',
  source: '002 consent analytics',
  visibility: 'tenant',
  table: 'consent_interactions',
  tenantColumn: 'tenant_id',
  timeColumn: 'interaction_time',
  idColumn: 'event_id',
  columns: [
    { name: 'event_id', type: 'VARCHAR', description: 'Unique id of the interaction.' },
    { name: 'tenant_id', type: 'VARCHAR', description: 'Tenant owning the setting.' },
    { name: 'setting_id', type: 'VARCHAR', description: 'Consent banner configuration (setting id).' },
    { name: 'event_type', type: 'VARCHAR', description: 'CMP_SHOWN, ACCEPT_ALL, DENY_ALL, SAVE, MORE_INFORMATION or IMPRINT_LINK.' },
    { name: 'country', type: 'VARCHAR', description: 'ISO country code of the visitor.' },
    { name: 'device_type', type: 'VARCHAR', description: 'desktop, mobile or tablet.' },
    { name: 'interaction_time', type: 'TIMESTAMP', description: 'When it happened (UTC).' },
  ],
  metrics: [
    { name: 'interactions', sql: 'count(*)', description: 'Interactions.' },
    { name: 'banner_views', sql: "count(*) FILTER (WHERE event_type = 'CMP_SHOWN')", description: 'Banner impressions.' },
    { name: 'accept_all', sql: "count(*) FILTER (WHERE event_type = 'ACCEPT_ALL')", description: 'Accept-all clicks.' },
    { name: 'deny_all', sql: "count(*) FILTER (WHERE event_type = 'DENY_ALL')", description: 'Deny-all clicks.' },
  ],
  dimensions: ['event_type', 'country', 'device_type', 'setting_id'],
  filters: [
    { name: 'settingIds', column: 'setting_id', description: 'Only these settings.' },
    { name: 'eventTypes', column: 'event_type', description: 'Only these event types.' },
  ],
  aggregation: 'interaction',
  generatorSql: `
    INSERT INTO consent_interactions (event_id, tenant_id, setting_id, event_type, country, device_type, interaction_time, ingested_at)
    WITH r AS (SELECT i, ${tenantOf} AS tenant_id FROM range($rows) t(i))
    SELECT uuid_of($seed, i, 'id'), tenant_id, substr(md5(tenant_id || (hash($seed, i, 's') % 4)), 1, 10),
      pick(['CMP_SHOWN','CMP_SHOWN','CMP_SHOWN','CMP_SHOWN','ACCEPT_ALL','ACCEPT_ALL','ACCEPT_ALL','DENY_ALL','SAVE','MORE_INFORMATION','IMPRINT_LINK'], $seed, i, 'e'),
      pick(['DE','DE','DE','FR','FR','IT','ES','NL','AT','US','GB','PL'], $seed, i, 'c'), pick(['desktop','mobile','mobile','tablet'], $seed, i, 'd'),
      day_of($seed, i, 'day', $end)::TIMESTAMP + to_seconds((hash($seed, i, 'sec') % 86400)::INTEGER),
      day_of($seed, i, 'day', $end)::TIMESTAMP + to_seconds((hash($seed, i, 'sec') % 86400)::INTEGER + 2)
    FROM r`,
} as const satisfies DatasetDefinition;

export const consentGranular = {
  id: 'consent_granular',
  title: 'Granular analytics',
  description: 'One row per consent decision for one service: consent (0 opt-out, 1 opt-in) and action (0..8), as coded in the code dictionary.',
  source: '002 consent analytics',
  visibility: 'tenant',
  table: 'consent_granular',
  tenantColumn: 'tenant_id',
  timeColumn: 'decision_time',
  idColumn: 'event_id',
  columns: [
    { name: 'event_id', type: 'VARCHAR', description: 'Unique id of the decision.' },
    { name: 'tenant_id', type: 'VARCHAR', description: 'Tenant owning the setting.' },
    { name: 'setting_id', type: 'VARCHAR', description: 'Consent banner configuration (setting id).' },
    { name: 'service_name', type: 'VARCHAR', description: 'The data processing service the decision is about.' },
    { name: 'consent', type: 'INTEGER', description: 'Coded: 0 opt-out, 1 opt-in (see codes).' },
    { name: 'action', type: 'INTEGER', description: 'Coded: what triggered the decision, 0..8 (see codes).' },
    { name: 'country', type: 'VARCHAR', description: 'ISO country code of the visitor.' },
    { name: 'decision_time', type: 'TIMESTAMP', description: 'When it happened (UTC).' },
  ],
  metrics: [
    { name: 'decisions', sql: 'count(*)', description: 'Decisions.' },
    { name: 'opt_ins', sql: 'count(*) FILTER (WHERE consent = 1)', description: 'Opt-ins.' },
    { name: 'opt_outs', sql: 'count(*) FILTER (WHERE consent = 0)', description: 'Opt-outs.' },
  ],
  dimensions: ['service_name', 'action', 'consent', 'country'],
  filters: [
    { name: 'settingIds', column: 'setting_id', description: 'Only these settings.' },
    { name: 'services', column: 'service_name', description: 'Only these services.' },
    { name: 'actions', column: 'action', description: 'Only these action codes (0..8).' },
  ],
  aggregation: 'granular',
  codes: CONSENT_CODES,
  generatorSql: `
    INSERT INTO consent_granular (event_id, tenant_id, setting_id, service_name, consent, action, country, decision_time, ingested_at)
    WITH r AS (SELECT i, ${tenantOf} AS tenant_id,
                 pick([0,0,0,0,1,3,3,4,6,7,7,8], $seed, i, 'a') AS action FROM range($rows) t(i))
    SELECT uuid_of($seed, i, 'id'), tenant_id, substr(md5(tenant_id || (hash($seed, i, 's') % 4)), 1, 10),
      pick(['Google Analytics','Google Ads','Facebook Pixel','Hotjar','YouTube Video','Usercentrics Consent Management Platform'], $seed, i, 'svc'),
      CASE WHEN action = 0 THEN 1 WHEN action = 1 THEN 0 WHEN action = 4 THEN 1 ELSE (u($seed, i, 'c') < 0.62)::INTEGER END,
      action, pick(['DE','DE','DE','FR','FR','IT','ES','NL','AT','US','GB','PL'], $seed, i, 'c'),
      day_of($seed, i, 'day', $end)::TIMESTAMP + to_seconds((hash($seed, i, 'sec') % 86400)::INTEGER),
      day_of($seed, i, 'day', $end)::TIMESTAMP + to_seconds((hash($seed, i, 'sec') % 86400)::INTEGER + 2)
    FROM r`,
} as const satisfies DatasetDefinition;
