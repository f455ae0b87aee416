/** Inputs, outputs, queries and activity contracts of the export workflows. Types and constants only. */
import { defineQuery } from '@temporalio/workflow';

export type OutputFormat = 'csv' | 'json';

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
  format: OutputFormat;
  window: ExportWindow;
  destinations: DestinationRef[];
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
  format: OutputFormat;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface MaterializeInput {
  runId: string;
  tenantId: string | null;
  dataset: string;
  format: OutputFormat;
  window: ExportWindow;
  partitionKey: string;
}

export interface DeliverInput {
  runId: string;
  exportId: string | null;
  tenantId: string | null;
  dataset: string;
  window: ExportWindow;
  partitionKey: string;
  destinationId: string;
  file: StagedFileRef;
}

export interface DeliveryOutcome {
  destinationId: string;
  partitionKey: string;
  location: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface FinishRunInput {
  runId: string;
  status: 'Completed' | 'Failed';
  rows: number | null;
  bytes: number | null;
  files: number | null;
  error: RunErrorInfo | null;
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
  deliveries: { destinationId: string; partitionKey: string; state: 'pending' | 'delivered' | 'failed' }[];
}

export const progressQuery = defineQuery<RunProgress>('progress');

/** The whole partition when a run makes one file for its window. */
export const WHOLE_WINDOW_PARTITION = 'window';
