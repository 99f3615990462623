import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes `data` to `path` so that a crash at any instant leaves either the old file or the new
 * one, never a torn mix: write a temp file, fsync it, rename it over the target, fsync the dir.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeFully(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    // A half-written temp file must never be renamed over the target (it would replace good
    // data with a truncated copy), and must not be left behind to fill the disk further.
    unlinkQuietly(temp);
    throw error;
  }
  fsyncDir(dirname(path));
}

/**
 * Writes all of `data` at the file's position. `write(2)` may write fewer bytes than asked (a
 * nearly full disk, a signal); a single call would silently drop the rest.
 */
export function writeFully(fd: number, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.byteLength) {
    const written = writeSync(fd, data, offset, data.byteLength - offset);
    // 0 bytes and no error would loop forever; report it as the failure it is.
    if (written <= 0) throw new Error(`write made no progress (${offset} of ${data.byteLength} bytes written)`);
    offset += written;
  }
}

/**
 * Reads a UTF-8 file, or `undefined` when it does not exist.
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

/** Removes `path` if it is there; a file that was never created or is already gone is fine. @internal */
export function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* never created, or already gone */
  }
}

/** Whether `error` is a Node system error with a `code` (ENOENT, EEXIST…). @internal */
export function isErrno(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
