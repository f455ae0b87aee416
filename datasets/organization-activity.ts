/** Seed 004, the organization data export page: activity by organization, user and department, per scope. */
import type { DatasetDefinition } from './types.js';

export const organizationActivity = {
  id: 'organization_activity',
  title: 'Organization activity',
  description: 'One row per activity of a user in chat, files or meetings; group the JSON series by organization, user or department.',
  source: '004 organization data export',
  visibility: 'tenant',
  table: 'organization_activity',
  tenantColumn: 'tenant_id',
  timeColumn: 'activity_time',
  idColumn: 'event_id',
  columns: [
    { name: 'event_id', type: 'VARCHAR', description: 'Unique id of the activity.' },
    { name: 'tenant_id', type: 'VARCHAR', description: 'Tenant (the customer account).' },
    { name: 'organization', type: 'VARCHAR', description: 'Organization the user belongs to.' },
    { name: 'user_id', type: 'VARCHAR', description: 'User who acted.' },
    { name: 'department', type: 'VARCHAR', description: "The user's department." },
    { name: 'scope', type: 'VARCHAR', description: 'Project area: chat, files or meetings.' },
    { name: 'activity_type', type: 'VARCHAR', description: 'message_sent, reaction_added, file_uploaded, file_shared, meeting_joined, meeting_hosted.' },
    { name: 'quantity', type: 'INTEGER', description: 'Count or minutes, per activity type.' },
    { name: 'activity_time', type: 'TIMESTAMP', description: 'When it happened (UTC).' },
  ],
  metrics: [
    { name: 'activities', sql: 'count(*)', description: 'Activities.' },
    { name: 'quantity', sql: 'sum(quantity)', description: 'Summed quantity.' },
    { name: 'active_users', sql: 'count(DISTINCT user_id)', description: 'Distinct active users.' },
  ],
  dimensions: ['organization', 'user_id', 'department', 'scope'],
  filters: [
    { name: 'scopes', column: 'scope', description: 'chat, files, meetings (all when absent).' },
    { name: 'departments', column: 'department', description: 'Only these departments.' },
    { name: 'userIds', column: 'user_id', description: 'Only these users.' },
  ],
  aggregation: 'activity',
  generatorSql: `
    INSERT INTO organization_activity (event_id, tenant_id, organization, user_id, department, scope, activity_type, quantity, activity_time, ingested_at)
    WITH r AS (
      SELECT i, $tenants[1 + least(len($tenants) - 1, floor(len($tenants) * pow(u($seed, i, 't'), 1.3)))::INTEGER] AS tenant_id,
        floor(120 * pow(u($seed, i, 'usr'), 1.7))::INTEGER AS user_no, pick(['chat','chat','chat','files','meetings','meetings'], $seed, i, 'sc') AS scope
      FROM range($rows) t(i))
    SELECT uuid_of($seed, i, 'id'), tenant_id, 'Org ' || substr(md5(tenant_id), 1, 4), 'u-' || substr(md5(tenant_id || user_no), 1, 10),
      (['Engineering','Sales','Marketing','Support','Finance','People'])[1 + (hash(tenant_id || user_no) % 6)::INTEGER],
      scope,
      CASE scope WHEN 'chat' THEN pick(['message_sent','message_sent','reaction_added'], $seed, i, 'a')
                 WHEN 'files' THEN pick(['file_uploaded','file_shared'], $seed, i, 'a') ELSE pick(['meeting_joined','meeting_joined','meeting_hosted'], $seed, i, 'a') END,
      CASE scope WHEN 'meetings' THEN 5 + (hash($seed, i, 'q') % 85)::INTEGER ELSE 1 + (hash($seed, i, 'q') % 4)::INTEGER END,
      day_of($seed, i, 'day', $end)::TIMESTAMP + to_seconds((6 * 3600 + hash($seed, i, 'sec') % 43200)::INTEGER),
      day_of($seed, i, 'day', $end)::TIMESTAMP + to_seconds((6 * 3600 + hash($seed, i, 'sec') % 43200)::INTEGER + 1)
    FROM r`,
} as const satisfies DatasetDefinition;
