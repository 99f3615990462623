import { isPlainObject } from '../internal/options.js';
import { httpErrors } from './errors.js';

/**
 * Parses a JSON request body; malformed JSON is a 400 with the ACS error body. An empty body
 * parses as `undefined` so that operations with optional bodies (typing) accept it.
 */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw httpErrors.badRequest('The request body is not valid JSON.');
  }
}

/**
 * Narrows to a plain object or throws a 400 naming `target`.
 */
export function asObject(value: unknown, target: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw httpErrors.badRequest(`${target} must be a JSON object.`, target);
  return value;
}

/**
 * A required string (optionally non-empty and length-bounded).
 */
export function requiredString(value: unknown, target: string, limits: { max?: number; allowEmpty?: boolean } = {}): string {
  if (typeof value !== 'string') throw httpErrors.badRequest(`${target} is required and must be a string.`, target);
  if (!limits.allowEmpty && value.length === 0) throw httpErrors.badRequest(`${target} must not be empty.`, target);
  if (limits.max !== undefined && value.length > limits.max) {
    throw httpErrors.badRequest(`${target} must be at most ${limits.max} characters.`, target);
  }
  return value;
}

/**
 * An optional string: `undefined`/`null` pass, anything else must be a string.
 */
export function optionalString(value: unknown, target: string, max?: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  return requiredString(value, target, max === undefined ? { allowEmpty: true } : { allowEmpty: true, max });
}

/**
 * An optional `{ [key]: string }` map (ACS metadata). `null` values are allowed only when
 * `allowNull` (merge-patch deletions) and come back as `null`.
 */
export function optionalStringMap(value: unknown, target: string, allowNull = false): Record<string, string | null> | undefined {
  if (value === undefined || value === null) return undefined;
  const map = asObject(value, target);
  const out: Record<string, string | null> = {};
  for (const [key, entry] of Object.entries(map)) {
    if (typeof entry === 'string' || (allowNull && entry === null)) setOwn(out, key, entry);
    else throw httpErrors.badRequest(`${target}.${key.slice(0, 64)} must be a string.`, `${target}.${key.slice(0, 64)}`);
  }
  return out;
}

/**
 * Applies a JSON merge-patch (RFC 7386) of string values: `null` deletes a key.
 *
 * @example
 * ```ts
 * mergeStringMap({ a: '1', b: '2' }, { b: null, c: '3' }); // { a: '1', c: '3' }
 * ```
 */
export function mergeStringMap(base: Readonly<Record<string, string>> | undefined, patch: Readonly<Record<string, string | null>>): Record<string, string> {
  const out: Record<string, string> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    // `delete` of an own `__proto__` removes the own property, never the prototype.
    if (value === null) delete out[key];
    else setOwn(out, key, value);
  }
  return out;
}

/**
 * Sets an own, enumerable property. Plain assignment of a key such as `__proto__` (a valid
 * metadata key arriving from JSON) would set the object's prototype instead and the entry would
 * vanish from what is stored and returned.
 */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Only the string values of a map (drops the `null`s of a non-patch input).
 *
 * @example
 * ```ts
 * stringsOnly({ a: '1', b: null }); // { a: '1' }
 * ```
 */
export function stringsOnly(map: Readonly<Record<string, string | null>>): Record<string, string> {
  return mergeStringMap(undefined, map);
}
