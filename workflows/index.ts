export { exportRun } from './export-run.js';
export { retentionSweep } from './retention.js';
