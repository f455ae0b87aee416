export { exportRun } from './export-run.js';
export { retentionSweep } from './retention.js';
export { expireArtifacts } from './expire-artifacts.js';
