import { AcsHttpError, httpErrors } from '../errors.js';
import type { Router } from '../router.js';
import { CHAT_API_VERSIONS, type EmulatorServices } from '../services.js';
import type { MessageRecord } from '../store/model.js';
import type { ThreadState } from '../store/state.js';
import { asObject, mergeStringMap, optionalString, optionalStringMap, parseJsonBody, requiredString, stringsOnly } from '../validate.js';
import { type ChatCaller, participantContext } from './access.js';
import { appendMessage, replaceMessage } from './append.js';
import { encodeMessageCursor, pageMessages, parseMessageCursor } from './messagePaging.js';
import { nextLink, pageSize, startTime } from './paging.js';
import { messageWire } from './wire.js';

/** The service's message size limit ("about 28 KB"), counted over content plus metadata. */
export const MAX_MESSAGE_BYTES = 28 * 1024;

/**
 * Registers the message operations: send, list (most recently changed first, system messages
 * included, snapshot cursor paging; see `messagePaging.ts`), get, update (merge-patch; stamps `editedOn`, bumps `version`) and delete (stamps
 * `deletedOn`, bumps `version`).
 */
export function registerMessageRoutes(router: Router, services: EmulatorServices): void {
  const options = { apiVersions: CHAT_API_VERSIONS };

  router.add(
    'POST',
    '/chat/threads/{threadId}/messages',
    (ctx, { threadId = '' }) => {
      const { caller, thread } = participantContext(ctx, services, threadId);
      const body = asObject(parseJsonBody(ctx.body), 'body');
      const content = requiredString(body['content'], 'content', { allowEmpty: false });
      const senderDisplayName = optionalString(body['senderDisplayName'], 'senderDisplayName', 256);
      const type = body['type'] ?? 'text';
      if (type !== 'text' && type !== 'html') throw httpErrors.badRequest("type must be 'text' or 'html'.", 'type');
      const metadata = optionalStringMap(body['metadata'], 'metadata');
      checkSize(content, metadata);
      const message = appendMessage(
        services,
        thread,
        {
          type,
          content: { message: content },
          sender: caller.rawId,
          ...(senderDisplayName !== undefined && { senderDisplayName }),
          ...(metadata !== undefined && { metadata: stringsOnly(metadata) }),
        },
        ctx.now,
      );
      return {
        status: 201,
        headers: { Location: `${ctx.origin}/chat/threads/${encodeURIComponent(threadId)}/messages/${message.id}` },
        body: { id: message.id },
      };
    },
    options,
  );

  router.add(
    'GET',
    '/chat/threads/{threadId}/messages',
    (ctx, { threadId = '' }) => {
      const { caller, thread } = participantContext(ctx, services, threadId);
      const size = pageSize(ctx.query, 100, 200);
      const hiddenBefore = historyStart(thread, caller);
      const { messages, next } = pageMessages(thread.messages, {
        size,
        since: startTime(ctx.query),
        cursor: parseMessageCursor(ctx.query),
        visible: (m) => hiddenBefore === undefined || m.createdOn >= hiddenBefore,
      });
      const body: { value: unknown[]; nextLink?: string } = { value: messages.map(messageWire) };
      if (next) {
        const params: Record<string, string> = { syncState: encodeMessageCursor(next), maxPageSize: String(size) };
        const rawSince = ctx.query.get('startTime');
        if (rawSince !== null) params['startTime'] = rawSince;
        body.nextLink = nextLink(ctx, ['chat', 'threads', threadId, 'messages'], params);
      }
      return { status: 200, body };
    },
    options,
  );

  router.add(
    'GET',
    '/chat/threads/{threadId}/messages/{messageId}',
    (ctx, { threadId = '', messageId = '' }) => {
      const { caller, thread } = participantContext(ctx, services, threadId);
      const message = findMessage(thread, messageId);
      const hiddenBefore = historyStart(thread, caller);
      if (hiddenBefore !== undefined && message.createdOn < hiddenBefore) throw httpErrors.notFound('The chat message does not exist.');
      return { status: 200, body: messageWire(message) };
    },
    options,
  );

  router.add(
    'PATCH',
    '/chat/threads/{threadId}/messages/{messageId}',
    (ctx, { threadId = '', messageId = '' }) => {
      const { caller, thread } = participantContext(ctx, services, threadId);
      const message = ownMessage(thread, messageId, caller);
      if (message.deletedOn !== undefined) throw httpErrors.notFound('The chat message has been deleted.');
      const body = asObject(parseJsonBody(ctx.body), 'body');
      const content = optionalString(body['content'], 'content');
      const metadataPatch = optionalStringMap(body['metadata'], 'metadata', true);
      const next: MessageRecord = { ...message };
      if (content !== undefined) next.content = { message: content };
      if (metadataPatch) next.metadata = mergeStringMap(message.metadata, metadataPatch);
      checkSize(next.content?.message ?? '', next.metadata);
      replaceMessage(services, thread, message, (at) => ({ ...next, editedOn: at }), ctx.now);
      return { status: 204 };
    },
    options,
  );

  router.add(
    'DELETE',
    '/chat/threads/{threadId}/messages/{messageId}',
    (ctx, { threadId = '', messageId = '' }) => {
      const { caller, thread } = participantContext(ctx, services, threadId);
      const message = ownMessage(thread, messageId, caller);
      if (message.deletedOn !== undefined) return { status: 204 };
      // The content goes: a deleted message keeps only its envelope (the wire shows an empty
      // content, as the service does).
      const { content: _content, metadata: _metadata, ...envelope } = message;
      replaceMessage(services, thread, message, (at) => ({ ...envelope, deletedOn: at }), ctx.now);
      return { status: 204 };
    },
    options,
  );
}

/** The caller's `shareHistoryTime`: messages created before it are not theirs to read. */
function historyStart(thread: ThreadState, caller: ChatCaller): number | undefined {
  return thread.participants.get(caller.rawId)?.shareHistoryTime;
}

function findMessage(thread: ThreadState, messageId: string): MessageRecord {
  const message = thread.messagesById.get(messageId);
  if (!message) throw httpErrors.notFound('The chat message does not exist.');
  return message;
}

function ownMessage(thread: ThreadState, messageId: string, caller: ChatCaller): MessageRecord {
  const message = findMessage(thread, messageId);
  if (message.sender !== caller.rawId) throw new AcsHttpError(403, 'Forbidden', 'Only the sender can change a message.');
  return message;
}

function checkSize(content: string, metadata: Readonly<Record<string, string | null>> | undefined): void {
  const bytes = Buffer.byteLength(content, 'utf8') + (metadata ? Buffer.byteLength(JSON.stringify(metadata), 'utf8') : 0);
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new AcsHttpError(400, 'MessageSizeExceeded', `The message exceeds the ${MAX_MESSAGE_BYTES}-byte limit.`, { target: 'content' });
  }
}
