import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { gzipFile } from '../../platform/parallel-gzip.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sluice-gz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('writes a standard multi-member .gz that gunzip and zlib read back whole', async () => {
  const lines = Array.from({ length: 600_000 }, (_, i) => `${i},event-${i % 977},${(i * 7919) % 100000}\n`).join('');
  const source = path.join(dir, 'rows.csv');
  writeFileSync(source, lines);
  const target = path.join(dir, 'rows.csv.gz');
  await gzipFile(source, target, { level: 1, parallelism: 3, minPartBytes: 1 << 20 });
  const gz = readFileSync(target);
  expect(gz.subarray(0, 2).toString('hex')).toBe('1f8b');
  // Three members: the first member alone decompresses to the first third only.
  const single = await gzipFile(source, path.join(dir, 'one.gz'), { level: 1, parallelism: 1 }).then(() => readFileSync(path.join(dir, 'one.gz')));
  expect(gz.length).not.toBe(single.length);
  expect(gunzipSync(gz).toString()).toBe(lines);
  expect(execFileSync('gzip', ['-dc', target], { maxBuffer: 1 << 26 }).toString()).toBe(lines);
});
