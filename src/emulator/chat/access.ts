import { AcsHttpError, httpErrors } from '../errors.js';
import type { RequestContext } from '../router.js';
import type { EmulatorServices } from '../services.js';
import type { ThreadState } from '../store/state.js';

/** The authenticated caller of a chat request. */
export interface ChatCaller {
  /** Raw id, `8:acs:<resourceId>_<uuid>`. */
  rawId: string;
  scopes: ReadonlySet<string>;
}

/** Scopes that grant chat access at all. */
const CHAT_SCOPES = ['chat', 'chat.join', 'chat.join.limited'];

/**
 * Authenticates a chat request from its `Authorization: Bearer <token>`: signature, resource,
 * expiry (emulator clock), identity still existing, not revoked → else 401; no chat scope → 403.
 */
export function authenticateChat(ctx: RequestContext, services: EmulatorServices): ChatCaller {
  const header = ctx.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  if (!match?.[1]) throw httpErrors.unauthorized('The request has no bearer token.');
  return verifyChatToken(match[1], services, ctx.now);
}

/** A verified chat token's caller, with the times a long-lived connection re-checks it by. */
export interface ChatTokenHolder extends ChatCaller {
  /** Issued-at and expiry, epoch seconds. */
  iat: number;
  exp: number;
}

/**
 * Verifies a chat access token (however it arrived: bearer header, `X-Skypetoken`): signature,
 * resource, expiry, identity, revocation → else 401; no chat scope → 403.
 */
export function verifyChatToken(token: string, services: EmulatorServices, now: number): ChatTokenHolder {
  const claims = services.jwt.verify(token);
  if (!claims || claims.resourceId !== services.keys.resourceId) throw httpErrors.unauthorized('The token is invalid.');
  const holder = { rawId: `8:${claims.skypeid}`, scopes: new Set(claims.acsScope.split(',').map((s) => s.trim())), iat: claims.iat, exp: claims.exp };
  const invalid = tokenProblem(holder, services, now);
  if (invalid) throw httpErrors.unauthorized(invalid);
  if (!CHAT_SCOPES.some((s) => holder.scopes.has(s))) {
    throw new AcsHttpError(403, 'Forbidden', 'The token does not grant the chat scope.');
  }
  return holder;
}

/**
 * Why a once-valid token is no longer valid at `now` (expired on the emulator clock, identity
 * deleted, revoked after it was issued), or `undefined` while it still is.
 */
export function tokenProblem(holder: Pick<ChatTokenHolder, 'rawId' | 'iat' | 'exp'>, services: EmulatorServices, now: number): string | undefined {
  if (holder.exp * 1000 <= now) return 'The token has expired.';
  const user = services.state.users.get(holder.rawId);
  if (!user || user.deleted) return 'The identity of the token does not exist.';
  if (user.revokedAt !== undefined && holder.iat * 1000 <= user.revokedAt) return 'The token has been revoked.';
  return undefined;
}

/**
 * Throws 403 unless the caller's token has the full `chat` scope (thread create/update/delete
 * are not allowed with `chat.join`).
 */
export function requireFullChatScope(caller: ChatCaller): void {
  if (!caller.scopes.has('chat')) throw new AcsHttpError(403, 'Forbidden', 'This operation requires the chat scope.');
}

/**
 * The thread, when it exists and the caller is a participant: 404 for a missing or deleted
 * thread, 403 for a non-participant.
 */
export function threadForCaller(services: EmulatorServices, caller: ChatCaller, threadId: string): ThreadState {
  const thread = services.state.threads.get(threadId);
  if (!thread || thread.record.deletedOn !== undefined) throw httpErrors.notFound('The chat thread does not exist.');
  if (!thread.participants.has(caller.rawId)) throw httpErrors.forbidden();
  return thread;
}

/** The authenticated caller and the thread they are a participant of. */
export interface ParticipantContext {
  caller: ChatCaller;
  thread: ThreadState;
}

/**
 * What nearly every thread-scoped chat operation starts with: authenticate the bearer token
 * (401/403), run the operation's own scope check, if any, then load the thread for a participant
 * (404/403) — in that order, so a token that lacks the scope gets 403 before the thread is looked up.
 */
export function participantContext(
  ctx: RequestContext,
  services: EmulatorServices,
  threadId: string,
  requireScope?: (caller: ChatCaller) => void,
): ParticipantContext {
  const caller = authenticateChat(ctx, services);
  requireScope?.(caller);
  return { caller, thread: threadForCaller(services, caller, threadId) };
}
