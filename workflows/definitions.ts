/** Inputs, outputs, queries and activity contracts of the export workflows. Types and constants only. */
import { defineQuery, defineSignal } from '@temporalio/workflow';

export type OutputFormat = 'csv' | 'json' | 'jsonl' | 'parquet';
export type Compression = 'none' | 'gzip' | 'zstd';
export type Granularity = 'day' | 'week' | 'month';
export type Partitioning = 'none' | 'day' | 'month';

/** How a run shapes its files: everything but the dataset and the window. */
export interface ExportSpec {
  format: OutputFormat;
  compression: Compression;
  /** Period of the aggregated JSON time series. */
  granularity: Granularity;
  /** Optional dimension the JSON time series is grouped by (e.g. department). */
  dimension: string | null;
  /** One file for the window, or one per UTC day or calendar month. */
  partitioning: Partitioning;
  /** Object key template (see datasets/path-template.ts); already validated. */
  pathTemplate: string;
  /** Declared dataset filters: name -> accepted values. */
  filters: Record<string, string[]>;
  /** A stream batch: the rows ingested in (after, upTo], naive UTC timestamps; absent for window runs. */
  ingested?: { after: string; upTo: string };
  /** Scheduled runs: the IANA zone whose local days the window means; UTC days when absent. */
  timeZone?: string;
}

export interface ExportWindow {
  from: string;
  to: string;
}

export interface DestinationRef {
  id: string;
  type: string;
}

export interface ExportRunInput {
  runId: string;
  tenantId: string | null;
  exportId: string | null;
  dataset: string;
  spec: ExportSpec;
  window: ExportWindow;
  destinations: DestinationRef[];
  /** When the run was requested (ISO 8601); file-name time tokens use it, never the wall clock. */
  requestedAt: string;
  /** How long the delivered files live before they are deleted and the run shows Expired. */
  artifactTtlSeconds: number;
  /** A background export (seed 000): who is e-mailed a link to the files when it is done. */
  notifyEmail?: string;
}

export interface RunErrorInfo {
  type: string;
  message: string;
}

export interface ExportRunResult {
  runId: string;
  status: 'Completed' | 'Failed';
  rows: number;
  bytes: number;
  files: number;
  error: RunErrorInfo | null;
}

/** A staged file reference: what crosses activity boundaries instead of rows. */
export interface StagedFileRef {
  path: string;
  partitionKey: string;
  /** The days this file covers, inclusive. */
  period: ExportWindow;
  format: OutputFormat;
  compression: Compression;
  /** File name suffix: csv, csv.gz, jsonl.zst, parquet... */
  extension: string;
  rows: number;
  bytes: number;
  sha256: string;
  /** Earliest event time in the file (ISO 8601), when the dataset has rows in it. */
  firstEventTime: string | null;
  /** Latest event time in the file. */
  lastEventTime: string | null;
  /** First and last event id in export order (time, then id). */
  firstEventId: string | null;
  lastEventId: string | null;
}

export interface MaterializeInput {
  runId: string;
  tenantId: string | null;
  dataset: string;
  spec: ExportSpec;
  window: ExportWindow;
  /** Only these partitions (a re-stage after a lost file); all when omitted. */
  partitionKeys?: string[];
}

export interface MaterializeResult {
  files: StagedFileRef[];
  /** Source rows across all files. */
  rows: number;
}

/** What identifies a run's deliveries: the export (or run), the window, the shape, the request time. */
export interface RunIdentity {
  runId: string;
  exportId: string | null;
  tenantId: string | null;
  dataset: string;
  spec: ExportSpec;
  window: ExportWindow;
  requestedAt: string;
}

export interface DeliverInput extends RunIdentity {
  destinationId: string;
  file: StagedFileRef;
}

export interface DeliveryOutcome {
  destinationId: string;
  partitionKey: string;
  /** The file's key at the destination (relative to its root or prefix). */
  objectKey: string;
  location: string;
  rows: number;
  bytes: number;
  sha256: string;
}

/** After every file reached a destination: its manifest, then the completion marker. */
export interface PublishManifestInput extends RunIdentity {
  destinationId: string;
  files: { file: StagedFileRef; objectKey: string }[];
}

export interface FinishRunInput {
  runId: string;
  status: 'Completed' | 'Failed' | 'Cancelled';
  rows: number | null;
  bytes: number | null;
  files: number | null;
  error: RunErrorInfo | null;
  /** Completed runs: seconds until the files expire. */
  expiresInSeconds?: number;
}

export const RUN_STAGE = {
  pending: 'pending',
  materializing: 'materializing',
  delivering: 'delivering',
  finishing: 'finishing',
  done: 'done',
} as const;
export type RunStage = (typeof RUN_STAGE)[keyof typeof RUN_STAGE];

export interface RunProgress {
  stage: RunStage;
  partitions: number;
  rows: number;
  deliveries: { destinationId: string; partitionKey: string; state: 'pending' | 'delivered' | 'failed' }[];
}

export const progressQuery = defineQuery<RunProgress>('progress');

export interface RetentionInput {
  retentionMonths: number;
  /** Override of the first day kept (YYYY-MM-DD); by default today minus the retention period. */
  keepFrom?: string;
}

export interface RetentionResult {
  keepFrom: string;
  /** Rows deleted per dataset. */
  deleted: Record<string, number>;
}

/** A continuous export (seed 003): every interval, the rows ingested since the watermark become one run. */
export interface StreamExportInput {
  exportId: string;
  tenantId: string | null;
  dataset: string;
  spec: ExportSpec;
  destinationIds: string[];
  intervalSeconds: number;
  /** Rows ingested this recently are left for the next batch, so a slow ingestion commit is never skipped. */
  settleSeconds: number;
  /** Ingestion time up to which every row has been delivered (naive UTC 'YYYY-MM-DD HH:MM:SS.fff'). */
  watermark: string;
}

export interface StreamBatchInput {
  exportId: string;
  /** Chosen by the workflow, so a retried activity finds the run it already created. */
  runId: string;
  after: string;
  settleSeconds: number;
}

export interface StreamBatch {
  /** The batch's end: the next watermark once it is delivered. */
  upTo: string;
  /** The run that delivers it; null when nothing was ingested in the range. */
  run: ExportRunInput | null;
  workflowId: string | null;
}

export interface StreamState {
  watermark: string;
  batches: number;
  lastRunId: string | null;
  lastError: RunErrorInfo | null;
}

export const streamStateQuery = defineQuery<StreamState>('streamState');
/** Deliver now instead of waiting for the interval. */
export const deliverNowSignal = defineSignal('deliverNow');

/** What a Temporal Schedule starts: one firing of a scheduled export. */
export interface ScheduledExportInput {
  exportId: string;
  /** The firing's nominal time (ISO 8601), for tests and manual starts; by default the schedule's own. */
  nominalTime?: string;
}

export interface ScheduledPlan {
  /** The window this firing covers, in the schedule's zone. */
  window: ExportWindow | null;
  /** When its run may start: period end plus the settle delay (ISO 8601). */
  readyAt: string | null;
  /** Why nothing runs (export deleted, schedule removed). */
  skip: string | null;
}

export interface ScheduledRunStart {
  run: ExportRunInput | null;
  workflowId: string | null;
  /** Why no run started: the window is already running or delivered. */
  skip: string | null;
}

export interface ExpireArtifactsInput {
  runId: string;
  ttlSeconds: number;
}
