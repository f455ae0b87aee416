export { exportRun } from './export-run.js';
