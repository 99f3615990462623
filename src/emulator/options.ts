import { OptionProblems, isPlainObject, show } from '../internal/options.js';

/**
 * Options of {@link startEmulator}.
 *
 * @example
 * ```ts
 * const options: EmulatorOptions = { port: 0, dataDir: '.acs-emulator' };
 * ```
 */
export interface EmulatorOptions {
  /** TCP port; `0` (default) picks a free one. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1` (loopback only). */
  host?: string;
  /**
   * Directory for persistent state (identities, threads, messages, receipts, keys, certificate).
   * Without it everything lives in memory and is gone on close. One emulator per data dir: it is
   * locked (`<dataDir>/lock`) while in use, and starting a second one on it rejects with
   * `INVALID_OPTIONS`.
   */
  dataDir?: string;
  /** Base64 access key for the connection string. Default: generated (and kept in `dataDir`). */
  accessKey?: string;
  /**
   * Phone numbers (E.164) the emulated resource owns: the SMS send API accepts them as `from` and
   * refuses any other number with 401, as the service does. Default `['+14255550100']`.
   */
  phoneNumbers?: readonly string[];
  /** Largest accepted request body in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Called with unexpected internal errors (which are answered as 500s). Default: ignored. */
  onError?: (error: unknown) => void;
  /** The call service (the local calling provider's back end). */
  calling?: {
    /** How long a 1:1 or phone call rings before it ends as not answered (ACS: 487/10004). Default 30 000 ms. */
    ringTimeoutMs?: number;
  };
}

const KNOWN = ['port', 'host', 'dataDir', 'accessKey', 'phoneNumbers', 'maxBodyBytes', 'onError', 'calling'] as const;
const E164 = /^\+[1-9]\d{1,14}$/;
const MIN_BODY_BYTES = 64 * 1024; // a full-size chat message (~28 KB) and its JSON envelope must fit

/**
 * Checks `startEmulator` options and throws one `INVALID_OPTIONS` error listing every problem.
 * @internal
 */
export function validateEmulatorOptions(options: EmulatorOptions): void {
  const problems: OptionProblems = new OptionProblems('startEmulator');
  const raw: unknown = options;
  problems.requireObject(raw);
  problems.unknownKeys(raw, KNOWN);
  const { port, host, dataDir, accessKey, phoneNumbers, maxBodyBytes, onError, calling } = raw;
  if (calling !== undefined) {
    if (!isPlainObject(calling)) problems.add(`calling must be an object, got ${show(calling)}`);
    else {
      problems.unknownKeys(calling, ['ringTimeoutMs'], 'calling.');
      const { ringTimeoutMs } = calling;
      if (ringTimeoutMs !== undefined && (!Number.isInteger(ringTimeoutMs) || (ringTimeoutMs as number) < 1 || (ringTimeoutMs as number) > 600_000)) {
        problems.add(`calling.ringTimeoutMs must be a whole number of ms from 1 to 600000, got ${show(ringTimeoutMs)}`);
      }
    }
  }
  if (phoneNumbers !== undefined && (!Array.isArray(phoneNumbers) || phoneNumbers.some((n) => typeof n !== 'string' || !E164.test(n)))) {
    problems.add('phoneNumbers must be an array of E.164 numbers such as "+14255550100"');
  }
  if (port !== undefined && (!Number.isInteger(port) || (port as number) < 0 || (port as number) > 65535)) {
    problems.add(`port must be a whole number from 0 to 65535 (0 picks a free port), got ${show(port)}`);
  }
  if (host !== undefined && (typeof host !== 'string' || host.trim() === '')) problems.add(`host must be a non-empty string, got ${show(host)}`);
  if (dataDir !== undefined && (typeof dataDir !== 'string' || dataDir.trim() === '')) {
    problems.add(`dataDir must be a non-empty path, got ${show(dataDir)}`);
  }
  if (accessKey !== undefined && !isBase64Key(accessKey)) problems.add('accessKey must be a non-empty base64 string');
  if (maxBodyBytes !== undefined && (!Number.isInteger(maxBodyBytes) || (maxBodyBytes as number) < MIN_BODY_BYTES)) {
    problems.add(`maxBodyBytes must be a whole number ≥ ${MIN_BODY_BYTES}, got ${show(maxBodyBytes)}`);
  }
  if (onError !== undefined && typeof onError !== 'function') problems.add(`onError must be a function, got ${show(onError)}`);
  problems.throwIfAny();
}

/** Whether `value` is usable as an ACS access key: non-empty standard base64. @internal */
export function isBase64Key(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(value) && value.length % 4 === 0;
}
