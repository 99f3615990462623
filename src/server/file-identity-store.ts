import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SessionError } from '../errors.js';
import type { IdentityStore } from './identity-store.js';

/**
 * Options of {@link createFileIdentityStore}.
 *
 * @example
 * ```ts
 * const options: FileIdentityStoreOptions = { lockTimeoutMs: 5_000 };
 * ```
 */
export interface FileIdentityStoreOptions {
  /** How long to wait for another process's lock before failing with `TIMEOUT`, in ms. Default 10 000. */
  lockTimeoutMs?: number;
  /**
   * A lock file older than this is taken to be left by a crashed process and taken over, in ms.
   * Default 30 000; keep it above the longest identity creation you expect.
   */
  staleLockMs?: number;
}

interface FileContents {
  version: 1;
  identities: Record<string, string>;
}

/**
 * An {@link IdentityStore} in a JSON file: mappings survive restarts, and several service processes
 * on one machine may share the file. Writes are whole-file and atomic (write a temporary file, then
 * rename), and identity creation runs under a lock file (`<path>.lock`, created exclusively), so 50
 * concurrent first requests spread over two processes still create one ACS identity.
 *
 * For several machines use your database instead (see {@link IdentityStore}).
 *
 * @throws SessionError `TIMEOUT` from `exclusive` when the lock stays held past `lockTimeoutMs`;
 *   `INVALID_OPTIONS` from `get` when the file is not a store written by this function.
 * @example
 * ```ts
 * import { createFileIdentityStore, createTokenService } from 'acs-session/server';
 * const tokens = createTokenService({
 *   connectionString: process.env.ACS_CONNECTION_STRING!,
 *   authenticate,
 *   identityStore: createFileIdentityStore('.data/acs-identities.json'),
 * });
 * ```
 */
export function createFileIdentityStore(path: string, options: FileIdentityStoreOptions = {}): IdentityStore {
  if (typeof path !== 'string' || path.trim() === '') throw new SessionError('INVALID_ARGUMENT', 'createFileIdentityStore needs a file path');
  const lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  const staleLockMs = options.staleLockMs ?? 30_000;
  const lockPath = `${path}.lock`;
  // Mappings never change once written, so what was read once can be served from memory.
  const cache = new Map<string, string>();
  // Marks the async context that holds the lock, so `set` inside `exclusive` does not wait for itself.
  const holding = new AsyncLocalStorage<true>();

  const read = async (): Promise<FileContents> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return { version: 1, identities: {} };
      throw error;
    }
    const parsed: unknown = JSON.parse(text);
    if (!isContents(parsed)) throw new SessionError('INVALID_OPTIONS', `${path} is not an acs-session identity store file`);
    for (const [key, value] of Object.entries(parsed.identities)) cache.set(key, value);
    return parsed;
  };

  const lock = async (): Promise<() => Promise<void>> => {
    await mkdir(dirname(path), { recursive: true });
    const deadline = Date.now() + lockTimeoutMs;
    for (let wait = 5; ; wait = Math.min(wait * 2, 50)) {
      try {
        const handle = await open(lockPath, 'wx');
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        // A slow identity creation must not look like a crashed holder: keep the lock file fresh.
        const heartbeat = setInterval(
          () => {
            const now = new Date();
            utimes(lockPath, now, now).catch(() => undefined);
          },
          Math.max(10, staleLockMs / 3),
        );
        heartbeat.unref();
        return () => {
          clearInterval(heartbeat);
          return unlink(lockPath).catch(() => undefined);
        };
      } catch (error) {
        if (!isErrno(error, 'EEXIST')) throw error;
      }
      const age = await stat(lockPath).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > staleLockMs) {
        await unlink(lockPath).catch(() => undefined);
        continue;
      }
      if (Date.now() >= deadline)
        throw new SessionError('TIMEOUT', `The identity store lock ${lockPath} stayed held for ${lockTimeoutMs} ms`, { retryable: true });
      await new Promise((resolve) => setTimeout(resolve, wait + Math.random() * wait));
    }
  };

  const exclusive = async <T>(_appUserId: string, work: () => Promise<T>): Promise<T> => {
    if (holding.getStore()) return work();
    const release = await lock();
    try {
      return await holding.run(true, work);
    } finally {
      await release();
    }
  };

  return {
    async get(appUserId) {
      return cache.get(appUserId) ?? (await read()).identities[appUserId];
    },
    async set(appUserId, communicationUserId) {
      await exclusive(appUserId, async () => {
        const contents = await read();
        contents.identities[appUserId] = communicationUserId;
        const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
        await writeFile(temporary, JSON.stringify(contents, null, 2) + '\n', { mode: 0o600 });
        await rename(temporary, path);
        cache.set(appUserId, communicationUserId);
      });
    },
    exclusive,
  };
}

function isContents(value: unknown): value is FileContents {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { version?: unknown; identities?: unknown };
  if (candidate.version !== 1 || typeof candidate.identities !== 'object' || candidate.identities === null) return false;
  return Object.values(candidate.identities).every((id) => typeof id === 'string');
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
