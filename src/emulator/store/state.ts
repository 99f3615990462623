import type { MessageRecord, ParticipantRecord, ReceiptRecord, StoreEntry, ThreadRecord, UserRecord } from './model.js';

/** A thread with everything that hangs off it. */
export interface ThreadState {
  record: ThreadRecord;
  participants: Map<string, ParticipantRecord>;
  /** Ascending by sequenceId. */
  messages: MessageRecord[];
  messagesById: Map<string, MessageRecord>;
  receipts: Map<string, ReceiptRecord>;
  /**
   * Everyone who is or ever was a participant. The service keeps listing a thread to a removed
   * participant (Azure/Communication#345), so list-threads reads this, not `participants`. Rebuilt on
   * replay from the participant entries and the participantAdded/participantRemoved system messages,
   * which name every member a thread ever had, so it needs no journal entry of its own.
   */
  members: Set<string>;
}

/**
 * One committed change as its subscribers see it: the entries, which threads it created (a `thread`
 * entry alone cannot say whether it is new) and who made it, when the route knows.
 */
export interface CommittedChange {
  entries: readonly StoreEntry[];
  createdThreads: ReadonlySet<string>;
  /** Who made the change and when, when the entries do not say it themselves (thread update/delete). */
  origin?: ChangeOrigin;
}

/** The caller (raw id) and emulator time of a change. */
export interface ChangeOrigin {
  actor: string;
  at: number;
}

/** Receives every applied change, all its entries at once; the journal implements it. */
export interface EntrySink {
  appendAll(entries: readonly StoreEntry[]): void;
}

/**
 * The emulator's whole state, changed only through {@link EmulatorState.commit}: the entry is
 * written to the sink (the journal, when there is a data dir) first and applied second, so what
 * a client was told succeeded is what a restart replays.
 *
 * @example
 * ```ts
 * const state = new EmulatorState();
 * state.commit({ t: 'user', user: { id: '8:acs:r_u', createdOn: Date.now() } });
 * state.users.get('8:acs:r_u');
 * ```
 */
export class EmulatorState {
  readonly users = new Map<string, UserRecord>();
  /** `customId` → identity raw id: the same customId always names the same identity. */
  readonly usersByCustomId = new Map<string, string>();
  readonly threads = new Map<string, ThreadState>();
  /** `<creator raw id>|<repeatability-request-id>` → thread id. */
  readonly repeatability = new Map<string, string>();
  #sink: EntrySink | undefined;
  readonly #subscribers = new Set<(change: CommittedChange) => void>();

  /** Routes future commits through `sink` (set after the journal is replayed). */
  attach(sink: EntrySink): void {
    this.#sink = sink;
  }

  /**
   * Calls `listener` after every commit (not on journal replay), in commit order. A throwing
   * listener is isolated: the commit has happened and the other listeners still run.
   * Returns the unsubscribe function.
   */
  subscribe(listener: (change: CommittedChange) => void): () => void {
    this.#subscribers.add(listener);
    return () => this.#subscribers.delete(listener);
  }

  /** Persists then applies one change. */
  commit(entry: StoreEntry, origin?: ChangeOrigin): void {
    this.commitAll([entry], origin);
  }

  /**
   * Persists then applies a change made of several entries (a thread with its participants and
   * system messages) as a whole: one journal write, so a failure leaves none of it, rather than
   * a half-created thread that the client's retry would duplicate.
   */
  commitAll(entries: readonly StoreEntry[], origin?: ChangeOrigin): void {
    this.#sink?.appendAll(entries);
    const createdThreads = new Set<string>();
    for (const entry of entries) {
      if (entry.t === 'thread' && !this.threads.has(entry.thread.id)) createdThreads.add(entry.thread.id);
      this.apply(entry);
    }
    if (this.#subscribers.size === 0) return;
    const change: CommittedChange = { entries, createdThreads, ...(origin !== undefined && { origin }) };
    for (const listener of [...this.#subscribers]) {
      try {
        listener(change);
      } catch {
        // A consumer's bug must not turn a committed change into a failed request.
      }
    }
  }

  /** Applies one change in memory only (journal replay). Unknown threads are ignored. */
  apply(entry: StoreEntry): void {
    switch (entry.t) {
      case 'user':
        this.users.set(entry.user.id, entry.user);
        if (entry.user.customId !== undefined) this.usersByCustomId.set(entry.user.customId, entry.user.id);
        return;
      case 'thread': {
        const existing = this.threads.get(entry.thread.id);
        if (existing) existing.record = entry.thread;
        else
          this.threads.set(entry.thread.id, {
            record: entry.thread,
            participants: new Map(),
            messages: [],
            messagesById: new Map(),
            receipts: new Map(),
            members: new Set(),
          });
        return;
      }
      case 'participant': {
        const thread = this.threads.get(entry.threadId);
        thread?.participants.set(entry.participant.rawId, entry.participant);
        thread?.members.add(entry.participant.rawId);
        return;
      }
      case 'participantRemoved':
        this.threads.get(entry.threadId)?.participants.delete(entry.rawId);
        return;
      case 'message': {
        const thread = this.threads.get(entry.threadId);
        if (!thread) return;
        const previous = thread.messagesById.get(entry.message.id);
        thread.messagesById.set(entry.message.id, entry.message);
        if (previous) {
          const index = thread.messages.indexOf(previous);
          if (index >= 0) thread.messages[index] = entry.message;
        } else {
          insertBySequence(thread.messages, entry.message);
          if (movesLastMessageReceivedOn(entry.message) && entry.message.createdOn > thread.record.lastMessageOn) {
            thread.record.lastMessageOn = entry.message.createdOn;
          }
        }
        for (const p of entry.message.content?.participants ?? []) thread.members.add(p.rawId);
        return;
      }
      case 'receipt':
        this.threads.get(entry.threadId)?.receipts.set(entry.receipt.rawId, entry.receipt);
        return;
      case 'repeatability':
        this.repeatability.set(entry.key, entry.threadId);
        return;
    }
  }

  /** Every entry needed to rebuild the current state (journal compaction). */
  *entries(): Generator<StoreEntry> {
    for (const user of this.users.values()) yield { t: 'user', user };
    for (const thread of this.threads.values()) {
      const threadId = thread.record.id;
      yield { t: 'thread', thread: thread.record };
      for (const participant of thread.participants.values()) yield { t: 'participant', threadId, participant };
      for (const message of thread.messages) yield { t: 'message', threadId, message };
      for (const receipt of thread.receipts.values()) yield { t: 'receipt', threadId, receipt };
    }
    for (const [key, threadId] of this.repeatability) yield { t: 'repeatability', key, threadId };
  }
}

/**
 * Whether a new message moves its thread's `lastMessageReceivedOn` (and so makes list-threads
 * with `startTime` report the thread). User messages and participantAdded/topicUpdated do; a
 * participantRemoved did not in the one recording that shows it (docs/emulator.md, "Polling
 * semantics"). Edits, deletes and read receipts never do: they are not new messages.
 */
function movesLastMessageReceivedOn(message: MessageRecord): boolean {
  return message.type !== 'participantRemoved';
}

function insertBySequence(list: MessageRecord[], message: MessageRecord): void {
  // Messages almost always arrive in order; scan back from the end for the rare replay out of order.
  let i = list.length;
  while (i > 0 && (list[i - 1]?.sequenceId ?? 0) > message.sequenceId) i--;
  list.splice(i, 0, message);
}
