import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SessionError } from '../../errors.js';

const LOCK = 'lock';

/** Data dirs this process holds, so a lock with our own pid is told apart from a stale one left by a dead process that had the same pid. */
const heldHere = new Set<string>();

/**
 * An exclusive lock on a data dir, released with {@link DataDirLock.release}.
 *
 * @example
 * ```ts
 * const lock = lockDataDir('/tmp/emu');
 * try { … } finally { lock.release(); }
 * ```
 */
export interface DataDirLock {
  /** Removes the lock file (only if it is still ours). Idempotent. */
  release(): void;
}

/**
 * Takes the data dir for this process: creates `<dataDir>/lock` exclusively (`O_EXCL`) with our
 * pid. Two emulators on one data dir would each compact and rename the journal over the other's
 * open file and silently lose acknowledged writes, so a dir held by a live process is refused
 * with `INVALID_OPTIONS`. A lock whose pid is dead (a `kill -9`, a crash) is taken over.
 *
 * @example
 * ```ts
 * const lock = lockDataDir(dataDir); // throws SessionError('INVALID_OPTIONS') when in use
 * lock.release();
 * ```
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK);
  const key = resolve(dataDir);
  // Three rounds: a stale lock is removed and the exclusive create retried; losing that race
  // to another starter means the dir is now held by a live process, which the next round reports.
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (error) {
      if (!isErrno(error) || error.code !== 'EEXIST') throw error;
      const holder = readHolder(path);
      if (holder !== undefined && isAlive(holder, key)) {
        throw new SessionError(
          'INVALID_OPTIONS',
          `startEmulator: dataDir ${key} is in use by another emulator (pid ${holder}); stop it or use another data dir (lock file ${path})`,
        );
      }
      unlinkQuietly(path);
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    heldHere.add(key);
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        heldHere.delete(key);
        // Only remove our own lock: if it was (wrongly) taken over, the new holder keeps it.
        if (readHolder(path) === process.pid) unlinkQuietly(path);
      },
    };
  }
  throw new SessionError('INVALID_OPTIONS', `startEmulator: could not lock dataDir ${key} (lock file ${path} keeps reappearing)`);
}

/** The pid in the lock file; `undefined` when missing or unreadable (a torn write: stale). */
function readHolder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number, key: string): boolean {
  if (pid === process.pid) return heldHere.has(key);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else — still alive.
    return !(isErrno(error) && error.code === 'ESRCH');
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}

function isErrno(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
