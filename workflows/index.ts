export { exportRun } from './export-run.js';
export { retentionSweep } from './retention.js';
export { expireArtifacts } from './expire-artifacts.js';
export { streamExport } from './stream-export.js';
export { scheduledExport } from './scheduled-export.js';
