import type { ChatMessage as AcsChatMessage } from '@azure/communication-chat';
import { SessionError, abortedError, disposedError } from '../errors.js';
import { fromAcsIdentifier } from '../identifiers/identifier.js';
import { describeError, logger } from '../internal/logger.js';
import { sleep } from '../internal/sleep.js';
import type { ChatContext } from './context.js';
import type { ChatThreadClientPort } from './ports.js';
import { SEND_ID_KEY, sendIdOf, toChatMessage } from './normalize.js';
import { linkSignals, runRequest } from './request.js';
import type { ChatMessage, SendMessageOptions } from './types.js';
import { optionalMetadata, optionsObject, requireString } from './validate.js';

/** Attempts at posting one message (the first and three retries). */
const MAX_ATTEMPTS = 4;
/** How far back the look-up for an ambiguous send reaches, to allow for clock skew with ACS. */
const LOOKBACK_MS = 5 * 60_000;
/** How many recent messages the look-up reads at most. */
const LOOKUP_LIMIT = 200;
const RETRY_DELAYS_MS = [200, 800, 2_000];

/**
 * Sends a chat message so that a retry never posts it twice.
 *
 * The REST API has no idempotency for `POST …/messages` (only create-thread takes a
 * `repeatability-request-id`), and the Azure pipeline's default retry policy re-sends any request,
 * POST included, after a 5xx/408 or a connection error — also when the service had stored the
 * message and only the response was lost. So:
 * - the message carries a random key in its metadata (`acsSessionSendId`, hidden from the API's
 *   messages), or the caller's `idempotencyKey`;
 * - it is posted through a client whose pipeline does not retry;
 * - after an ambiguous failure (no response, 408, 5xx) the thread's recent messages are searched for
 *   the key before posting again; a message found is returned as the result;
 * - unambiguous refusals (429 with its `Retry-After`, 401 after a token refresh) are retried as they are;
 * - with `idempotencyKey`, the search also runs before the first post, so an app that retries
 *   `send()` itself (after a crash or a reload) never duplicates either.
 * @internal
 */
export async function sendChatMessage(
  context: ChatContext,
  threadId: string,
  content: unknown,
  rawOptions: SendMessageOptions | undefined,
): Promise<ChatMessage> {
  const text = requireString(content, 'content', false);
  const options = optionsObject(rawOptions, 'send options');
  const type = options.type ?? 'text';
  if (type !== 'text' && type !== 'html') throw new SessionError('INVALID_ARGUMENT', `type must be 'text' or 'html', got ${String(type)}`);
  const metadata = optionalMetadata(options.metadata) ?? {};
  const senderDisplayName = options.senderDisplayName ?? context.displayName;
  if (senderDisplayName !== undefined && typeof senderDisplayName !== 'string') {
    throw new SessionError('INVALID_ARGUMENT', 'senderDisplayName must be a string');
  }
  const { idempotencyKey } = options;
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || idempotencyKey === '')) {
    throw new SessionError('INVALID_ARGUMENT', 'idempotencyKey must be a non-empty string');
  }
  const { signal } = options;
  const sendId = idempotencyKey ?? globalThis.crypto.randomUUID();
  const startedAt = Date.now();
  const { client, sendClient } = await context.clients();
  const lookup = () => findSent(context, threadId, sendId, startedAt, signal, client.getChatThreadClient(threadId));

  if (idempotencyKey !== undefined) {
    const existing = await lookup();
    if (existing) return existing;
  }
  const thread = sendClient.getChatThreadClient(threadId);
  for (let attempt = 1; ; attempt++) {
    try {
      const { id } = await runRequest(context, { operation: 'Sending a chat message', signal }, (abortSignal) =>
        thread.sendMessage(
          { content: text },
          {
            type,
            metadata: { ...metadata, [SEND_ID_KEY]: sendId },
            ...(senderDisplayName !== undefined && { senderDisplayName }),
            abortSignal,
          },
        ),
      );
      return await runRequest(context, { operation: 'Reading the sent chat message', notFound: 'message', signal }, async (abortSignal) =>
        toChatMessage(await client.getChatThreadClient(threadId).getMessage(id, { abortSignal }), threadId, context.self.rawId),
      );
    } catch (error) {
      if (!(error instanceof SessionError) || !error.retryable || attempt >= MAX_ATTEMPTS) throw error;
      logger.info(
        `chat: send attempt ${attempt} failed (${describeError(error)}); ${isAmbiguous(error) ? 'looking for the message before retrying' : 'retrying'}`,
      );
      if (isAmbiguous(error)) {
        // The service may have stored it; only post again once we know it did not.
        const landed = await lookup().catch(() => {
          throw error;
        });
        if (landed) return landed;
      }
      const wait = error.retryAfterMs ?? RETRY_DELAYS_MS[attempt - 1] ?? 2_000;
      const linked = linkSignals(context.signal, signal);
      const slept = await sleep(wait, linked.signal).finally(linked.release);
      if (!slept) throw context.signal.aborted ? disposedError('The session') : abortedError(signal ?? {});
    }
  }
}

/** No response, a timeout or a server error: the request may or may not have been carried out. */
function isAmbiguous(error: SessionError): boolean {
  return error.status === undefined || error.status === 408 || error.status >= 500;
}

async function findSent(
  context: ChatContext,
  threadId: string,
  sendId: string,
  startedAt: number,
  signal: AbortSignal | undefined,
  thread: Pick<ChatThreadClientPort, 'listMessages'>,
): Promise<ChatMessage | undefined> {
  const found = await runRequest(context, { operation: 'Looking for a sent chat message', signal }, async (abortSignal) => {
    let read = 0;
    for await (const message of thread.listMessages({ startTime: new Date(startedAt - LOOKBACK_MS), maxPageSize: 50, abortSignal })) {
      if (sendIdOf(message) === sendId && message.sender && fromAcsIdentifier(message.sender).rawId === context.self.rawId) return message;
      if (++read >= LOOKUP_LIMIT) break;
    }
    return undefined as AcsChatMessage | undefined;
  });
  return found && toChatMessage(found, threadId, context.self.rawId);
}
