/** Seed 000, the marketplace portal: the datasets beside install events, two of them admin-only. */
import type { DatasetDefinition } from './types.js';

const TENANT = { name: 'tenant_id', type: 'VARCHAR', description: 'Publisher tenant that owns the package or account.' } as const;
const PACKAGE = { name: 'package_id', type: 'VARCHAR', description: 'Package.' } as const;
const packageOf = `'pkg-' || substr(md5(tenant_id), 1, 6) || '-' || (1 + floor(8 * pow(u($seed, i, 'p'), 2)))::INTEGER`;
const tenantOf = `$tenants[1 + least(len($tenants) - 1, floor(len($tenants) * pow(u($seed, i, 't'), 1.6)))::INTEGER]`;

export const reviewData = {
  id: 'review_data',
  title: 'Review data',
  description: 'One row per review: package_id, star_rating, review_date. No reviewer identity.',
  source: '000 marketplace portal',
  visibility: 'tenant',
  table: 'review_data',
  tenantColumn: 'tenant_id',
  timeColumn: 'review_date',
  idColumn: 'review_id',
  columns: [
    { name: 'review_id', type: 'VARCHAR', description: 'Unique id of the review.' },
    TENANT,
    PACKAGE,
    { name: 'star_rating', type: 'INTEGER', description: 'Stars, 1 to 5.' },
    { name: 'review_date', type: 'TIMESTAMP', description: 'When the review was posted (UTC).' },
  ],
  metrics: [
    { name: 'reviews', sql: 'count(*)', description: 'Reviews in the period.' },
    { name: 'average_rating', sql: 'round(avg(star_rating), 3)', description: 'Mean star rating.' },
    { name: 'five_star', sql: 'count(*) FILTER (WHERE star_rating = 5)', description: 'Five-star reviews.' },
  ],
  dimensions: ['package_id', 'star_rating'],
  filters: [{ name: 'packageIds', column: 'package_id', description: 'Only these packages.' }],
  aggregation: 'review',
  generatorSql: `
    INSERT INTO review_data (review_id, tenant_id, package_id, star_rating, review_date, ingested_at)
    WITH r AS (SELECT i, ${tenantOf} AS tenant_id FROM range($rows) t(i))
    SELECT uuid_of($seed, i, 'id'), tenant_id, ${packageOf},
      CASE WHEN u($seed, i, 's') < 0.52 THEN 5 WHEN u($seed, i, 's') < 0.80 THEN 4 WHEN u($seed, i, 's') < 0.90 THEN 3
           WHEN u($seed, i, 's') < 0.95 THEN 2 ELSE 1 END,
      day_of($seed, i, 'd', $end)::TIMESTAMP + to_seconds((hash($seed, i, 'sec') % 86400)::INTEGER),
      day_of($seed, i, 'd', $end)::TIMESTAMP + to_seconds((hash($seed, i, 'sec') % 86400)::INTEGER + 60)
    FROM r`,
} as const satisfies DatasetDefinition;

export const versionAdoption = {
  id: 'version_adoption',
  title: 'Version adoption snapshot',
  description: 'One row per package-version combination per snapshot day: active_tenant_count, snapshot_date.',
  source: '000 marketplace portal',
  visibility: 'tenant',
  table: 'version_adoption',
  tenantColumn: 'tenant_id',
  timeColumn: 'snapshot_date',
  idColumn: 'snapshot_id',
  columns: [
    { name: 'snapshot_id', type: 'VARCHAR', description: 'Id of the snapshot row.' },
    TENANT,
    PACKAGE,
    { name: 'version', type: 'VARCHAR', description: 'Package version.' },
    { name: 'active_tenant_count', type: 'INTEGER', description: 'Tenants running this version on the snapshot day.' },
    { name: 'snapshot_date', type: 'DATE', description: 'Day of the snapshot (UTC).' },
  ],
  metrics: [
    { name: 'active_tenants', sql: 'sum(active_tenant_count)', description: 'Active tenants summed over versions.' },
    { name: 'versions', sql: 'count(DISTINCT version)', description: 'Distinct versions in use.' },
  ],
  dimensions: ['package_id', 'version'],
  filters: [{ name: 'packageIds', column: 'package_id', description: 'Only these packages.' }],
  aggregation: 'adoption',
  generatorSql: `
    INSERT INTO version_adoption (snapshot_id, tenant_id, package_id, version, active_tenant_count, snapshot_date, ingested_at)
    WITH r AS (SELECT i, ${tenantOf} AS tenant_id FROM range($rows) t(i))
    SELECT uuid_of($seed, i, 'id'), tenant_id, ${packageOf},
      '1.' || floor(12 * pow(u($seed, i, 'v'), 0.35))::INTEGER || '.0',
      1 + floor(400 * pow(u($seed, i, 'n'), 3))::INTEGER,
      day_of($seed, i, 'd', $end), day_of($seed, i, 'd', $end)::TIMESTAMP + INTERVAL 6 HOUR
    FROM r`,
} as const satisfies DatasetDefinition;

export const geographicSummary = {
  id: 'geographic_summary',
  title: 'Geographic summary',
  description: 'One row per country per period: install_count, country_code, period_date.',
  source: '000 marketplace portal',
  visibility: 'tenant',
  table: 'geographic_summary',
  tenantColumn: 'tenant_id',
  timeColumn: 'period_date',
  idColumn: 'summary_id',
  columns: [
    { name: 'summary_id', type: 'VARCHAR', description: 'Id of the summary row.' },
    TENANT,
    { name: 'country_code', type: 'VARCHAR', description: 'ISO 3166-1 alpha-2 country code.' },
    { name: 'install_count', type: 'INTEGER', description: 'Installs from the country in the period.' },
    { name: 'period_date', type: 'DATE', description: 'First day of the period (UTC).' },
  ],
  metrics: [
    { name: 'installs', sql: 'sum(install_count)', description: 'Installs.' },
    { name: 'countries', sql: 'count(DISTINCT country_code)', description: 'Countries with installs.' },
  ],
  dimensions: ['country_code'],
  filters: [{ name: 'countryCodes', column: 'country_code', description: 'Only these countries.' }],
  aggregation: 'geography',
  generatorSql: `
    INSERT INTO geographic_summary (summary_id, tenant_id, country_code, install_count, period_date, ingested_at)
    WITH r AS (SELECT i, ${tenantOf} AS tenant_id FROM range($rows) t(i))
    SELECT uuid_of($seed, i, 'id'), tenant_id,
      pick(['US','US','US','DE','DE','GB','GB','FR','JP','AU','CA','BR','IN','NL','SE'], $seed, i, 'c'),
      1 + floor(250 * pow(u($seed, i, 'n'), 2.5))::INTEGER,
      day_of($seed, i, 'd', $end), day_of($seed, i, 'd', $end)::TIMESTAMP + INTERVAL 26 HOUR
    FROM r`,
} as const satisfies DatasetDefinition;

export const reputationEvents = {
  id: 'reputation_events',
  title: 'Reputation event log',
  description: 'One row per reputation event: event_type, points, event_date, source_id.',
  source: '000 marketplace portal',
  visibility: 'tenant',
  table: 'reputation_events',
  tenantColumn: 'tenant_id',
  timeColumn: 'event_date',
  idColumn: 'event_id',
  columns: [
    { name: 'event_id', type: 'VARCHAR', description: 'Unique id of the event.' },
    TENANT,
    { name: 'event_type', type: 'VARCHAR', description: 'review_received, certification_granted, install_milestone, support_response or policy_violation.' },
    { name: 'points', type: 'INTEGER', description: 'Reputation points gained (negative: lost).' },
    { name: 'event_date', type: 'TIMESTAMP', description: 'When it happened (UTC).' },
    { name: 'source_id', type: 'VARCHAR', description: 'What caused it (review, package or ticket id).' },
  ],
  metrics: [
    { name: 'events', sql: 'count(*)', description: 'Reputation events.' },
    { name: 'points', sql: 'sum(points)', description: 'Net points.' },
  ],
  dimensions: ['event_type'],
  filters: [{ name: 'eventTypes', column: 'event_type', description: 'Only these event types.' }],
  aggregation: 'reputation',
  generatorSql: `
    INSERT INTO reputation_events (event_id, tenant_id, event_type, points, event_date, source_id, ingested_at)
    WITH r AS (
      SELECT i, ${tenantOf} AS tenant_id,
        pick(['review_received','review_received','review_received','install_milestone','support_response','support_response','certification_granted','policy_violation'], $seed, i, 'e') AS event_type
      FROM range($rows) t(i))
    SELECT uuid_of($seed, i, 'id'), tenant_id, event_type,
      CASE event_type WHEN 'review_received' THEN 2 WHEN 'install_milestone' THEN 10 WHEN 'support_response' THEN 1
                      WHEN 'certification_granted' THEN 50 ELSE -25 END,
      day_of($seed, i, 'd', $end)::TIMESTAMP + to_seconds((hash($seed, i, 'sec') % 86400)::INTEGER),
      'src-' || substr(md5(hash($seed, i, 'src')::VARCHAR), 1, 10),
      day_of($seed, i, 'd', $end)::TIMESTAMP + to_seconds((hash($seed, i, 'sec') % 86400)::INTEGER + 30)
    FROM r`,
} as const satisfies DatasetDefinition;

export const marketplaceSummary = {
  id: 'marketplace_summary',
  title: 'Marketplace summary (admin only)',
  description: 'Aggregated daily platform metrics: total_installs, active_publishers, new_packages, certifications_granted.',
  source: '000 marketplace portal',
  visibility: 'admin',
  table: 'marketplace_summary',
  tenantColumn: null,
  timeColumn: 'summary_date',
  idColumn: 'summary_date',
  columns: [
    { name: 'summary_date', type: 'DATE', description: 'Day (UTC).' },
    { name: 'total_installs', type: 'INTEGER', description: 'Installs across the marketplace.' },
    { name: 'active_publishers', type: 'INTEGER', description: 'Publishers with activity that day.' },
    { name: 'new_packages', type: 'INTEGER', description: 'Packages published that day.' },
    { name: 'certifications_granted', type: 'INTEGER', description: 'Certifications granted that day.' },
  ],
  metrics: [
    { name: 'total_installs', sql: 'sum(total_installs)', description: 'Installs.' },
    { name: 'peak_active_publishers', sql: 'max(active_publishers)', description: 'Most active publishers on one day.' },
    { name: 'new_packages', sql: 'sum(new_packages)', description: 'New packages.' },
    { name: 'certifications_granted', sql: 'sum(certifications_granted)', description: 'Certifications.' },
  ],
  dimensions: [],
  filters: [],
  aggregation: 'marketplace',
  // One row per day: --rows caps the number of days (at most the 730 of the retention period).
  generatorSql: `
    INSERT INTO marketplace_summary (summary_date, total_installs, active_publishers, new_packages, certifications_granted, ingested_at)
    SELECT $end::DATE - i::INTEGER, 2000 + floor(1500 * (1 - i / 730) + 600 * u($seed, i, 'n'))::INTEGER,
      120 + floor(80 * (1 - i / 730) + 20 * u($seed, i, 'a'))::INTEGER, floor(12 * u($seed, i, 'p'))::INTEGER,
      floor(4 * pow(u($seed, i, 'c'), 2))::INTEGER, ($end::DATE - i::INTEGER)::TIMESTAMP + INTERVAL 25 HOUR
    FROM range(least($rows, 731)) t(i)
    WHERE NOT EXISTS (SELECT 1 FROM marketplace_summary m WHERE m.summary_date = $end::DATE - i::INTEGER)`,
} as const satisfies DatasetDefinition;

export const publisherLeaderboard = {
  id: 'publisher_leaderboard',
  title: 'Publisher leaderboard history (admin only)',
  description: 'Daily leaderboard snapshot: publisher_id, rank, weighted_score, tier.',
  source: '000 marketplace portal',
  visibility: 'admin',
  table: 'publisher_leaderboard',
  tenantColumn: null,
  timeColumn: 'snapshot_date',
  idColumn: 'entry_id',
  columns: [
    { name: 'entry_id', type: 'VARCHAR', description: 'Id of the leaderboard entry.' },
    { name: 'snapshot_date', type: 'DATE', description: 'Day of the snapshot (UTC).' },
    { name: 'publisher_id', type: 'VARCHAR', description: 'Publisher (tenant) id.' },
    { name: 'rank', type: 'INTEGER', description: 'Rank that day, 1 is best.' },
    { name: 'weighted_score', type: 'DOUBLE', description: 'Score the rank is computed from.' },
    { name: 'tier', type: 'VARCHAR', description: 'bronze, silver, gold or platinum.' },
  ],
  metrics: [
    { name: 'entries', sql: 'count(*)', description: 'Leaderboard entries.' },
    { name: 'average_score', sql: 'round(avg(weighted_score), 3)', description: 'Mean weighted score.' },
  ],
  dimensions: ['publisher_id', 'tier'],
  filters: [{ name: 'publisherIds', column: 'publisher_id', description: 'Only these publishers.' }],
  aggregation: 'leaderboard',
  generatorSql: `
    INSERT INTO publisher_leaderboard (entry_id, snapshot_date, publisher_id, rank, weighted_score, tier, ingested_at)
    WITH r AS (SELECT i, ($end::DATE - (i // len($tenants))::INTEGER) AS d, $tenants[1 + (i % len($tenants))::INTEGER] AS publisher_id
               FROM range(least($rows, 731 * len($tenants))) t(i)),
    scored AS (SELECT *, round(100 * u($seed, i, 's') + 20 * (hash(publisher_id) % 3), 3) AS weighted_score FROM r)
    SELECT md5(publisher_id || d::VARCHAR), d, publisher_id,
      (rank() OVER (PARTITION BY d ORDER BY weighted_score DESC, publisher_id))::INTEGER, weighted_score,
      CASE WHEN weighted_score >= 110 THEN 'platinum' WHEN weighted_score >= 80 THEN 'gold' WHEN weighted_score >= 45 THEN 'silver' ELSE 'bronze' END,
      d::TIMESTAMP + INTERVAL 25 HOUR
    FROM scored`,
} as const satisfies DatasetDefinition;
