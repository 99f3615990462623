import { AcsHttpError, httpErrors } from '../errors.js';
import type { Router } from '../router.js';
import { CHAT_API_VERSIONS, type EmulatorServices } from '../services.js';
import { asObject, parseJsonBody } from '../validate.js';
import { type ChatCaller, participantContext } from './access.js';
import { nextMessage } from './append.js';
import { offsetPage } from './paging.js';
import { MAX_PARTICIPANTS, parseParticipants } from './participantInput.js';
import { parseIdentifierModel, participantWire } from './wire.js';

/**
 * Registers the participant operations: list (`skip` paging), add (`invalidParticipants` for
 * unknown identities; 250-member limit) and remove, each change recorded as a system message.
 */
export function registerParticipantRoutes(router: Router, services: EmulatorServices): void {
  const options = { apiVersions: CHAT_API_VERSIONS };

  router.add(
    'GET',
    '/chat/threads/{threadId}/participants',
    (ctx, { threadId = '' }) => {
      const { thread } = participantContext(ctx, services, threadId);
      const all = [...thread.participants.values()];
      return { status: 200, body: offsetPage(ctx, all, ['chat', 'threads', threadId, 'participants'], 100, 250, participantWire) };
    },
    options,
  );

  router.add(
    'POST',
    '/chat/threads/{threadId}/participants/:add',
    (ctx, { threadId = '' }) => {
      const { caller, thread } = participantContext(ctx, services, threadId, requireMembershipScope);
      const body = asObject(parseJsonBody(ctx.body), 'body');
      if (!Array.isArray(body['participants'])) throw httpErrors.badRequest('participants is required.', 'participants');
      const { valid, invalid } = parseParticipants(body['participants'], services);
      const added = valid.filter((p) => !thread.participants.has(p.rawId));
      if (thread.participants.size + added.length > MAX_PARTICIPANTS) {
        throw httpErrors.badRequest(`A thread can have at most ${MAX_PARTICIPANTS} participants.`, 'participants');
      }
      // Re-adding an existing member updates its display name and metadata without a system message.
      const last = thread.messages[thread.messages.length - 1];
      // One commit: a failure must not leave members added without their system message.
      services.state.commitAll([
        ...valid.map((participant) => ({ t: 'participant' as const, threadId, participant })),
        ...(added.length > 0
          ? [
              {
                t: 'message' as const,
                threadId,
                message: nextMessage(services, last, { type: 'participantAdded', content: { participants: added, initiator: caller.rawId } }, ctx.now),
              },
            ]
          : []),
      ]);
      return { status: 201, body: invalid.length > 0 ? { invalidParticipants: invalid } : {} };
    },
    options,
  );

  router.add(
    'POST',
    '/chat/threads/{threadId}/participants/:remove',
    (ctx, { threadId = '' }) => {
      const { caller, thread } = participantContext(ctx, services, threadId);
      const rawId = parseIdentifierModel(parseJsonBody(ctx.body), 'body');
      // Leaving is always allowed; removing someone else needs more than chat.join.limited.
      if (rawId !== caller.rawId) requireMembershipScope(caller);
      const participant = thread.participants.get(rawId);
      if (!participant) return { status: 204 };
      const last = thread.messages[thread.messages.length - 1];
      services.state.commitAll([
        { t: 'participantRemoved', threadId, rawId },
        {
          t: 'message',
          threadId,
          message: nextMessage(services, last, { type: 'participantRemoved', content: { participants: [participant], initiator: caller.rawId } }, ctx.now),
        },
      ]);
      return { status: 204 };
    },
    options,
  );
}

function requireMembershipScope(caller: ChatCaller): void {
  if (!caller.scopes.has('chat') && !caller.scopes.has('chat.join')) {
    throw new AcsHttpError(403, 'Forbidden', 'This token cannot change the participants of a thread.');
  }
}
