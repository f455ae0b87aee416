import { ConnectorError, type ErrorKind } from '../../errors.js';

/** errno -> classification. A full disk or a busy file may clear; permission problems will not. */
const ERRNO_TABLE: Record<string, { kind: ErrorKind; message: string }> = {
  EACCES: { kind: 'config', message: 'permission denied writing to the destination directory; grant Sluice write access or choose another path' },
  EPERM: { kind: 'config', message: 'operation not permitted in the destination directory; check its ownership and mode' },
  EROFS: { kind: 'config', message: 'the destination directory is on a read-only file system' },
  ENOTDIR: { kind: 'config', message: 'a part of the destination path is a file, not a directory' },
  // mkdir -p on a path whose last part exists as a file.
  EEXIST: { kind: 'config', message: 'a part of the destination path is a file, not a directory' },
  EISDIR: { kind: 'config', message: 'the destination file name is taken by a directory' },
  ENAMETOOLONG: { kind: 'config', message: 'the destination path is too long for the file system' },
  ENOSPC: { kind: 'transient', message: 'no space left on the destination volume' },
  EDQUOT: { kind: 'transient', message: 'disk quota exceeded on the destination volume' },
  EBUSY: { kind: 'transient', message: 'the destination file is busy' },
  EMFILE: { kind: 'transient', message: 'too many open files on the worker' },
};

export function toFilesystemError(err: unknown, where: string): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const known = code ? ERRNO_TABLE[code] : undefined;
  if (known) return new ConnectorError(known.kind, `${known.message} (${where})`, { cause: err, code });
  return new ConnectorError('transient', `filesystem error at ${where}: ${(err as Error)?.message ?? String(err)}`, { cause: err, code });
}
