/** Seed 001, the vendor portal: instance event time series and the wide customer-and-instance table. */
import type { DatasetColumn, DatasetDefinition } from './types.js';

const tenantOf = `$tenants[1 + least(len($tenants) - 1, floor(len($tenants) * pow(u($seed, i, 't'), 1.4)))::INTEGER]`;

export const instanceEvents = {
  id: 'instance_events',
  title: 'Instance events',
  description: 'Time series of instance-level events (numUsers, numProjects and custom metrics) per customer and instance.',
  source: '001 vendor portal',
  visibility: 'tenant',
  table: 'instance_events',
  tenantColumn: 'tenant_id',
  timeColumn: 'event_time',
  idColumn: 'event_id',
  columns: [
    { name: 'event_id', type: 'VARCHAR', description: 'Unique id of the event.' },
    { name: 'tenant_id', type: 'VARCHAR', description: 'Vendor tenant (the app owner).' },
    { name: 'customer_id', type: 'VARCHAR', description: 'Customer identifier.' },
    { name: 'instance_id', type: 'VARCHAR', description: 'Instance identifier.' },
    { name: 'event_type', type: 'VARCHAR', description: 'numUsers, numProjects, or a custom metric name (activeSeats, storageGb).' },
    { name: 'value', type: 'DOUBLE', description: 'Reported value.' },
    { name: 'event_time', type: 'TIMESTAMP', description: 'When the instance reported it (UTC).' },
  ],
  metrics: [
    { name: 'events', sql: 'count(*)', description: 'Events reported.' },
    { name: 'customers', sql: 'count(DISTINCT customer_id)', description: 'Customers reporting.' },
    { name: 'instances', sql: 'count(DISTINCT instance_id)', description: 'Instances reporting.' },
    { name: 'average_value', sql: 'round(avg(value), 3)', description: 'Mean value (meaningful with one event type).' },
  ],
  dimensions: ['event_type', 'customer_id', 'instance_id'],
  filters: [
    { name: 'customerIDs', column: 'customer_id', description: 'Only these customers.' },
    { name: 'instanceIDs', column: 'instance_id', description: 'Only these instances.' },
    { name: 'eventTypes', column: 'event_type', description: 'Only these event types.' },
  ],
  aggregation: 'events',
  generatorSql: `
    INSERT INTO instance_events (event_id, tenant_id, customer_id, instance_id, event_type, value, event_time, ingested_at)
    WITH r AS (
      SELECT i, ${tenantOf} AS tenant_id, floor(60 * pow(u($seed, i, 'c'), 1.5))::INTEGER AS customer_no,
        pick(['numUsers','numUsers','numProjects','numProjects','activeSeats','storageGb'], $seed, i, 'e') AS event_type
      FROM range($rows) t(i))
    SELECT uuid_of($seed, i, 'id'), tenant_id,
      substr(md5(tenant_id || 'c' || customer_no), 1, 12),
      substr(md5(tenant_id || 'c' || customer_no || 'i' || (hash($seed, i, 'in') % 3)), 1, 16),
      event_type,
      CASE event_type WHEN 'numUsers' THEN 1 + floor(500 * pow(u($seed, i, 'v'), 3)) WHEN 'numProjects' THEN 1 + floor(80 * pow(u($seed, i, 'v'), 2))
                      WHEN 'activeSeats' THEN floor(300 * u($seed, i, 'v')) ELSE round(2000 * pow(u($seed, i, 'v'), 2), 2) END,
      day_of($seed, i, 'd', $end)::TIMESTAMP + to_seconds((hash($seed, i, 'sec') % 86400)::INTEGER),
      day_of($seed, i, 'd', $end)::TIMESTAMP + to_seconds((hash($seed, i, 'sec') % 86400)::INTEGER + 5)
    FROM r`,
} as const satisfies DatasetDefinition;

const col = (name: string, type: string, description: string, nullable = false): DatasetColumn => ({ name, type, description, ...(nullable ? { nullable } : {}) });

/** The dynamic families of the data dictionary, with the members the generator fills. */
export const CUSTOMER_INSTANCE_FAMILIES = {
  customer_entitlement__: ['seats', 'support_tier', 'sso_enabled'],
  custom_metric__: ['num_users', 'num_projects'],
  instance_tag__: ['environment', 'team'],
} as const;

export const customerInstances = {
  id: 'customer_instances',
  title: 'Customers and instances',
  description:
    "The wide customer-and-instance table of the vendor portal's data dictionary: one row per instance with its customer's fields, " +
    'including the dynamic families customer_entitlement__*, custom_metric__* and instance_tag__* and their has_* flags.',
  source: '001 vendor portal',
  visibility: 'tenant',
  table: 'customer_instances',
  tenantColumn: 'tenant_id',
  timeColumn: 'instance_last_reported_at',
  idColumn: 'instance_id',
  columns: [
    col('tenant_id', 'VARCHAR', 'Vendor tenant (the app owner).'),
    col('customer_id', 'VARCHAR', 'Customer identifier'),
    col('customer_name', 'VARCHAR', 'The customer name'),
    col('customer_created_date', 'TIMESTAMP', 'The date the license was created'),
    col('customer_license_expiration_date', 'TIMESTAMP', 'The expiration date of the license', true),
    col('customer_channel_id', 'VARCHAR', 'The channel id the customer is assigned'),
    col('customer_channel_name', 'VARCHAR', 'The channel name the customer is assigned'),
    col('customer_app_id', 'VARCHAR', 'App identifier'),
    col('customer_last_active', 'TIMESTAMP', 'The date the customer was last active'),
    col('customer_type', 'VARCHAR', 'One of prod, trial, dev, or community'),
    col('customer_status', 'VARCHAR', 'The current status of the customer'),
    col('customer_is_airgap_enabled', 'BOOLEAN', 'The feature the customer has enabled - Airgap'),
    col('customer_is_geoaxis_supported', 'BOOLEAN', 'The feature the customer has enabled - GeoAxis'),
    col('customer_is_gitops_supported', 'BOOLEAN', 'The feature the customer has enabled - KOTS Auto-GitOps'),
    col('customer_is_embedded_cluster_download_enabled', 'BOOLEAN', 'The feature the customer has enabled - Embedded Cluster'),
    col('customer_is_identity_service_supported', 'BOOLEAN', 'The feature the customer has enabled - Identity'),
    col('customer_is_snapshot_supported', 'BOOLEAN', 'The feature the customer has enabled - Snapshot'),
    col('customer_has_entitlements', 'BOOLEAN', 'Whether the customer has entitlements'),
    col('customer_entitlement__seats', 'VARCHAR', 'Entitlement value: seats', true),
    col('customer_entitlement__support_tier', 'VARCHAR', 'Entitlement value: support_tier', true),
    col('customer_entitlement__sso_enabled', 'VARCHAR', 'Entitlement value: sso_enabled', true),
    col('customer_created_by_id', 'VARCHAR', 'ID of the actor that created this customer'),
    col('customer_created_by_type', 'VARCHAR', 'Type of the actor that created this customer'),
    col('customer_created_by_description', 'VARCHAR', 'Description of the actor that created this customer'),
    col('customer_created_by_link', 'VARCHAR', 'Link to the actor that created this customer'),
    col('customer_created_by_timestamp', 'TIMESTAMP', 'When this customer was created'),
    col('customer_updated_by_id', 'VARCHAR', 'ID of the actor that updated this customer'),
    col('customer_updated_by_type', 'VARCHAR', 'Type of the actor that updated this customer'),
    col('customer_updated_by_description', 'VARCHAR', 'Description of the actor that updated this customer'),
    col('customer_updated_by_link', 'VARCHAR', 'Link to the actor that updated this customer'),
    col('customer_updated_by_timestamp', 'TIMESTAMP', 'When this customer was last updated'),
    col('instance_id', 'VARCHAR', 'Instance identifier'),
    col('instance_is_active', 'BOOLEAN', 'Whether the instance has reported recently'),
    col('instance_first_reported_at', 'TIMESTAMP', 'First time the instance reported'),
    col('instance_last_reported_at', 'TIMESTAMP', 'Last time the instance reported'),
    col('instance_first_ready_at', 'TIMESTAMP', 'First time the instance was ready', true),
    col('instance_kots_version', 'VARCHAR', 'KOTS version of the instance'),
    col('instance_k8s_version', 'VARCHAR', 'Kubernetes version of the instance'),
    col('instance_is_airgap', 'BOOLEAN', 'Whether the instance is airgapped'),
    col('instance_is_kurl', 'BOOLEAN', 'Whether the instance runs on kURL'),
    col('instance_last_app_status', 'VARCHAR', 'Last reported application status'),
    col('instance_client', 'VARCHAR', 'Client the instance reports with'),
    col('instance_kurl_node_count_total', 'INTEGER', 'Total kURL nodes'),
    col('instance_kurl_node_count_ready', 'INTEGER', 'Ready kURL nodes'),
    col('instance_cloud_provider', 'VARCHAR', 'Cloud provider'),
    col('instance_cloud_provider_region', 'VARCHAR', 'Cloud provider region'),
    col('instance_app_version', 'VARCHAR', 'Application version'),
    col('instance_version_age', 'VARCHAR', 'Age of the application version'),
    col('instance_is_gitops_enabled', 'BOOLEAN', 'Whether GitOps is enabled'),
    col('instance_gitops_provider', 'VARCHAR', 'GitOps provider', true),
    col('instance_is_skip_preflights', 'BOOLEAN', 'Whether preflights were skipped'),
    col('instance_preflight_status', 'VARCHAR', 'Preflight status'),
    col('instance_has_custom_metrics', 'BOOLEAN', 'Whether the instance reports custom metrics'),
    col('instance_custom_metrics_reported_at', 'TIMESTAMP', 'When custom metrics were last reported', true),
    col('custom_metric__num_users', 'VARCHAR', 'Custom metric value: num_users', true),
    col('custom_metric__num_projects', 'VARCHAR', 'Custom metric value: num_projects', true),
    col('instance_has_tags', 'BOOLEAN', 'Whether the instance has tags'),
    col('instance_tag__environment', 'VARCHAR', 'Tag value: environment', true),
    col('instance_tag__team', 'VARCHAR', 'Tag value: team', true),
  ],
  metrics: [
    { name: 'instances', sql: 'count(*)', description: 'Instances that last reported in the period.' },
    { name: 'active_instances', sql: 'count(*) FILTER (WHERE instance_is_active)', description: 'Of those, active.' },
    { name: 'customers', sql: 'count(DISTINCT customer_id)', description: 'Customers.' },
  ],
  dimensions: ['customer_type', 'instance_cloud_provider', 'instance_app_version'],
  filters: [
    { name: 'customerIDs', column: 'customer_id', description: 'Only these customers.' },
    { name: 'customerTypes', column: 'customer_type', description: 'prod, trial, dev or community.' },
  ],
  aggregation: 'customers',
  generatorSql: `
    INSERT INTO customer_instances
    WITH r AS (
      SELECT i, ${tenantOf} AS tenant_id, floor(200 * pow(u($seed, i, 'c'), 1.3))::INTEGER AS customer_no,
        day_of($seed, i, 'last', $end)::TIMESTAMP + to_seconds((hash($seed, i, 'ls') % 86400)::INTEGER) AS last_reported,
        u($seed, i, 'ent') < 0.7 AS has_ent, u($seed, i, 'cm') < 0.6 AS has_cm, u($seed, i, 'tag') < 0.5 AS has_tags,
        pick(['prod','prod','prod','trial','dev','community'], $seed, i, 'ty') AS ctype
      FROM range($rows) t(i)),
    c AS (SELECT *, substr(md5(tenant_id || 'c' || customer_no), 1, 12) AS customer_id,
                 last_reported - to_days(30 + (hash($seed, i, 'age') % 600)::INTEGER) AS first_reported FROM r)
    SELECT tenant_id, customer_id, 'Customer ' || customer_no, first_reported - INTERVAL 10 DAY,
      CASE WHEN ctype = 'trial' THEN first_reported + INTERVAL 30 DAY WHEN ctype = 'prod' THEN first_reported + INTERVAL 365 DAY END,
      'ch-' || (hash(customer_id) % 3), pick(['Stable','Beta','Unstable'], $seed, i, 'chn'), 'app-' || substr(md5(tenant_id), 1, 8),
      last_reported, ctype, pick(['active','active','active','expired','archived'], $seed, i, 'st'),
      u($seed, i, 'f1') < 0.2, u($seed, i, 'f2') < 0.05, u($seed, i, 'f3') < 0.3, u($seed, i, 'f4') < 0.4, u($seed, i, 'f5') < 0.25, u($seed, i, 'f6') < 0.5,
      has_ent,
      CASE WHEN has_ent THEN (10 * (1 + hash($seed, i, 'seats') % 50))::VARCHAR END,
      CASE WHEN has_ent THEN pick(['standard','premium','enterprise'], $seed, i, 'sup') END,
      CASE WHEN has_ent THEN (u($seed, i, 'sso') < 0.5)::VARCHAR END,
      'user-' || (hash($seed, i, 'cb') % 20), 'user', 'Vendor Portal user', 'https://vendor.example/team/' || (hash($seed, i, 'cb') % 20),
      first_reported - INTERVAL 10 DAY,
      'user-' || (hash($seed, i, 'ub') % 20), pick(['user','api'], $seed, i, 'ubt'), 'Vendor Portal user', 'https://vendor.example/team/' || (hash($seed, i, 'ub') % 20),
      last_reported - INTERVAL 3 DAY,
      substr(md5(customer_id || 'i' || i), 1, 16), last_reported > $end::DATE - 7, first_reported, last_reported,
      CASE WHEN u($seed, i, 'rdy') < 0.9 THEN first_reported + INTERVAL 20 MINUTE END,
      pick(['1.109.3','1.110.0','1.111.2','1.112.1'], $seed, i, 'kots'), pick(['1.28.4','1.29.1','1.30.2','1.31.0'], $seed, i, 'k8s'),
      u($seed, i, 'ag') < 0.15, u($seed, i, 'kurl') < 0.2, pick(['ready','ready','ready','degraded','unavailable'], $seed, i, 'as'),
      pick(['kots','helm-cli','embedded-cluster'], $seed, i, 'cl'),
      (1 + hash($seed, i, 'n') % 5)::INTEGER, (1 + hash($seed, i, 'n') % 5 - (hash($seed, i, 'nr') % 2))::INTEGER,
      pick(['aws','aws','gcp','azure','on-prem'], $seed, i, 'cp'), pick(['us-east-1','eu-west-1','us-central1','westeurope','dc-1'], $seed, i, 'cr'),
      '3.' || (hash($seed, i, 'av') % 12) || '.0', ((hash($seed, i, 'age2') % 200))::VARCHAR || 'd',
      u($seed, i, 'go') < 0.2, CASE WHEN u($seed, i, 'go') < 0.2 THEN pick(['github','gitlab'], $seed, i, 'gp') END,
      u($seed, i, 'sp') < 0.05, pick(['passed','passed','warn','fail'], $seed, i, 'ps'),
      has_cm, CASE WHEN has_cm THEN last_reported - INTERVAL 1 HOUR END,
      CASE WHEN has_cm THEN (1 + hash($seed, i, 'cu') % 900)::VARCHAR END, CASE WHEN has_cm THEN (1 + hash($seed, i, 'cpj') % 60)::VARCHAR END,
      has_tags, CASE WHEN has_tags THEN pick(['production','staging','qa'], $seed, i, 'te') END, CASE WHEN has_tags THEN pick(['platform','data','payments'], $seed, i, 'tt') END,
      last_reported + INTERVAL 1 MINUTE
    FROM c`,
} as const satisfies DatasetDefinition;
