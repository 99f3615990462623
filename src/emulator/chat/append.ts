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
  const id = services.ids.message(now);
  const last = thread.messages[thread.messages.length - 1];
  const createdOn = last === undefined ? now : Math.max(now, last.createdOn + 1);
  const record: MessageRecord = { ...message, id, sequenceId: (last?.sequenceId ?? 0) + 1, version: id, createdOn };
  services.state.commit({ t: 'message', threadId: thread.record.id, message: record });
  return record;
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
