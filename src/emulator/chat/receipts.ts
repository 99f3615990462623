import { httpErrors } from '../errors.js';
import type { Router } from '../router.js';
import { CHAT_API_VERSIONS, type EmulatorServices } from '../services.js';
import { asObject, optionalString, parseJsonBody, requiredString } from '../validate.js';
import { participantContext } from './access.js';
import { offsetPage } from './paging.js';
import { receiptWire } from './wire.js';

/**
 * Registers read receipts (send, list) and typing notifications. A participant's receipt only
 * moves forward: marking an older message read does not move it back.
 */
export function registerReceiptRoutes(router: Router, services: EmulatorServices): void {
  const options = { apiVersions: CHAT_API_VERSIONS };

  router.add(
    'POST',
    '/chat/threads/{threadId}/readReceipts',
    (ctx, { threadId = '' }) => {
      const { caller, thread } = participantContext(ctx, services, threadId);
      const body = asObject(parseJsonBody(ctx.body), 'body');
      const messageId = requiredString(body['chatMessageId'], 'chatMessageId', { max: 64 });
      const message = thread.messagesById.get(messageId);
      if (!message) throw httpErrors.notFound('The chat message does not exist.');
      const current = thread.receipts.get(caller.rawId);
      const currentSequence = current ? (thread.messagesById.get(current.messageId)?.sequenceId ?? 0) : 0;
      if (message.sequenceId >= currentSequence) {
        services.state.commit({ t: 'receipt', threadId, receipt: { rawId: caller.rawId, messageId, readOn: ctx.now } });
      }
      return { status: 200 };
    },
    options,
  );

  router.add(
    'GET',
    '/chat/threads/{threadId}/readReceipts',
    (ctx, { threadId = '' }) => {
      const { thread } = participantContext(ctx, services, threadId);
      const all = [...thread.receipts.values()];
      return { status: 200, body: offsetPage(ctx, all, ['chat', 'threads', threadId, 'readReceipts'], 100, 200, receiptWire) };
    },
    options,
  );

  router.add(
    'POST',
    '/chat/threads/{threadId}/typing',
    (ctx, { threadId = '' }) => {
      const { caller } = participantContext(ctx, services, threadId);
      const parsed = parseJsonBody(ctx.body);
      const senderDisplayName = parsed === undefined ? undefined : optionalString(asObject(parsed, 'body')['senderDisplayName'], 'senderDisplayName', 256);
      services.feed.publish({ kind: 'typing', threadId, sender: caller.rawId, at: ctx.now, ...(senderDisplayName !== undefined && { senderDisplayName }) });
      return { status: 200 };
    },
    options,
  );
}
