import type { EmulatorServices } from '../services.js';
import type { MessageRecord } from '../store/model.js';
import type { ThreadState } from '../store/state.js';

/** Fields of a new message that the caller chooses. */
export type NewMessage = Omit<MessageRecord, 'id' | 'sequenceId' | 'version' | 'createdOn'>;

/**
 * Appends a message (user or system) with the next sequence id and a fresh id/version, and
 * commits it. `createdOn` is strictly increasing within a thread (at least the previous one +
 * 1 ms), so `startTime` and `shareHistoryTime`, which compare against it, always split a thread's
 * messages exactly where the client expects, even for messages sent in the same millisecond.
 *
 * @example
 * ```ts
 * appendMessage(services, thread, { type: 'topicUpdated', content: { topic, initiator } }, ctx.now);
 * ```
 */
export function appendMessage(services: EmulatorServices, thread: ThreadState, message: NewMessage, now: number): MessageRecord {
  const record = nextMessage(services, thread.messages[thread.messages.length - 1], message, now);
  services.state.commit({ t: 'message', threadId: thread.record.id, message: record });
  return record;
}

/**
 * The record of a message that follows `last` (`undefined`: the thread's first), without
 * committing it: for changes committed together with other entries (`state.commitAll`).
 *
 * @example
 * ```ts
 * const added = nextMessage(services, undefined, { type: 'participantAdded', content }, now);
 * const topic = nextMessage(services, added, { type: 'topicUpdated', content: { topic, initiator } }, now);
 * ```
 */
export function nextMessage(services: EmulatorServices, last: MessageRecord | undefined, message: NewMessage, now: number): MessageRecord {
  const id = services.ids.message(now);
  const createdOn = last === undefined ? now : Math.max(now, last.createdOn + 1);
  return { ...message, id, sequenceId: (last?.sequenceId ?? 0) + 1, version: id, createdOn };
}

/**
 * Commits a changed copy of a message, bumping its version.
 *
 * @example
 * ```ts
 * replaceMessage(services, thread, { ...message, editedOn: now, content: { message: text } }, now);
 * ```
 */
export function replaceMessage(services: EmulatorServices, thread: ThreadState, message: MessageRecord, now: number): MessageRecord {
  const record: MessageRecord = { ...message, version: services.ids.message(now) };
  services.state.commit({ t: 'message', threadId: thread.record.id, message: record });
  return record;
}
