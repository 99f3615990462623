import type { CommunicationUserKind } from '@azure/communication-common';
import type { SessionError } from '../errors.js';
import type { ErrorEvent, EventNames } from '../events/types.js';
import type { RetryOptions } from './backoff.js';

/**
 * Why the fetcher is being called:
 * - `initial`: the first token;
 * - `proactive`: the current token is close to expiry;
 * - `expired`: the current token has expired and something is waiting for a new one;
 * - `rejected`: the service refused the current token (a 401) and a caller asked for a new one.
 */
export type TokenFetchReason = 'initial' | 'proactive' | 'expired' | 'rejected';

/** What the token fetcher is given. */
export interface TokenFetchContext {
  /** Aborted when the fetch is no longer wanted (dispose, timeout); pass it to `fetch`. */
  readonly signal: AbortSignal;
  /** Why this fetch happens. */
  readonly reason: TokenFetchReason;
}

/**
 * What a token fetcher returns: the ACS user token, or the token with its expiry as your token
 * service reported it (`Date`, ISO string, or epoch milliseconds). When both the JWT `exp` and
 * `expiresOn` are known the earlier one is used.
 */
export type TokenFetchResult =
  | string
  | {
      /** The ACS user token (a JWT). */
      token: string;
      /** When it expires, as your token service reported it: a `Date`, an ISO string or epoch milliseconds. */
      expiresOn?: Date | string | number | undefined;
    };

/**
 * Gets a fresh ACS user token from your trusted token service.
 * @example
 * ```ts
 * const fetchToken: TokenFetcher = async ({ signal }) => {
 *   const response = await fetch('/api/acs-token', { signal });
 *   if (!response.ok) throw new Error(`token service answered ${response.status}`);
 *   return response.json(); // { token, expiresOn }
 * };
 * ```
 */
export type TokenFetcher = (context: TokenFetchContext) => Promise<TokenFetchResult> | TokenFetchResult;

/** A fetcher, or a fixed token string that is used as is and never refreshed. */
export type TokenSource = TokenFetcher | string;

/** The ACS user a token belongs to, with its raw id filled in. */
export type SessionUser = CommunicationUserKind & {
  /** The raw id, `8:acs:<resourceId>_<userId>`; use it as a map key. */
  readonly rawId: string;
};

/** A validated token and what was read from it. */
export interface TokenInfo {
  /** The token string, as sent to ACS. */
  readonly token: string;
  /** When it expires. */
  readonly expiresOn: Date;
  /** Whom it belongs to (from the `skypeid` claim). */
  readonly user: SessionUser;
  /** Its scopes (from the `acsScope` claim), e.g. `['chat', 'voip']`. */
  readonly scopes: readonly string[];
}

/**
 * Options for {@link createTokenRefresher}.
 * @example
 * ```ts
 * createTokenRefresher({ token: fetchToken, refreshLeadMs: 5 * 60_000, fetchTimeoutMs: 10_000, signal: controller.signal });
 * ```
 */
export interface TokenRefresherOptions {
  /** Where tokens come from: a fetcher (refreshed automatically) or a fixed token string. */
  token: TokenSource;
  /**
   * How long before expiry the proactive refresh starts, in ms. Default 10 minutes. A token that
   * lives less than twice this long is refreshed halfway through its life instead. Either way the
   * refresh starts early enough to leave room for a retry before the token's last 5 seconds, when
   * it is no longer served.
   */
  refreshLeadMs?: number | undefined;
  /** A fetch that takes longer than this is aborted and counts as failed, in ms. Default 30 000. */
  fetchTimeoutMs?: number | undefined;
  /** Backoff for failed fetches. */
  retry?: RetryOptions | undefined;
  /** Disposes the refresher when this signal fires. */
  signal?: AbortSignal | undefined;
}

/** A token was fetched, validated and is now the one served. */
export interface TokenRefreshedEvent {
  /** Always `'tokenRefreshed'`. */
  readonly type: 'tokenRefreshed';
  /** Why the fetch happened. */
  readonly reason: TokenFetchReason;
  /** When the new token expires. */
  readonly expiresOn: Date;
  /** When the next proactive refresh is planned. */
  readonly nextRefreshOn: Date;
}

/** A fetch failed or returned a token that was refused. */
export interface TokenRefreshFailedEvent {
  /** Always `'tokenRefreshFailed'`. */
  readonly type: 'tokenRefreshFailed';
  /** Why the failed fetch happened. */
  readonly reason: TokenFetchReason;
  /** 1 for the first failure since the last success. */
  readonly attempt: number;
  /**
   * In how many ms the next attempt happens. The refresher keeps retrying until a token arrives or
   * it is disposed; `error.retryable` says whether a caller's own retry can help.
   */
  readonly nextRetryInMs: number;
  /**
   * Whether a valid token is still being served. `false` after the first token failed, after the
   * served token expired, or after a forced refresh (the old token was refused) failed: ACS calls
   * fail until a retry succeeds, and the session is `reconnecting`.
   */
  readonly tokenUsable: boolean;
  /** The failure, with the fetcher's error as `cause`. */
  readonly error: SessionError;
}

/** The served token expired before a new one could be fetched. */
export interface TokenExpiredEvent {
  /** Always `'tokenExpired'`. */
  readonly type: 'tokenExpired';
  /** When the token expired (it stopped being served 5 s earlier). */
  readonly expiredOn: Date;
}

/** The events of a {@link TokenRefresher}. */
export interface TokenEvents {
  /** A new token is being served. */
  tokenRefreshed: TokenRefreshedEvent;
  /** A fetch failed or its token was refused; another attempt is scheduled. */
  tokenRefreshFailed: TokenRefreshFailedEvent;
  /** The served token expired before a new one arrived. */
  tokenExpired: TokenExpiredEvent;
  /** A listener threw. */
  error: ErrorEvent;
}

/**
 * Every token event name; a name added to {@link TokenEvents} must be added here too (it does not
 * compile otherwise).
 * @internal
 */
export const TOKEN_EVENT_NAMES = {
  tokenRefreshed: true,
  tokenRefreshFailed: true,
  tokenExpired: true,
  error: true,
} as const satisfies EventNames<TokenEvents>;
