import { SessionError } from '../errors.js';
import { isPlainObject, show } from '../internal/options.js';

/** Throws `INVALID_ARGUMENT` unless `value` is a non-empty string. @internal */
export function requireId(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new SessionError('INVALID_ARGUMENT', `${what} must be a non-empty string, got ${show(value)}`);
  }
  return value;
}

/** Throws `INVALID_ARGUMENT` unless `value` is a string (optionally non-empty). @internal */
export function requireString(value: unknown, what: string, allowEmpty = true): string {
  if (typeof value !== 'string' || (!allowEmpty && value === '')) {
    throw new SessionError('INVALID_ARGUMENT', `${what} must be a ${allowEmpty ? '' : 'non-empty '}string, got ${show(value)}`);
  }
  return value;
}

/** Throws `INVALID_ARGUMENT` unless `value` is undefined or an object of string values. @internal */
export function optionalMetadata(value: unknown, what = 'metadata'): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) throw new SessionError('INVALID_ARGUMENT', `${what} must be an object of strings, got ${show(value)}`);
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw new SessionError('INVALID_ARGUMENT', `${what}.${key} must be a string, got ${show(entry)}`);
  }
  return { ...(value as Record<string, string>) };
}

/** Throws `INVALID_ARGUMENT` unless `value` is undefined or a valid Date. @internal */
export function optionalDate(value: unknown, what: string): Date | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new SessionError('INVALID_ARGUMENT', `${what} must be a valid Date, got ${show(value)}`);
  }
  return value;
}

/** The options object, or `{}`; throws `INVALID_ARGUMENT` for a non-object. @internal */
export function optionsObject<T extends object>(value: T | undefined, what: string): Partial<T> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new SessionError('INVALID_ARGUMENT', `${what} must be an options object, got ${show(value)}`);
  return value;
}
