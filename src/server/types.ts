import type { CommunicationIdentityClientOptions, TokenScope } from '@azure/communication-identity';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessKeyCredential, EntraCredential } from './acs-target.js';
import type { CorsOptions } from './cors.js';
import type { IdentityStore } from './identity-store.js';
import type { RateLimitOptions } from './rate-limiter.js';

/**
 * What {@link TokenServiceOptions.authenticate} gets besides the request.
 *
 * @example
 * ```ts
 * const authenticate = (request: Request, { nodeRequest }: AuthenticateContext) => nodeRequest?.user?.id ?? null;
 * ```
 */
export interface AuthenticateContext {
  /** The `node:http` / Express request, when the call came through `nodeHandler` (Express puts `user`, `session`, … on it). */
  readonly nodeRequest?: IncomingMessage & Record<string, unknown>;
}

/**
 * Options of {@link createTokenService}. Give `connectionString`, or `endpoint` with `credential`.
 *
 * @example
 * ```ts
 * const options: TokenServiceOptions = {
 *   connectionString: process.env.ACS_CONNECTION_STRING!,
 *   authenticate: async (request) => (await sessions.verify(request.headers.get('authorization')))?.userId ?? null,
 *   scopes: ['chat'],
 *   tokenLifetimeMinutes: 60,
 *   identityStore: createFileIdentityStore('.data/acs-identities.json'),
 * };
 * ```
 */
export interface TokenServiceOptions {
  /** `endpoint=https://<resource>.communication.azure.com/;accesskey=<key>`. Never sent to clients or logged. */
  connectionString?: string;
  /** The resource endpoint, with {@link TokenServiceOptions.credential} instead of a connection string. */
  endpoint?: string;
  /** An access key credential or a Microsoft Entra credential (e.g. `DefaultAzureCredential`), with `endpoint`. */
  credential?: AccessKeyCredential | EntraCredential;
  /**
   * Who is asking: your app's user id for this request, or `null`/`undefined` to answer 401. Runs
   * for every HTTP request before anything else; it may throw (answered as 500, logged).
   */
  authenticate: (request: Request, context: AuthenticateContext) => Promise<string | null | undefined> | string | null | undefined;
  /** Scopes of the issued tokens. Default `['chat', 'voip']`. */
  scopes?: readonly TokenScope[];
  /** Lifetime of the issued tokens in minutes, a whole number from 60 to 1440. Default 60: the session refreshes on its own. */
  tokenLifetimeMinutes?: number;
  /** Where the app-user → ACS-identity mapping lives. Default: in memory ({@link createMemoryIdentityStore}). */
  identityStore?: IdentityStore;
  /**
   * Map app users to ACS identities with the service's own `customId` (identity api-version
   * 2025-06-30) instead of a store: the same app user id always names the same ACS identity, on
   * every instance, with nothing stored here. Needs a resource (or emulator) that offers
   * 2025-06-30; cannot be combined with `identityStore`. Default false.
   */
  useCustomId?: boolean;
  /** Per-user rate limit of the HTTP handlers (`issue()` is not limited), or `false` to turn it off. Default 10 tokens per user per minute. */
  rateLimit?: RateLimitOptions | false;
  /** CORS for browsers on other origins. Default: none (same-origin only). */
  cors?: CorsOptions;
  /** Passed to `CommunicationIdentityClient` (retry, proxy, `emulatorClientOptions(emu)`, …). */
  identityClientOptions?: CommunicationIdentityClientOptions;
}

/**
 * A token issued for an app user: what {@link TokenService.issue} returns and, with `expiresOn` as
 * an ISO string, what the HTTP handlers answer.
 *
 * @example
 * ```ts
 * const { token, expiresOn, user }: IssuedToken = await tokens.issue('alice');
 * ```
 */
export interface IssuedToken {
  /** The ACS user access token. */
  readonly token: string;
  /** When it expires. */
  readonly expiresOn: Date;
  /** The ACS identity of the app user. */
  readonly user: IssuedTokenUser;
}

/**
 * The ACS identity a token was issued for (a `CommunicationUserIdentifier`).
 *
 * @example
 * ```ts
 * const user: IssuedTokenUser = { communicationUserId: '8:acs:…' };
 * ```
 */
export interface IssuedTokenUser {
  /** The raw id, `8:acs:<resourceId>_<userId>`. */
  readonly communicationUserId: string;
}

/**
 * The trusted token service: gives each signed-in app user a token for their own, stable ACS identity.
 *
 * @example
 * ```ts
 * const tokens: TokenService = createTokenService({ connectionString, authenticate });
 * http.createServer(tokens.nodeHandler).listen(3000);
 * ```
 */
export interface TokenService {
  /**
   * Issues a token for `appUserId`, creating their ACS identity on first use.
   * @throws SessionError `INVALID_ARGUMENT` (empty id), and the codes of ACS failures
   *   (`SERVICE_UNAVAILABLE`, `NETWORK_ERROR`, `UNAUTHORIZED` for a wrong access key, …).
   */
  issue(appUserId: string): Promise<IssuedToken>;
  /**
   * Revokes every token issued for `appUserId` (sign-out everywhere, a locked account); ACS refuses
   * them from then on. Resolves `false` when the user has no ACS identity yet.
   * @throws SessionError `INVALID_ARGUMENT`, and the codes of ACS failures.
   */
  revoke(appUserId: string): Promise<boolean>;
  /** The HTTP endpoint for fetch-style runtimes (Hono, Next.js route handlers, Deno, Bun); never rejects. */
  fetchHandler(request: Request): Promise<Response>;
  /** The HTTP endpoint for `node:http` and Express (`app.post('/api/token', tokens.nodeHandler)`); never throws. */
  nodeHandler(req: IncomingMessage, res: ServerResponse): void;
}
