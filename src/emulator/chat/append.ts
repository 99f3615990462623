import type { EmulatorServices } from '../services.js';
import type { MessageRecord } from '../store/model.js';
import type { ThreadState } from '../store/state.js';

/** Fields of a new message that the caller chooses. */
export type NewMessage = Omit<MessageRecord, 'id' | 'sequenceId' | 'version' | 'createdOn'>;

/**
 * Appends a message (user or system) with the next sequence id and a fresh id/version, and
 * commits it. The id, the first version and `createdOn` are one millisecond stamp, strictly
 * increasing (ids are unique across the emulator), so `startTime` and `shareHistoryTime`, which
 * compare against it, always split a thread's messages exactly where the client expects, even for
 * messages sent in the same millisecond.
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
  // The id is already past `now` and every earlier id; the max only matters for messages stored
  // by an older emulator, whose createdOn was not tied to the id.
  const createdOn = last === undefined ? Number(id) : Math.max(Number(id), last.createdOn + 1);
  return { ...message, id, sequenceId: (last?.sequenceId ?? 0) + 1, version: id, createdOn };
}

/**
 * Commits a changed copy of a message (an edit or a delete) under a new version. `change` gets
 * the change's time, which is also the new version (a millisecond stamp, as the service's
 * versions are), so `editedOn`/`deletedOn` and the version the listing orders by agree exactly.
 * The old version is kept in `previousVersions` for paging snapshots (see `messagePaging.ts`).
 */
export function replaceMessage(
  services: EmulatorServices,
  thread: ThreadState,
  message: MessageRecord,
  change: (changedOn: number) => MessageRecord,
  now: number,
): MessageRecord {
  const version = services.ids.message(now);
  const record: MessageRecord = { ...change(Number(version)), version, previousVersions: [...(message.previousVersions ?? []), message.version] };
  services.state.commit({ t: 'message', threadId: thread.record.id, message: record });
  return record;
}
