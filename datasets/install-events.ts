import type { DatasetDefinition } from './types.js';

/**
 * Deterministic synthetic install events, generated inside DuckDB (no rows pass through Node). Every value
 * is a hash of (seed, row number), so the same seed and end date give the same rows on any machine with the
 * same DuckDB version. Distributions: tenants Zipf-like, a few popular packages per tenant, recent versions
 * more common, regions weighted towards the US and EU, and install volume growing over the 24 months.
 */
const GENERATOR_SQL = `
INSERT INTO install_events (event_id, tenant_id, package_id, version, tenant_region, install_date, ingested_at)
WITH raw AS (
  SELECT i,
    hash($seed, i, 'h') AS h,
    (hash($seed, i, 'u') % 1000000)::DOUBLE / 1000000 AS u_time,
    (hash($seed, i, 's') % 86400)::INTEGER AS second_of_day,
    (hash($seed, i, 't') % 1000)::DOUBLE / 1000 AS u_tenant,
    (hash($seed, i, 'p') % 1000)::DOUBLE / 1000 AS u_package,
    (hash($seed, i, 'v') % 1000)::DOUBLE / 1000 AS u_version,
    (hash($seed, i, 'r') % 100)::INTEGER AS u_region,
    (hash($seed, i, 'l') % 3600)::INTEGER AS lag_seconds
  FROM range($rows) t(i)
), shaped AS (
  SELECT *,
    $tenants[1 + least(len($tenants) - 1, floor(len($tenants) * pow(u_tenant, 1.6)))::INTEGER] AS tenant_id,
    1 + floor(8 * pow(u_package, 2))::INTEGER AS package_no,
    -- Growth: sqrt pushes mass towards the end of the 730-day range.
    ($end::DATE - 730) + floor(730 * sqrt(u_time))::INTEGER AS day
  FROM raw
)
SELECT
  lower(substr(md5(h::VARCHAR), 1, 8) || '-' || substr(md5(h::VARCHAR), 9, 4) || '-4' || substr(md5(h::VARCHAR), 14, 3)
    || '-a' || substr(md5(h::VARCHAR), 18, 3) || '-' || substr(md5(h::VARCHAR), 21, 12)) AS event_id,
  tenant_id,
  'pkg-' || substr(md5(tenant_id), 1, 6) || '-' || package_no AS package_id,
  '1.' || (floor(12 * pow(u_version, 0.35)))::INTEGER || '.' || (i % 7) AS version,
  CASE
    WHEN u_region < 38 THEN 'us-east-1'
    WHEN u_region < 55 THEN 'eu-west-1'
    WHEN u_region < 68 THEN 'eu-central-1'
    WHEN u_region < 78 THEN 'us-west-2'
    WHEN u_region < 87 THEN 'ap-southeast-2'
    WHEN u_region < 95 THEN 'ap-northeast-1'
    ELSE 'sa-east-1'
  END AS tenant_region,
  day::TIMESTAMP + to_seconds(second_of_day) AS install_date,
  day::TIMESTAMP + to_seconds(second_of_day + lag_seconds) AS ingested_at
FROM shaped
WHERE day::TIMESTAMP + to_seconds(second_of_day) < $end::DATE + 1
`;

/** Seed 000, "Install events": one row per install of a package by a tenant's customer. */
export const installEvents = {
  id: 'install_events',
  title: 'Install events',
  description: 'One row per install event: package_id, version, tenant_region, install_date.',
  source: '000 marketplace portal',
  visibility: 'tenant',
  table: 'install_events',
  tenantColumn: 'tenant_id',
  timeColumn: 'install_date',
  idColumn: 'event_id',
  columns: [
    { name: 'event_id', type: 'VARCHAR', description: 'Unique id of the install event (UUID).' },
    { name: 'tenant_id', type: 'VARCHAR', description: 'Publisher tenant that owns the package.' },
    { name: 'package_id', type: 'VARCHAR', description: 'Installed package.' },
    { name: 'version', type: 'VARCHAR', description: 'Installed package version (semver).' },
    { name: 'tenant_region', type: 'VARCHAR', description: 'Cloud region of the installing customer.' },
    { name: 'install_date', type: 'TIMESTAMP', description: 'When the install happened (UTC).' },
  ],
  metrics: [
    { name: 'installs', sql: 'count(*)', description: 'Number of install events in the period.' },
    { name: 'packages', sql: 'count(DISTINCT package_id)', description: 'Distinct packages installed in the period.' },
    { name: 'regions', sql: 'count(DISTINCT tenant_region)', description: 'Distinct customer regions in the period.' },
  ],
  dimensions: ['package_id', 'version', 'tenant_region'],
  filters: [
    { name: 'packageIds', column: 'package_id', description: 'Only these packages.' },
    { name: 'regions', column: 'tenant_region', description: 'Only these customer regions.' },
  ],
  aggregation: 'install',
  generatorSql: GENERATOR_SQL,
} as const satisfies DatasetDefinition;
