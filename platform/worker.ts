/** Builds the export worker: the workflow bundle plus activities created once from their dependencies. */
import { fileURLToPath } from 'node:url';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { type ActivityDeps, type ExportActivities, createActivities } from '../activities/index.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface ExportWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Prebuilt workflow bundle (tests build it once); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Tests wrap activities to hold or fail them where the point is orchestration. */
  wrapActivities?: (activities: ExportActivities) => ExportActivities;
  /** Overrides for tests (e.g. a short shutdown grace time). */
  options?: Partial<WorkerOptions>;
}

export async function createExportWorker(o: ExportWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    activities: (o.wrapActivities ?? ((a) => a))(createActivities(o.deps)),
    ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    shutdownGraceTime: '10 seconds',
    ...o.options,
  });
}
