/**
 * `acs-session/server` — the trusted token service (Node only). It holds the ACS connection string,
 * maps your app's users to stable ACS identities and issues their tokens over HTTP, for
 * `createSession({ token: fetchToken(url) })` in the client. Needs `@azure/communication-identity`
 * installed next to it. See the README's "Token service" section.
 *
 * @packageDocumentation
 */
export { createTokenService } from './token-service.js';
export { createMemoryIdentityStore } from './identity-store.js';
export type { IdentityStore } from './identity-store.js';
export { createFileIdentityStore } from './file-identity-store.js';
export type { FileIdentityStoreOptions } from './file-identity-store.js';
export type { AccessKeyCredential, EntraAccessToken, EntraCredential } from './acs-target.js';
export type { CorsOptions } from './cors.js';
export type { RateLimitOptions } from './rate-limiter.js';
export type { AuthenticateContext, IssuedToken, IssuedTokenUser, TokenService, TokenServiceOptions } from './types.js';
export { SessionError, SessionErrorCodes, isSessionError } from '../errors.js';
export type { SessionErrorCode } from '../errors.js';
