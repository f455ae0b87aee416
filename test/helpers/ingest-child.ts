/** Child process for the durability test: ingests one batch, reports, then waits to be killed. */
import { EventStore } from '../../connectors/sources/event-store/index.js';
import { ingestRecords } from '../../connectors/sources/event-store/ingest.js';
import { findDataset } from '../../datasets/catalog.js';

const [file, count] = process.argv.slice(2) as [string, string];
const events = await EventStore.open({ path: file });
const records = Array.from({ length: Number(count) }, (_, i) => ({
  event_id: `durable-${i}`,
  tenant_id: 'ten_durable',
  package_id: 'pkg-1',
  version: '1.0.0',
  tenant_region: 'eu-west-1',
  install_date: '2026-01-02T03:04:05Z',
}));
const result = await ingestRecords(events, findDataset('install_events')!, records, null);
process.stdout.write(`accepted ${result.accepted}\n`);
setInterval(() => undefined, 1000);
