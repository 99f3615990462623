import { httpErrors } from '../errors.js';
import type { RequestContext, RouteResult, Router } from '../router.js';
import { CHAT_API_VERSIONS, type EmulatorServices } from '../services.js';
import type { ParticipantRecord, RetentionPolicy, ThreadRecord } from '../store/model.js';
import type { ThreadState } from '../store/state.js';
import { asObject, mergeStringMap, optionalStringMap, parseJsonBody, requiredString, stringsOnly } from '../validate.js';
import { authenticateChat, participantContext, requireFullChatScope, threadForCaller } from './access.js';
import { nextMessage } from './append.js';
import { checkMetadataSize } from './metadataLimit.js';
import { nextLink as buildNextLink, pageSize, startTime } from './paging.js';
import { MAX_PARTICIPANTS, parseParticipants } from './participantInput.js';
import { compareThreads, encodeThreadCursor, isAfter, parseThreadCursor } from './threadCursor.js';
import { threadItemWire, threadWire } from './wire.js';

const TOPIC_MAX = 256;

/**
 * Registers the thread-level chat operations: create (idempotent on `repeatability-request-id`),
 * list, get, update (merge-patch) and delete.
 */
export function registerThreadRoutes(router: Router, services: EmulatorServices): void {
  const options = { apiVersions: CHAT_API_VERSIONS };

  router.add('POST', '/chat/threads', (ctx) => createThread(ctx, services), options);

  router.add(
    'GET',
    '/chat/threads',
    (ctx) => {
      const caller = authenticateChat(ctx, services);
      const since = startTime(ctx.query);
      const size = pageSize(ctx.query, 100, 200);
      const cursor = parseThreadCursor(ctx.query);
      const mine = [...services.state.threads.values()]
        // Former participants too: the service keeps listing a thread to someone removed from it
        // (by design, Azure/Communication#345); every call on it then answers 403.
        .filter((t) => t.members.has(caller.rawId))
        .map((t) => t.record)
        .filter((r) => (since === undefined || r.lastMessageOn >= since) && (cursor === undefined || isAfter(r, cursor)))
        .sort(compareThreads);
      const page = mine.slice(0, size);
      const last = page[page.length - 1];
      const body: { value: unknown[]; nextLink?: string } = { value: page.map(threadItemWire) };
      if (mine.length > size && last) {
        const params: Record<string, string> = { maxPageSize: String(size), continuationToken: encodeThreadCursor(last) };
        const rawSince = ctx.query.get('startTime');
        if (rawSince !== null) params['startTime'] = rawSince;
        body.nextLink = buildNextLink(ctx, ['chat', 'threads'], params);
      }
      return { status: 200, body };
    },
    options,
  );

  router.add(
    'GET',
    '/chat/threads/{threadId}',
    (ctx, { threadId = '' }) => {
      return { status: 200, body: threadWire(participantContext(ctx, services, threadId).thread.record) };
    },
    options,
  );

  router.add(
    'PATCH',
    '/chat/threads/{threadId}',
    (ctx, { threadId = '' }) => {
      const { caller, thread } = participantContext(ctx, services, threadId, requireFullChatScope);
      const body = asObject(parseJsonBody(ctx.body), 'body');
      const record: ThreadRecord = { ...thread.record };
      let topicChanged = false;
      if (body['topic'] !== undefined && body['topic'] !== null) {
        record.topic = requiredString(body['topic'], 'topic', { max: TOPIC_MAX });
        topicChanged = true;
      }
      const metadata = optionalStringMap(body['metadata'], 'metadata', true);
      if (metadata) {
        record.metadata = mergeStringMap(record.metadata, metadata);
        checkMetadataSize(record.metadata, 'metadata');
      }
      if (body['retentionPolicy'] === null) {
        // As the service does (recorded): clearing the policy stores an explicit `none`.
        record.retentionPolicy = { kind: 'none' };
      } else if (body['retentionPolicy'] !== undefined) {
        const policy = parseRetentionPolicy(body['retentionPolicy']);
        if (policy) record.retentionPolicy = policy;
      }
      const last = thread.messages[thread.messages.length - 1];
      services.state.commitAll(
        [
          { t: 'thread', thread: record },
          ...(topicChanged
            ? [
                {
                  t: 'message' as const,
                  threadId,
                  message: nextMessage(services, last, { type: 'topicUpdated', content: { topic: record.topic, initiator: caller.rawId } }, ctx.now),
                },
              ]
            : []),
        ],
        { actor: caller.rawId, at: ctx.now },
      );
      return { status: 204 };
    },
    options,
  );

  router.add(
    'DELETE',
    '/chat/threads/{threadId}',
    (ctx, { threadId = '' }) => {
      const caller = authenticateChat(ctx, services);
      requireFullChatScope(caller);
      const existing = services.state.threads.get(threadId);
      // Deleting twice is fine for a (former) participant: DELETE is idempotent.
      if (existing?.record.deletedOn !== undefined && existing.participants.has(caller.rawId)) return { status: 204 };
      const thread = threadForCaller(services, caller, threadId);
      services.state.commit({ t: 'thread', thread: { ...thread.record, deletedOn: ctx.now } }, { actor: caller.rawId, at: ctx.now });
      return { status: 204 };
    },
    options,
  );
}

function createThread(ctx: RequestContext, services: EmulatorServices): RouteResult {
  const caller = authenticateChat(ctx, services);
  requireFullChatScope(caller);
  const requestId = ctx.headers['repeatability-request-id'];
  const repeatKey = typeof requestId === 'string' && requestId ? `${caller.rawId}|${requestId.slice(0, 256)}` : undefined;
  if (repeatKey) {
    const previous = services.state.repeatability.get(repeatKey);
    const thread = previous === undefined ? undefined : services.state.threads.get(previous);
    if (thread) return created(ctx, thread);
  }

  const body = asObject(parseJsonBody(ctx.body), 'body');
  const topic = requiredString(body['topic'], 'topic', { max: TOPIC_MAX });
  const metadata = optionalStringMap(body['metadata'], 'metadata');
  if (metadata) checkMetadataSize(stringsOnly(metadata), 'metadata');
  const retentionPolicy = parseRetentionPolicy(body['retentionPolicy']);
  const { valid, invalid } = parseParticipants(body['participants'], services);
  const participants = new Map<string, ParticipantRecord>(valid.map((p) => [p.rawId, p]));
  // The creator is always a member, as in the real service.
  if (!participants.has(caller.rawId)) participants.set(caller.rawId, { rawId: caller.rawId });
  if (participants.size > MAX_PARTICIPANTS) {
    throw httpErrors.badRequest(`A thread can have at most ${MAX_PARTICIPANTS} participants.`, 'participants');
  }

  const id = services.ids.thread();
  const record: ThreadRecord = { id, topic, createdOn: ctx.now, createdBy: caller.rawId, lastMessageOn: ctx.now };
  if (metadata) record.metadata = stringsOnly(metadata);
  if (retentionPolicy) record.retentionPolicy = retentionPolicy;
  const added = nextMessage(
    services,
    undefined,
    { type: 'participantAdded', content: { participants: [...participants.values()], initiator: caller.rawId } },
    ctx.now,
  );
  const topicSet = nextMessage(services, added, { type: 'topicUpdated', content: { topic, initiator: caller.rawId } }, ctx.now);
  // All or nothing: a thread stored without its repeatability key would be duplicated by the
  // SDK's retry of a request that failed here.
  services.state.commitAll([
    { t: 'thread', thread: record },
    ...[...participants.values()].map((participant) => ({ t: 'participant' as const, threadId: id, participant })),
    { t: 'message', threadId: id, message: added },
    { t: 'message', threadId: id, message: topicSet },
    ...(repeatKey ? [{ t: 'repeatability' as const, key: repeatKey, threadId: id }] : []),
  ]);
  const thread = services.state.threads.get(id);
  if (!thread) throw new Error('thread vanished after commit');
  return created(ctx, thread, invalid);
}

function created(ctx: RequestContext, thread: ThreadState, invalid: readonly unknown[] = []): RouteResult {
  return {
    status: 201,
    headers: { Location: `${ctx.origin}/chat/threads/${encodeURIComponent(thread.record.id)}` },
    body: { chatThread: threadWire(thread.record), ...(invalid.length > 0 && { invalidParticipants: invalid }) },
  };
}

function parseRetentionPolicy(value: unknown): RetentionPolicy | undefined {
  if (value === undefined || value === null) return undefined;
  const policy = asObject(value, 'retentionPolicy');
  if (policy['kind'] === 'none') return { kind: 'none' };
  if (policy['kind'] === 'threadCreationDate') {
    const days = policy['deleteThreadAfterDays'];
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 90) {
      throw httpErrors.badRequest('retentionPolicy.deleteThreadAfterDays must be an integer between 1 and 90.', 'retentionPolicy');
    }
    return { kind: 'threadCreationDate', deleteThreadAfterDays: days };
  }
  throw httpErrors.badRequest("retentionPolicy.kind must be 'none' or 'threadCreationDate'.", 'retentionPolicy');
}
