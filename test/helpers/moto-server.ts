/**
 * A real S3-compatible server for the S3 tests: moto server (PyPI `moto[server]`, installed into
 * .tools/venv once), bound to 127.0.0.1. Moto checks no credentials by default, so before handing it over
 * we create two IAM users through its IAM API (a writer allowed s3:*, a reader allowed only to read) and
 * then switch IAM authentication on: from then on every request is SigV4-verified against those keys and
 * their policies, so wrong keys and missing permissions answer as AWS does.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { installVenvTools } from '../../platform/temporal-cli.js';
import { createLogger } from '../../platform/logger.js';

export const MOTO_WHEEL = 'moto[server]==5.2.5';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface MotoServer {
  endpoint: string;
  writer: S3Credentials;
  reader: S3Credentials;
  stop(): Promise<void>;
}

const FAKE_AUTH = 'AWS4-HMAC-SHA256 Credential=AKIASETUPSETUPSETUP0/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0';

async function iam(endpoint: string, params: Record<string, string>): Promise<string> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: FAKE_AUTH },
    body: new URLSearchParams({ ...params, Version: '2010-05-08' }).toString(),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`moto IAM ${params.Action} failed: ${res.status} ${text.slice(0, 300)}`);
  return text;
}

const tag = (xml: string, name: string) => {
  const m = xml.match(new RegExp(`<${name}>([^<]+)</${name}>`));
  if (!m) throw new Error(`no <${name}> in ${xml.slice(0, 300)}`);
  return m[1]!;
};

async function userWithPolicy(endpoint: string, name: string, actions: string[]): Promise<S3Credentials> {
  await iam(endpoint, { Action: 'CreateUser', UserName: name });
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] };
  await iam(endpoint, { Action: 'PutUserPolicy', UserName: name, PolicyName: `${name}-s3`, PolicyDocument: JSON.stringify(policy) });
  const key = await iam(endpoint, { Action: 'CreateAccessKey', UserName: name });
  return { accessKeyId: tag(key, 'AccessKeyId'), secretAccessKey: tag(key, 'SecretAccessKey') };
}

let installing: Promise<string | undefined> | undefined;

export async function startMoto(port: number, options: { authentication?: boolean } = {}): Promise<MotoServer> {
  installing ??= installVenvTools([MOTO_WHEEL], ['moto_server'], createLogger('warn', { service: 'test-setup' }));
  const bin = await installing;
  if (!bin) throw new Error('python3 is needed to install moto (the S3 test server) into .tools/venv');
  const child = spawn(path.join(bin, 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', process.env.MOTO_DEBUG ? 'inherit' : 'pipe'],
    env: { ...process.env, MOTO_CALL_RESET_API: 'true' },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((r) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        r(undefined);
      }, 5_000);
      child.once('exit', () => {
        clearTimeout(t);
        r(undefined);
      });
    });
  };
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}`);
      const up = await fetch(`${endpoint}/moto-api/`).then((r) => r.ok, () => false);
      if (up) break;
      if (Date.now() > deadline) throw new Error(`moto_server did not answer on ${endpoint} within 60 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    if (options.authentication === false) {
      const anyone = { accessKeyId: 'AKIAOPENOPENOPENOPEN', secretAccessKey: 'not-checked' };
      return { endpoint, writer: anyone, reader: anyone, stop };
    }
    const writer = await userWithPolicy(endpoint, 'sluice-writer', ['s3:*']);
    const reader = await userWithPolicy(endpoint, 'sluice-reader', ['s3:GetObject', 's3:ListBucket', 's3:HeadBucket']);
    // From here on every request needs valid keys and a policy that allows it.
    const auth = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
    if (!auth.ok) throw new Error(`could not switch on moto IAM authentication: ${auth.status}`);
    return { endpoint, writer, reader, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
