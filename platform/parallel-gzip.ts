/**
 * Gzip on every core. DuckDB's own gzip runs on one thread at level 6 and is the slowest part of a
 * compressed export. Here DuckDB writes the plain file, then byte ranges of it are compressed concurrently
 * (zlib runs on libuv's thread pool) into separate gzip members, which are concatenated. A multi-member
 * file is a standard .gz (RFC 1952 section 2.2): gunzip, zcat, Python's gzip and Node's zlib read it whole.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

export interface GzipOptions {
  level?: number;
  /** Concurrent members; defaults to the cores available. */
  parallelism?: number;
  signal?: AbortSignal;
  /** Smallest byte range worth a member of its own. */
  minPartBytes?: number;
}

/** Below this, one member is as fast and compresses a little better. */
const MIN_PART_BYTES = 8 << 20;

export async function gzipFile(source: string, target: string, options: GzipOptions = {}): Promise<void> {
  const { size } = await stat(source);
  const parts = Math.max(1, Math.min(options.parallelism ?? availableParallelism(), Math.floor(size / (options.minPartBytes ?? MIN_PART_BYTES))));
  const level = options.level ?? 6;
  if (parts === 1) {
    await pipeline(createReadStream(source, { highWaterMark: 1 << 20 }), createGzip({ level }), createWriteStream(target), { signal: options.signal });
    return;
  }
  const partSize = Math.ceil(size / parts);
  const partFiles = Array.from({ length: parts }, (_, i) => `${target}.part${i}`);
  try {
    await Promise.all(
      partFiles.map((file, i) =>
        pipeline(
          createReadStream(source, { start: i * partSize, end: Math.min(size, (i + 1) * partSize) - 1, highWaterMark: 1 << 20 }),
          createGzip({ level, chunkSize: 1 << 17 }),
          createWriteStream(file),
          { signal: options.signal },
        ),
      ),
    );
    const out = createWriteStream(target);
    for (const file of partFiles) await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), out, { end: false, signal: options.signal });
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  } finally {
    await Promise.all(partFiles.map((f) => rm(f, { force: true })));
  }
}
