import type { CommunicationTokenCredential } from '@azure/communication-common';
import { SessionError, abortedError, disposedError, isSessionError } from '../errors.js';
import { EventSourceBase, type TypedEventSource } from '../events/event-source.js';
import { raceWithSignal, type AbortSignalLike } from '../internal/abort.js';
import { describeError, logger } from '../internal/logger.js';
import { backgroundTimer, type BackgroundTimer } from '../internal/timers.js';
import { DEFAULT_RETRY, backoffDelay, type ResolvedRetryOptions } from './backoff.js';
import { validateRefresherOptions } from './refresher-options.js';
import { readToken } from './token-info.js';
import { TOKEN_EVENT_NAMES } from './types.js';
import type { SessionUser, TokenEvents, TokenFetchReason, TokenFetcher, TokenInfo, TokenRefresherOptions } from './types.js';

/** What ACS clients expect from a credential; taken from the SDK type so an upgrade that changes it fails to compile. */
type AccessToken = Awaited<ReturnType<CommunicationTokenCredential['getToken']>>;

const DEFAULT_REFRESH_LEAD_MS = 10 * 60_000;
const DEFAULT_FETCH_TIMEOUT_MS = 30_000;
/**
 * A token with less than this left is not served: it would expire on the wire. Tokens live 60–1440
 * minutes, so this margin never matters for a healthy refresher.
 */
export const EXPIRY_MARGIN_MS = 5_000;

/** Options for {@link TokenRefresher.getToken}. */
export interface GetTokenOptions {
  /** Stops waiting (rejects with `ABORTED`); the shared fetch itself goes on for the other callers. */
  signal?: AbortSignalLike | undefined;
  /** The same as `signal`, under the name the ACS credential interface uses. */
  abortSignal?: AbortSignalLike | undefined;
}

/**
 * One source of ACS user tokens for everything in a session: chat and calling share it through
 * {@link TokenRefresher.credential}.
 *
 * - Fetches lazily on the first `getToken()`, then refreshes ahead of expiry (10 minutes by default;
 *   halfway through the life of short-lived tokens).
 * - Single-flight: any number of concurrent callers share one fetch.
 * - A failed fetch is retried with capped, jittered exponential backoff until a token arrives or the
 *   refresher is disposed; every failure is a `tokenRefreshFailed` event, never an unhandled rejection.
 * - `getToken()` never resolves with an expired token. A caller that needs a new token waits for the
 *   next fetch attempt (the one running, or the scheduled retry) and is rejected if that attempt fails.
 * - In Node, its timers keep the process alive only while a caller waits for a token (a retry, a
 *   fetch timeout); an idle refresher never stops a script from exiting.
 * @example
 * ```ts
 * const { token, expiresOn, user } = await session.tokens.getToken({ signal });
 * // after ACS answered 401:
 * await session.tokens.forceRefresh('rejected');
 * ```
 */
export interface TokenRefresher extends TypedEventSource<TokenEvents> {
  /**
   * A `CommunicationTokenCredential` for the ACS `ChatClient` and `CallClient`, backed by this
   * refresher. Its `dispose()` does nothing: the credential is shared, so only disposing the
   * refresher (or the session) ends it, never one of the ACS clients it was given to.
   */
  readonly credential: CommunicationTokenCredential;
  /** The token being served, once there is one. */
  readonly current: TokenInfo | undefined;
  /** The user of the first token; every later token must be for the same user. */
  readonly user: SessionUser | undefined;
  /** Whether `dispose()` has run. */
  readonly disposed: boolean;
  /**
   * A valid token: the current one, or a new one when it has expired.
   * @throws SessionError `TOKEN_FETCH_FAILED` (retryable), `TOKEN_MALFORMED`, `TOKEN_EXPIRED`,
   * `TOKEN_IDENTITY_CHANGED` when the attempt it waited for failed; `ABORTED`; `DISPOSED`.
   */
  getToken(options?: GetTokenOptions): Promise<TokenInfo>;
  /**
   * Stops serving the current token and gets a new one, e.g. after ACS answered 401. Joins a fetch
   * already running or scheduled rather than adding one.
   * @throws SessionError as `getToken`, and `TOKEN_NOT_REFRESHABLE` for a static token.
   */
  forceRefresh(reason?: Extract<TokenFetchReason, 'rejected' | 'expired'>, options?: GetTokenOptions): Promise<TokenInfo>;
  /** Clears every timer, aborts a running fetch and rejects waiters with `DISPOSED`. Idempotent. */
  dispose(): void;
}

/**
 * Creates the shared token refresher. `createSession` makes one for you; use this directly to give
 * your own ACS clients the same refreshing credential.
 *
 * @example
 * ```ts
 * const tokens = createTokenRefresher({
 *   token: async ({ signal }) => (await fetch('/api/acs-token', { signal })).json(),
 * });
 * tokens.on('tokenRefreshFailed', (e) => console.warn(`retry in ${e.nextRetryInMs} ms`, e.error));
 * const chat = new ChatClient(endpoint, tokens.credential);
 * // …
 * tokens.dispose();
 * ```
 * @throws SessionError `INVALID_OPTIONS` listing every problem with `options`.
 */
export function createTokenRefresher(options: TokenRefresherOptions): TokenRefresher {
  validateRefresherOptions(options);
  return new Refresher(options);
}

type Deferred = { promise: Promise<TokenInfo>; resolve: (info: TokenInfo) => void; reject: (error: unknown) => void };

class Refresher extends EventSourceBase<TokenEvents> implements TokenRefresher {
  readonly credential: CommunicationTokenCredential;
  readonly #fetcher: TokenFetcher | undefined;
  readonly #staticToken: string | undefined;
  readonly #leadMs: number;
  readonly #fetchTimeoutMs: number;
  readonly #retry: ResolvedRetryOptions;
  readonly #disposeController = new AbortController();
  readonly #removeExternalAbort: () => void;

  #current: TokenInfo | undefined;
  #currentRejected = false;
  #user: SessionUser | undefined;
  /** The fetch running now, shared by every caller. */
  #attempt: Promise<TokenInfo> | undefined;
  /** The timer of the next proactive refresh or retry. */
  #scheduled: BackgroundTimer | undefined;
  /** Callers waiting for the scheduled retry. */
  #nextAttempt: Deferred | undefined;
  #expiryTimer: BackgroundTimer | undefined;
  /** The fetch timeout of the running attempt. */
  #fetchTimeout: BackgroundTimer | undefined;
  #failures = 0;
  /** Callers of getToken/forceRefresh still waiting; while there are any, the timers keep Node alive. */
  #waiters = 0;

  constructor(options: TokenRefresherOptions) {
    super('The token refresher', TOKEN_EVENT_NAMES);
    if (typeof options.token === 'string') this.#staticToken = options.token;
    else this.#fetcher = options.token;
    this.#leadMs = options.refreshLeadMs ?? DEFAULT_REFRESH_LEAD_MS;
    this.#fetchTimeoutMs = options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
    const retry = options.retry ?? {};
    this.#retry = {
      initialDelayMs: retry.initialDelayMs ?? DEFAULT_RETRY.initialDelayMs,
      maxDelayMs: retry.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
      multiplier: retry.multiplier ?? DEFAULT_RETRY.multiplier,
      jitter: retry.jitter ?? DEFAULT_RETRY.jitter,
    };
    this.credential = {
      getToken: async (getOptions) => toAccessToken(await this.getToken({ signal: getOptions?.abortSignal })),
      dispose: () => undefined,
    };
    const external = options.signal;
    const onExternalAbort = () => this.dispose();
    external?.addEventListener('abort', onExternalAbort, { once: true });
    this.#removeExternalAbort = () => external?.removeEventListener('abort', onExternalAbort);
    if (external?.aborted) this.dispose();
  }

  get current(): TokenInfo | undefined {
    return this.#current;
  }

  get user(): SessionUser | undefined {
    return this.#user;
  }

  get disposed(): boolean {
    return this.#disposeController.signal.aborted;
  }

  getToken(options: GetTokenOptions = {}): Promise<TokenInfo> {
    if (this.disposed) return Promise.reject(disposedError('The token refresher'));
    const usable = this.#usableCurrent();
    if (usable) return Promise.resolve(usable);
    const signal = options?.signal ?? options?.abortSignal;
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    if (this.#staticToken !== undefined) return this.#readStatic();
    return this.#awaited(raceWithSignal(this.#nextToken(this.#current ? 'expired' : 'initial'), signal, () => abortedError(signal ?? {})));
  }

  forceRefresh(reason: Extract<TokenFetchReason, 'rejected' | 'expired'> = 'rejected', options: GetTokenOptions = {}): Promise<TokenInfo> {
    if (this.disposed) return Promise.reject(disposedError('The token refresher'));
    if (this.#staticToken !== undefined) {
      return Promise.reject(new SessionError('TOKEN_NOT_REFRESHABLE', 'The session was given a fixed token string; pass a token fetcher to allow refreshing'));
    }
    const signal = options?.signal ?? options?.abortSignal;
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    if (this.#current && !this.#currentRejected) {
      this.#currentRejected = true;
      logger.info(`token: the current token was marked ${reason}; fetching a new one`);
    }
    return this.#awaited(raceWithSignal(this.#nextToken(reason), signal, () => abortedError(signal ?? {})));
  }

  dispose(): void {
    if (this.disposed) return;
    const error = disposedError('The token refresher');
    this.#disposeController.abort(error);
    this.#removeExternalAbort();
    this.#clearSchedule();
    this.#expiryTimer?.cancel();
    this.#expiryTimer = undefined;
    this.#nextAttempt?.reject(error);
    this.#nextAttempt = undefined;
    this.stream.close();
    logger.info('token: refresher disposed');
  }

  /**
   * Counts `promise` as a waiting caller until it settles. Node exits when only unref'd timers are
   * left, so a caller awaiting a retry or a hung fetch would see its process end with the await
   * unsettled; while anyone waits, the timers that decide the outcome keep the process alive.
   */
  #awaited(promise: Promise<TokenInfo>): Promise<TokenInfo> {
    this.#waiters++;
    this.#updateKeepAlive();
    const release = () => {
      this.#waiters--;
      this.#updateKeepAlive();
    };
    promise.then(release, release);
    return promise;
  }

  #updateKeepAlive(): void {
    const keep = this.#waiters > 0;
    this.#scheduled?.keepAlive(keep);
    this.#fetchTimeout?.keepAlive(keep);
  }

  #usableCurrent(): TokenInfo | undefined {
    const current = this.#current;
    if (!current || this.#currentRejected) return undefined;
    return current.expiresOn.getTime() - EXPIRY_MARGIN_MS > Date.now() ? current : undefined;
  }

  #readStatic(): Promise<TokenInfo> {
    try {
      const info = readToken(this.#staticToken, Date.now() + EXPIRY_MARGIN_MS, 'static');
      this.#accept(info);
      return Promise.resolve(info);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The attempt a caller that needs a new token should wait for: running, scheduled, or new. */
  #nextToken(reason: TokenFetchReason): Promise<TokenInfo> {
    if (this.#attempt) return this.#attempt;
    if (this.#scheduled !== undefined && this.#failures > 0) {
      if (!this.#nextAttempt) {
        let resolve!: Deferred['resolve'];
        let reject!: Deferred['reject'];
        const promise = new Promise<TokenInfo>((res, rej) => ((resolve = res), (reject = rej)));
        promise.catch(() => undefined); // waiters may all have gone (aborted); never unhandled
        this.#nextAttempt = { promise, resolve, reject };
      }
      return this.#nextAttempt.promise;
    }
    return this.#startAttempt(reason);
  }

  #startAttempt(reason: TokenFetchReason): Promise<TokenInfo> {
    this.#clearSchedule();
    const fetcher = this.#fetcher as TokenFetcher;
    const controller = new AbortController();
    const stopOnDispose = () => controller.abort(disposedError('The token refresher'));
    this.#disposeController.signal.addEventListener('abort', stopOnDispose, { once: true });
    const timeout = backgroundTimer(
      () => controller.abort(new SessionError('TOKEN_FETCH_FAILED', `The token fetcher did not answer within ${this.#fetchTimeoutMs} ms`, { retryable: true })),
      this.#fetchTimeoutMs,
      this.#waiters > 0,
    );
    this.#fetchTimeout = timeout;
    logger.info(`token: fetching (reason ${reason}, attempt ${this.#failures + 1})`);
    const fetched = raceWithSignal(
      Promise.resolve().then(() => fetcher({ signal: controller.signal, reason })),
      controller.signal,
      () => controller.signal.reason,
    );
    // Validation and its outcome run in the same tick as the end of the attempt: a getToken() or
    // dispose() arriving in between would otherwise start a second fetch or arm timers after dispose.
    const end = () => {
      timeout.cancel();
      if (this.#fetchTimeout === timeout) this.#fetchTimeout = undefined;
      this.#disposeController.signal.removeEventListener('abort', stopOnDispose);
      if (this.#attempt === attempt) this.#attempt = undefined;
    };
    const attempt: Promise<TokenInfo> = fetched.then(
      (result) => {
        end();
        let info: TokenInfo;
        try {
          info = this.#validate(result);
        } catch (error) {
          return this.#failed(error, reason);
        }
        return this.#succeeded(info, reason);
      },
      (error: unknown) => {
        end();
        return this.#failed(error, reason);
      },
    );
    attempt.catch(() => undefined); // proactive attempts have no caller; failures are events
    this.#attempt = attempt;
    const waiting = this.#nextAttempt;
    this.#nextAttempt = undefined;
    if (waiting) attempt.then(waiting.resolve, waiting.reject);
    return attempt;
  }

  #validate(result: unknown): TokenInfo {
    if (this.disposed) throw disposedError('The token refresher');
    const info = readToken(result, Date.now() + EXPIRY_MARGIN_MS, 'fetcher');
    if (this.#user && info.user.rawId !== this.#user.rawId) {
      throw new SessionError(
        'TOKEN_IDENTITY_CHANGED',
        `The token fetcher returned a token for ${info.user.rawId}, but this session belongs to ${this.#user.rawId}; the token was refused`,
      );
    }
    return info;
  }

  #succeeded(info: TokenInfo, reason: TokenFetchReason): TokenInfo {
    this.#failures = 0;
    this.#accept(info);
    const nextRefreshOn = this.#scheduleProactive(info);
    logger.info(
      `token: refreshed (reason ${reason}) for ${info.user.rawId}, expires ${info.expiresOn.toISOString()}, next refresh ${nextRefreshOn.toISOString()}`,
    );
    this.stream.emit({ type: 'tokenRefreshed', reason, expiresOn: info.expiresOn, nextRefreshOn });
    return info;
  }

  #accept(info: TokenInfo): void {
    this.#current = info;
    this.#currentRejected = false;
    this.#user ??= info.user;
    this.#expiryTimer?.cancel();
    const servedUntil = info.expiresOn.getTime() - EXPIRY_MARGIN_MS;
    this.#expiryTimer = backgroundTimer(() => {
      this.#expiryTimer = undefined;
      if (this.#current !== info) return;
      logger.warning(`token: the token expiring ${info.expiresOn.toISOString()} is no longer served and no new one has arrived`);
      this.stream.emit({ type: 'tokenExpired', expiredOn: info.expiresOn });
    }, servedUntil - Date.now());
  }

  #failed(thrown: unknown, reason: TokenFetchReason): never {
    if (this.disposed) throw disposedError('The token refresher');
    const error = normalizeFetchError(thrown);
    this.#failures++;
    const delay = this.#retryDelay();
    const tokenUsable = this.#usableCurrent() !== undefined;
    this.#schedule(delay, this.#retryReason());
    logger.warning(
      `token: fetch failed (reason ${reason}, attempt ${this.#failures}): ${describeError(error)}; retrying in ${delay} ms; token usable: ${tokenUsable}`,
    );
    this.stream.emit({ type: 'tokenRefreshFailed', reason, attempt: this.#failures, nextRetryInMs: delay, tokenUsable, error });
    throw error;
  }

  /** What the next attempt is for, as the fetcher is told. */
  #retryReason(): TokenFetchReason {
    if (!this.#current) return 'initial';
    if (this.#usableCurrent()) return 'proactive';
    return this.#currentRejected ? 'rejected' : 'expired';
  }

  /**
   * Backoff, but while a token is still being served the next try comes before it runs out: at
   * most half its remaining life, and never less than the first retry delay unless even that
   * would land past the end.
   */
  #retryDelay(): number {
    const delay = backoffDelay(this.#failures, this.#retry);
    const usable = this.#usableCurrent();
    if (!usable) return delay;
    const left = usable.expiresOn.getTime() - EXPIRY_MARGIN_MS - Date.now();
    const cap = Math.max(Math.floor(left / 2), Math.min(this.#retry.initialDelayMs, left));
    return Math.max(0, Math.min(delay, cap));
  }

  /**
   * The lead before expiry (halfway for tokens shorter than twice the lead), but never later than
   * leaves room for one retry before the token stops being served {@link EXPIRY_MARGIN_MS} before
   * its expiry: that matters for short tokens (a 10-second token is served for 5 s) and short leads.
   */
  #scheduleProactive(info: TokenInfo): Date {
    const now = Date.now();
    const expires = info.expiresOn.getTime();
    const lifetime = expires - now;
    const servedUntil = expires - EXPIRY_MARGIN_MS;
    const lead = lifetime >= 2 * this.#leadMs ? this.#leadMs : lifetime / 2;
    const retryRoom = Math.min(2 * this.#retry.initialDelayMs, (servedUntil - now) / 2);
    const refreshAt = Math.max(now, Math.min(expires - lead, servedUntil - retryRoom));
    this.#schedule(refreshAt - now, 'proactive');
    return new Date(refreshAt);
  }

  #schedule(delayMs: number, reason: TokenFetchReason): void {
    this.#clearSchedule();
    this.#scheduled = backgroundTimer(
      () => {
        this.#scheduled = undefined;
        // A retry's reason is decided when it runs: the token may have expired while it waited. No
        // caller awaits this attempt here: it catches its own failure and reports it as an event.
        if (!this.disposed && !this.#attempt) void this.#startAttempt(this.#failures > 0 ? this.#retryReason() : reason);
      },
      delayMs,
      this.#waiters > 0,
    );
  }

  #clearSchedule(): void {
    this.#scheduled?.cancel();
    this.#scheduled = undefined;
  }
}

function normalizeFetchError(thrown: unknown): SessionError {
  if (isSessionError(thrown)) return thrown;
  const detail = thrown instanceof Error ? thrown.message : String(thrown);
  return new SessionError('TOKEN_FETCH_FAILED', `The token fetcher failed: ${detail}`, { retryable: true, cause: thrown });
}

/**
 * The Azure clients' bearer policy caches the token it is given until 2 minutes before expiry, so
 * a token this refresher replaced early (a forced refresh after a 401, a revocation) would stay in
 * use for up to a day. `refreshAfterTimestamp` in the past makes that policy ask again in the
 * background on every request; answering from the cache is cheap, and the client follows the
 * shared refresher within one request.
 */
function toAccessToken(info: TokenInfo): AccessToken {
  return { token: info.token, expiresOnTimestamp: info.expiresOn.getTime(), refreshAfterTimestamp: Date.now() - 1 };
}
