import { collectCallingProblems } from '../calling/options.js';
import { collectChatProblems } from '../chat/options.js';
import { OptionProblems, isPlainObject, show } from '../internal/options.js';
import { collectTokenProblems, TOKEN_OPTION_KEYS } from '../token/refresher-options.js';
import type { SessionOptions } from './types.js';

const KNOWN = ['endpoint', 'token', 'displayName', 'signal', 'tokenRefresh', 'initialTokenAttempts', 'chat', 'clientOptions', 'calling'] as const;
const MAX_DISPLAY_NAME = 256;

/**
 * Checks everything `createSession` was given and throws one `INVALID_OPTIONS` error listing every
 * problem. Returns the endpoint normalized (no trailing slash).
 * @internal
 */
export function validateSessionOptions(options: SessionOptions): string {
  const problems: OptionProblems = new OptionProblems('createSession');
  const raw: unknown = options;
  problems.requireObject(raw);
  problems.unknownKeys(raw, KNOWN);
  const endpoint = checkEndpoint(raw.endpoint, problems);
  const { tokenRefresh } = raw;
  if (tokenRefresh !== undefined && !isPlainObject(tokenRefresh)) {
    problems.add(`tokenRefresh must be an object, got ${show(tokenRefresh)}`);
  }
  const refresh = isPlainObject(tokenRefresh) ? tokenRefresh : {};
  problems.unknownKeys(
    refresh,
    TOKEN_OPTION_KEYS.filter((key) => key !== 'token' && key !== 'signal'),
    'tokenRefresh.',
  );
  collectTokenProblems({ ...refresh, token: raw.token, signal: raw.signal }, problems);
  const { displayName, initialTokenAttempts } = raw;
  if (displayName !== undefined) {
    if (typeof displayName !== 'string') problems.add(`displayName must be a string, got ${show(displayName)}`);
    else if (displayName.length > MAX_DISPLAY_NAME) {
      problems.add(`displayName must be at most ${MAX_DISPLAY_NAME} characters, got ${displayName.length}`);
    }
  }
  if (initialTokenAttempts !== undefined && (!Number.isInteger(initialTokenAttempts) || (initialTokenAttempts as number) < 1)) {
    problems.add(`initialTokenAttempts must be a whole number ≥ 1, got ${show(initialTokenAttempts)}`);
  }
  collectCallingProblems(raw.calling, problems);
  collectChatProblems(raw.chat, problems);
  if (raw.clientOptions !== undefined && !isPlainObject(raw.clientOptions)) {
    problems.add(`clientOptions must be an object of Azure client options, got ${show(raw.clientOptions)}`);
  }
  problems.throwIfAny();
  return endpoint;
}

function checkEndpoint(endpoint: unknown, problems: OptionProblems): string {
  if (typeof endpoint !== 'string' || endpoint.trim() === '') {
    problems.add(`endpoint must be the ACS resource URL, e.g. https://<resource>.communication.azure.com, got ${show(endpoint)}`);
    return '';
  }
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    problems.add(`endpoint ${show(endpoint)} is not a URL`);
    return '';
  }
  // The ACS clients refuse to send a bearer token over plain HTTP, so an http endpoint could never work.
  if (url.protocol !== 'https:') problems.add(`endpoint must use https:, got ${url.protocol}`);
  if (url.search || url.hash) problems.add('endpoint must not have a query or fragment');
  if (url.username || url.password) problems.add('endpoint must not carry credentials');
  return url.href.replace(/\/+$/, '');
}
