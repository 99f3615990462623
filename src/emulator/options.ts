import { OptionProblems, show } from '../internal/options.js';
import type { EmulatorOptions } from './index.js';

const KNOWN = ['port', 'host', 'dataDir', 'accessKey', 'phoneNumbers', 'maxBodyBytes', 'onError'] as const;
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
  const { port, host, dataDir, accessKey, phoneNumbers, maxBodyBytes, onError } = raw;
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
