import { httpErrors } from '../errors.js';
import type { RequestContext } from '../router.js';

/**
 * `maxPageSize` from the query: default when absent, clamped to `max`, 400 when not a positive integer.
 */
export function pageSize(query: URLSearchParams, fallback: number, max: number): number {
  const raw = query.get('maxPageSize');
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) throw httpErrors.badRequest('maxPageSize must be a positive integer.', 'maxPageSize');
  return Math.min(n, max);
}

/**
 * A non-negative integer query parameter (`skip`, the paging cursor); `0` when absent.
 */
export function nonNegativeInt(query: URLSearchParams, name: string): number {
  const raw = query.get(name);
  if (raw === null) return 0;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw httpErrors.badRequest(`${name} must be a non-negative integer.`, name);
  return n;
}

/**
 * `startTime` (ISO 8601) as epoch ms; `undefined` when absent, 400 when unparsable.
 */
export function startTime(query: URLSearchParams): number | undefined {
  const raw = query.get('startTime');
  if (raw === null) return undefined;
  const ms = Date.parse(raw);
  if (!Number.isFinite(ms)) throw httpErrors.badRequest('startTime must be an ISO 8601 date-time.', 'startTime');
  return ms;
}

/**
 * An absolute `https` nextLink back to this server, carrying the paging state and the request's
 * api-version (the client GETs it verbatim, only swapping the api-version).
 */
export function nextLink(ctx: RequestContext, segments: readonly string[], params: Record<string, string>): string {
  const query = new URLSearchParams(params);
  const version = ctx.query.get('api-version');
  if (version !== null) query.set('api-version', version);
  return `${ctx.origin}/${segments.map(encodeURIComponent).join('/')}?${query.toString()}`;
}

/**
 * Builds `{ value, nextLink? }` from the items after `skip`.
 */
export function offsetPage<T>(
  ctx: RequestContext,
  items: readonly T[],
  segments: readonly string[],
  fallbackSize: number,
  maxSize: number,
  toWire: (item: T) => unknown,
  extraParams: Record<string, string> = {},
): { value: unknown[]; nextLink?: string } {
  const size = pageSize(ctx.query, fallbackSize, maxSize);
  const skip = nonNegativeInt(ctx.query, 'skip');
  const value = items.slice(skip, skip + size).map(toWire);
  if (skip + size >= items.length) return { value };
  return { value, nextLink: nextLink(ctx, segments, { ...extraParams, maxPageSize: String(size), skip: String(skip + size) }) };
}
