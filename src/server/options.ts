import { OptionProblems, show } from '../internal/options.js';
import { type AcsTarget, parseConnectionString } from './acs-target.js';
import type { TokenServiceOptions } from './types.js';

const KNOWN = [
  'connectionString',
  'endpoint',
  'credential',
  'authenticate',
  'scopes',
  'tokenLifetimeMinutes',
  'identityStore',
  'useCustomId',
  'rateLimit',
  'cors',
  'identityClientOptions',
] as const;
const SCOPES = ['chat', 'voip', 'chat.join', 'chat.join.limited', 'voip.join'];

/**
 * Checks `createTokenService` options, throwing one `INVALID_OPTIONS` error that lists every
 * problem; no message ever shows the connection string or a key.
 * @internal
 */
export function validateTokenServiceOptions(options: TokenServiceOptions): AcsTarget {
  const problems: OptionProblems = new OptionProblems('createTokenService');
  const raw: unknown = options;
  problems.requireObject(raw);
  problems.unknownKeys(raw, KNOWN);
  const { connectionString, endpoint, credential, authenticate, scopes, tokenLifetimeMinutes, identityStore, useCustomId, rateLimit, cors } = raw;

  let target: AcsTarget | undefined;
  if (connectionString !== undefined) {
    if (endpoint !== undefined || credential !== undefined) problems.add('give connectionString, or endpoint with credential, not both');
    if (typeof connectionString !== 'string') problems.add('connectionString must be a string');
    else {
      try {
        target = { kind: 'connectionString', connectionString, ...parseConnectionString(connectionString) };
      } catch {
        problems.add('connectionString must look like "endpoint=https://<resource>.communication.azure.com/;accesskey=<key>"');
      }
    }
  } else if (typeof endpoint === 'string' && /^https?:\/\//i.test(endpoint) && isCredential(credential)) {
    target = { kind: 'credential', endpoint, credential };
  } else {
    problems.add('give connectionString, or endpoint (an https URL) with credential (an access key or Entra credential)');
  }
  if (typeof authenticate !== 'function') problems.add(`authenticate must be a function (request) => appUserId | null, got ${show(authenticate)}`);
  if (scopes !== undefined && (!Array.isArray(scopes) || scopes.length === 0 || scopes.some((s) => !SCOPES.includes(s as string)))) {
    problems.add(`scopes must be a non-empty array of ${SCOPES.join(', ')}`);
  }
  if (
    tokenLifetimeMinutes !== undefined &&
    (!Number.isInteger(tokenLifetimeMinutes) || (tokenLifetimeMinutes as number) < 60 || (tokenLifetimeMinutes as number) > 1440)
  ) {
    problems.add(`tokenLifetimeMinutes must be a whole number from 60 to 1440 (ACS limits), got ${show(tokenLifetimeMinutes)}`);
  }
  if (identityStore !== undefined && !isStore(identityStore))
    problems.add('identityStore must have get(appUserId) and set(appUserId, communicationUserId) methods');
  if (useCustomId !== undefined && typeof useCustomId !== 'boolean') problems.add(`useCustomId must be a boolean, got ${show(useCustomId)}`);
  if (useCustomId === true && identityStore !== undefined) problems.add('useCustomId maps users through ACS itself: do not give an identityStore with it');
  if (rateLimit !== undefined && rateLimit !== false) {
    if (typeof rateLimit !== 'object' || rateLimit === null) problems.add('rateLimit must be { limit?, windowMs? } or false');
    else {
      const { limit, windowMs } = rateLimit as Record<string, unknown>;
      if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 1))
        problems.add(`rateLimit.limit must be a whole number ≥ 1, got ${show(limit)}`);
      problems.optionalNumber('rateLimit.windowMs', windowMs, 1);
    }
  }
  if (cors !== undefined) {
    const c = cors as Record<string, unknown> | null;
    const origins = c?.['origins'];
    if (typeof c !== 'object' || c === null || (origins !== '*' && (!Array.isArray(origins) || origins.some((o) => typeof o !== 'string')))) {
      problems.add("cors.origins must be '*' or an array of origins such as 'https://app.example.com'");
    } else if (origins === '*' && c['credentials'] === true) {
      problems.add("cors.origins '*' cannot be combined with credentials: list the origins");
    }
  }
  problems.throwIfAny();
  // throwIfAny() threw unless a target was found.
  return target as AcsTarget;
}

function isCredential(value: unknown): value is TokenServiceOptions['credential'] & object {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { key?: unknown; getToken?: unknown };
  return typeof candidate.key === 'string' || typeof candidate.getToken === 'function';
}

function isStore(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { get?: unknown; set?: unknown };
  return typeof candidate.get === 'function' && typeof candidate.set === 'function';
}
