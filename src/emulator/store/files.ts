import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes `data` to `path` so that a crash at any instant leaves either the old file or the new
 * one, never a torn mix: write a temp file, fsync it, rename it over the target, fsync the dir.
 *
 * @example
 * ```ts
 * writeFileAtomic('/data/keys.json', JSON.stringify(keys));
 * ```
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  fsyncDir(dirname(path));
}

/**
 * Reads a UTF-8 file, or `undefined` when it does not exist.
 *
 * @example
 * ```ts
 * const text = readFileIfExists('/data/keys.json') ?? '{}';
 * ```
 */
export function readFileIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (isErrno(error) && error.code === 'ENOENT') return undefined;
    throw error;
  }
}

function fsyncDir(dir: string): void {
  // Makes the rename itself durable; not supported everywhere (Windows), where it is skipped.
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* best effort */
  }
}

function isErrno(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
