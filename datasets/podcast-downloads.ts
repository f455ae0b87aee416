/**
 * Seed 003, podcast download events. Stored flat (one column per leaf, so CSV and Parquet are plain
 * tables), exported as JSON Lines in the seed's nested shape: EventId, Program, Network (when assigned),
 * Clip, Playlist (when from a playlist feed), Download with Device, OS, UserAgent and optional Geo.
 */
import type { DatasetColumn, DatasetDefinition } from './types.js';

const c = (name: string, type: string, description: string, nullable = false): DatasetColumn => ({ name, type, description, ...(nullable ? { nullable } : {}) });

const RECORD_SELECT = `
  event_id AS "EventId",
  {'Id': program_id, 'Name': program_name, 'ExternalId': program_external_id, 'Slug': program_slug} AS "Program",
  CASE WHEN network_id IS NULL THEN NULL ELSE {'Id': network_id, 'Name': network_name} END AS "Network",
  {'Id': clip_id, 'Slug': clip_slug, 'Title': clip_title,
   'AudioDuration': printf('%02d:%02d:%010.7f', (clip_audio_duration_seconds // 3600)::INTEGER, ((clip_audio_duration_seconds % 3600) // 60)::INTEGER, clip_audio_duration_seconds % 60),
   'AudioDurationSeconds': clip_audio_duration_seconds} AS "Clip",
  CASE WHEN playlist_id IS NULL THEN NULL ELSE {'Id': playlist_id, 'Title': playlist_title, 'Slug': playlist_slug} END AS "Playlist",
  {'RawUserAgent': raw_user_agent, 'RawDownloadUrl': raw_download_url, 'RawReferrerUrl': raw_referrer_url, 'EmbeddedUrl': embedded_url,
   'DownloadedAtUtc': strftime(downloaded_at, '%Y-%m-%dT%H:%M:%SZ'), 'IpAddress': ip_address,
   'Device': {'Type': device_type, 'Brand': device_brand, 'Family': device_family},
   'OS': {'Family': os_family, 'MajorVersion': os_major_version},
   'UserAgent': {'Family': ua_family, 'MajorVersion': ua_major_version},
   'Source': source, 'MemberId': member_id,
   'Geo': CASE WHEN geo_country_iso IS NULL THEN NULL ELSE
     {'Country': geo_country, 'CountryIsoCode': geo_country_iso, 'State': geo_state, 'City': geo_city, 'Postcode': geo_postcode} END} AS "Download"`;

export const downloadEvents = {
  id: 'download_events',
  title: 'Podcast download events',
  description: 'One record per download event, nested as Program, Network, Clip, Playlist and Download (Device, OS, UserAgent, optional Geo), keyed by EventId.',
  source: '003 podcast downloads',
  visibility: 'tenant',
  table: 'download_events',
  tenantColumn: 'tenant_id',
  timeColumn: 'downloaded_at',
  idColumn: 'event_id',
  columns: [
    c('event_id', 'VARCHAR', 'EventId: unique identifier of the download event.'),
    c('tenant_id', 'VARCHAR', 'Tenant (podcast organisation).'),
    c('program_id', 'VARCHAR', 'Program.Id'),
    c('program_name', 'VARCHAR', 'Program.Name'),
    c('program_external_id', 'VARCHAR', 'Program.ExternalId', true),
    c('program_slug', 'VARCHAR', 'Program.Slug'),
    c('network_id', 'VARCHAR', 'Network.Id (when the program is assigned to a network)', true),
    c('network_name', 'VARCHAR', 'Network.Name', true),
    c('clip_id', 'VARCHAR', 'Clip.Id'),
    c('clip_slug', 'VARCHAR', 'Clip.Slug'),
    c('clip_title', 'VARCHAR', 'Clip.Title'),
    c('clip_audio_duration_seconds', 'DOUBLE', 'Clip.AudioDurationSeconds (JSON also carries Clip.AudioDuration as HH:MM:SS)'),
    c('playlist_id', 'VARCHAR', 'Playlist.Id (when downloaded from a playlist feed)', true),
    c('playlist_title', 'VARCHAR', 'Playlist.Title', true),
    c('playlist_slug', 'VARCHAR', 'Playlist.Slug', true),
    c('raw_user_agent', 'VARCHAR', 'Download.RawUserAgent'),
    c('raw_download_url', 'VARCHAR', 'Download.RawDownloadUrl'),
    c('raw_referrer_url', 'VARCHAR', 'Download.RawReferrerUrl', true),
    c('embedded_url', 'VARCHAR', 'Download.EmbeddedUrl', true),
    c('downloaded_at', 'TIMESTAMP', 'Download.DownloadedAtUtc'),
    c('ip_address', 'VARCHAR', 'Download.IpAddress'),
    c('device_type', 'VARCHAR', 'Download.Device.Type: Desktop, Mobile, Tablet, TV, HiFi, Unknown'),
    c('device_brand', 'VARCHAR', 'Download.Device.Brand', true),
    c('device_family', 'VARCHAR', 'Download.Device.Family', true),
    c('os_family', 'VARCHAR', 'Download.OS.Family'),
    c('os_major_version', 'VARCHAR', 'Download.OS.MajorVersion', true),
    c('ua_family', 'VARCHAR', 'Download.UserAgent.Family'),
    c('ua_major_version', 'VARCHAR', 'Download.UserAgent.MajorVersion', true),
    c('source', 'VARCHAR', 'Download.Source: Podcast, Embed, OmnyFM, Twitter, MobileApp, ...'),
    c('member_id', 'VARCHAR', 'Download.MemberId (restricted access member)', true),
    c('geo_country', 'VARCHAR', 'Download.Geo.Country (optional)', true),
    c('geo_country_iso', 'VARCHAR', 'Download.Geo.CountryIsoCode (optional)', true),
    c('geo_state', 'VARCHAR', 'Download.Geo.State (optional)', true),
    c('geo_city', 'VARCHAR', 'Download.Geo.City (optional)', true),
    c('geo_postcode', 'VARCHAR', 'Download.Geo.Postcode (optional)', true),
  ],
  metrics: [
    { name: 'downloads', sql: 'count(*)', description: 'Downloads.' },
    { name: 'listeners', sql: 'count(DISTINCT ip_address)', description: 'Distinct IP addresses.' },
    { name: 'clips', sql: 'count(DISTINCT clip_id)', description: 'Distinct clips downloaded.' },
  ],
  dimensions: ['program_id', 'source', 'device_type', 'geo_country_iso'],
  filters: [
    { name: 'programIds', column: 'program_id', description: 'Only these programs.' },
    { name: 'sources', column: 'source', description: 'Only these sources.' },
  ],
  aggregation: 'downloads',
  recordSelect: RECORD_SELECT,
  generatorSql: `
    INSERT INTO download_events
    WITH r AS (
      SELECT i, $tenants[1 + least(len($tenants) - 1, floor(len($tenants) * pow(u($seed, i, 't'), 1.5)))::INTEGER] AS tenant_id,
        floor(6 * pow(u($seed, i, 'p'), 2))::INTEGER AS program_no, floor(40 * pow(u($seed, i, 'cl'), 2))::INTEGER AS clip_no,
        pick(['Mobile','Mobile','Mobile','Desktop','Desktop','Tablet','TV','HiFi','Unknown'], $seed, i, 'dev') AS device_type,
        u($seed, i, 'geo') < 0.8 AS has_geo, u($seed, i, 'pl') < 0.15 AS from_playlist,
        day_of($seed, i, 'day', $end)::TIMESTAMP + to_seconds((hash($seed, i, 'sec') % 86400)::INTEGER) AS ts
      FROM range($rows) t(i)),
    p AS (SELECT *, md5(tenant_id || 'p' || program_no) AS ph, md5(tenant_id || 'p' || program_no || 'c' || clip_no) AS ch FROM r)
    SELECT uuid_of($seed, i, 'id'), tenant_id,
      substr(ph, 1, 8) || '-' || substr(ph, 9, 4) || '-4' || substr(ph, 14, 3) || '-a' || substr(ph, 18, 3) || '-' || substr(ph, 21, 12),
      'Program ' || program_no, CASE WHEN program_no % 2 = 0 THEN 'ext-' || program_no END, 'program-' || program_no,
      CASE WHEN program_no < 4 THEN substr(md5(tenant_id || 'n'), 1, 8) || '-0000-4000-a000-' || substr(md5(tenant_id || 'n'), 9, 12) END,
      CASE WHEN program_no < 4 THEN 'Network of ' || tenant_id END,
      substr(ch, 1, 8) || '-' || substr(ch, 9, 4) || '-4' || substr(ch, 14, 3) || '-a' || substr(ch, 18, 3) || '-' || substr(ch, 21, 12),
      'episode-' || clip_no, 'Episode ' || clip_no || ': a conversation', round(600 + (hash(ch) % 5400) + (hash(ch) % 1000) / 1000.0, 3),
      CASE WHEN from_playlist THEN substr(md5(tenant_id || 'pl'), 1, 8) || '-0000-4000-a000-' || substr(md5(tenant_id || 'pl'), 9, 12) END,
      CASE WHEN from_playlist THEN 'Best of' END, CASE WHEN from_playlist THEN 'best-of' END,
      CASE device_type WHEN 'Mobile' THEN 'AppleCoreMedia/1.0.0.15A402 (iPhone; U; CPU OS 11_0_1 like Mac OS X; en_au)'
                       WHEN 'Desktop' THEN 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36'
                       ELSE 'Podcasts/1.0 (' || device_type || ')' END,
      'https://media.example/d/clips/' || substr(ch, 1, 12) || '/audio.mp3?utm_source=' || pick(['Podcast','Embed'], $seed, i, 'utm'),
      CASE WHEN u($seed, i, 'ref') < 0.3 THEN 'https://www.example.com/shows/' || program_no END,
      CASE WHEN u($seed, i, 'emb') < 0.1 THEN 'https://blog.example.org/post/' || clip_no END,
      ts, (10 + hash($seed, i, 'ip1') % 200) || '.' || (hash($seed, i, 'ip2') % 256) || '.' || (hash($seed, i, 'ip3') % 256) || '.' || (1 + hash($seed, i, 'ip4') % 254),
      device_type, CASE WHEN device_type IN ('Mobile','Tablet') THEN pick(['Apple','Samsung','Google'], $seed, i, 'br') END,
      CASE WHEN device_type IN ('Mobile','Tablet') THEN pick(['iPhone','Galaxy S23','Pixel 8','iPad'], $seed, i, 'fam') END,
      CASE device_type WHEN 'Desktop' THEN pick(['Windows','Mac OS X','Linux'], $seed, i, 'os') ELSE pick(['iOS','Android'], $seed, i, 'os') END,
      (10 + hash($seed, i, 'osv') % 8)::VARCHAR,
      pick(['Apple Core Media','Spotify','Chrome','Overcast','Pocket Casts'], $seed, i, 'ua'), (1 + hash($seed, i, 'uav') % 120)::VARCHAR,
      pick(['Podcast','Podcast','Podcast','Embed','OmnyFM','Twitter','MobileApp','GooglePodcastsWeb','ApplePodcastsWeb'], $seed, i, 'src'),
      CASE WHEN u($seed, i, 'mem') < 0.05 THEN 'member-' || (hash($seed, i, 'mid') % 1000) END,
      CASE WHEN has_geo THEN pick(['Australia','United States','United Kingdom','Germany'], $seed, i, 'g') END,
      CASE WHEN has_geo THEN pick(['AU','US','GB','DE'], $seed, i, 'g') END,
      CASE WHEN has_geo THEN pick(['New South Wales','California','England','Bavaria'], $seed, i, 'g') END,
      CASE WHEN has_geo THEN pick(['Sydney','San Francisco','London','Munich'], $seed, i, 'g') END,
      CASE WHEN has_geo THEN pick(['2000','94103','EC1A','80331'], $seed, i, 'g') END,
      ts + to_seconds((hash($seed, i, 'late') % 7200)::INTEGER)
    FROM p`,
} as const satisfies DatasetDefinition;
