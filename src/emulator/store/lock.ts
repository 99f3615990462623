import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SessionError } from '../../errors.js';
import { isErrno, unlinkQuietly } from './files.js';

const LOCK = 'lock';
/** Held (created with O_EXCL) by the one starter allowed to remove a stale lock. */
const BREAK_GUARD = 'lock.break';
/**
 * Age after which a break guard, or a lock file without a readable pid, counts as left over by
 * a crash: both are normally held for microseconds, so 10 s is far beyond any live holder.
 */
const STALE_AFTER_MS = 10_000;
/** How long a starter waits for another starter that is breaking a stale lock right now. */
const GUARD_WAIT_MS = 2_000;

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
 * Takes the data dir for this process: creates `<dataDir>/lock` exclusively, with our pid already
 * in it (a private file hard-linked to `lock`). Two emulators on one data dir would each compact and rename the journal over the other's
 * open file and silently lose acknowledged writes, so a dir held by a live process is refused
 * with `INVALID_OPTIONS`. A lock whose pid is dead (a `kill -9`, a crash) is taken over, by one
 * starter only when several start at once (they take turns through a `lock.break` guard file).
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
  const inUse = (holder: number | undefined): SessionError =>
    new SessionError(
      'INVALID_OPTIONS',
      `startEmulator: dataDir ${key} is in use by another emulator (${holder === undefined ? 'starting up' : `pid ${holder}`}); stop it or use another data dir (lock file ${path})`,
    );
  // A few rounds: a stale lock is removed and the create retried; losing that race to another
  // starter means the dir is now held by a live process, which the next round reports.
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createLock(dataDir, path)) {
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
    const holder = readHolder(path);
    if (holder !== undefined && isAlive(holder, key)) throw inUse(holder);
    if (holder === undefined && !isOlderThan(path, STALE_AFTER_MS)) {
      // Gone (released a moment ago: retry) or without a pid but recent, which only an older
      // emulator version writing its pid after creating the file can leave: treat as held.
      if (!exists(path)) continue;
      throw inUse(undefined);
    }
    breakStaleLock(dataDir, path, key);
  }
  throw new SessionError('INVALID_OPTIONS', `startEmulator: could not lock dataDir ${key} (lock file ${path} keeps reappearing)`);
}

/**
 * Creates the lock file with our pid already in it: the pid goes into a private file which is
 * then hard-linked to `lock` (the link fails with EEXIST when it is held). Creating `lock`
 * itself and then writing the pid would leave a moment where another starter finds it empty
 * and, taking it for a crash leftover, deletes it.
 */
function createLock(dataDir: string, path: string): boolean {
  const temp = join(dataDir, `${LOCK}.${process.pid}.${randomBytes(6).toString('hex')}`);
  writeFileSync(temp, `${process.pid}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if (isErrno(error) && error.code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkQuietly(temp);
  }
}

/**
 * Removes a stale lock, letting only one starter do it: without the guard, two starters that
 * both saw the same dead pid could each delete the lock, the second one deleting the lock the
 * first had just taken, and both would run. Holding the guard, the lock is read again and only
 * removed if its holder is still dead.
 */
function breakStaleLock(dataDir: string, path: string, key: string): void {
  const guard = join(dataDir, BREAK_GUARD);
  const deadline = Date.now() + GUARD_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(guard, 'wx', 0o600));
      break;
    } catch (error) {
      if (!isErrno(error) || error.code !== 'EEXIST') throw error;
    }
    // A guard left by a starter that crashed while holding it would block every start.
    if (isOlderThan(guard, STALE_AFTER_MS)) unlinkQuietly(guard);
    else if (Date.now() > deadline) {
      throw new SessionError(
        'INVALID_OPTIONS',
        `startEmulator: another emulator is taking over dataDir ${key}; try again (or remove ${guard} if none is starting)`,
      );
    }
    sleepSync(10);
  }
  try {
    const holder = readHolder(path);
    const stale = holder === undefined ? isOlderThan(path, STALE_AFTER_MS) : !isAlive(holder, key);
    if (stale) unlinkQuietly(path);
  } finally {
    unlinkQuietly(guard);
  }
}

function sleepSync(ms: number): void {
  // Lock-taking is synchronous (startEmulator's first step); a short blocking wait keeps it so.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isOlderThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ms;
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The pid in the lock file; `undefined` when missing or without a pid. */
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
