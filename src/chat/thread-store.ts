import { SessionError, isSessionError } from '../errors.js';
import type { Unsubscribe } from '../events/types.js';
import { backgroundTimer, type BackgroundTimer } from '../internal/timers.js';
import type { ChatEvent } from './events.js';
import type { ChatMessage, ChatParticipant, ChatReadReceipt, ChatThreadProperties, ChatThreadState } from './types.js';

/** What the store reads through (the thread's own methods). @internal */
export interface ThreadStoreSource {
  messages(): AsyncIterable<ChatMessage>;
  participants: { list(): AsyncIterable<ChatParticipant> };
  readReceipts(): Promise<ChatReadReceipt[]>;
  properties(): Promise<ChatThreadProperties>;
}

/**
 * How long a typist stays in `typing` after their last notification. Clients send one at most every
 * 8 s while someone types (the chat client throttles to that), so a typist who stopped drops out one
 * interval after the last one.
 */
export const TYPING_TIMEOUT_MS = 8_000;

const EMPTY: ChatThreadState = Object.freeze({
  status: 'idle',
  messages: Object.freeze([]),
  hasOlder: false,
  participants: Object.freeze([]),
  readReceipts: Object.freeze([]),
  typing: Object.freeze([]),
  properties: undefined,
  error: undefined,
});

/**
 * The live thread store behind `thread.subscribe` / `thread.getSnapshot`: loads a window of the
 * latest messages, participants, receipts and properties on the first subscription, then follows the
 * session's chat events for the thread.
 * @internal
 */
export class ThreadStore {
  #state: ChatThreadState = EMPTY;
  readonly #subscribers = new Set<() => void>();
  readonly #source: ThreadStoreSource;
  readonly #windowSize: number;
  readonly #onError: (error: SessionError) => void;
  /** How many messages the window holds: the window size plus what `loadOlder()` added. */
  #limit: number;
  /** The listing the window was loaded from; `loadOlder()` continues it. */
  #cursor: AsyncIterator<ChatMessage> | undefined;
  #peeked: IteratorResult<ChatMessage> | undefined;
  /** Messages read from the listing that are older than the window reaches yet (see #contiguous). */
  #held: ChatMessage[] = [];
  #loading: Promise<void> | undefined;
  /** The timer that clears each typist, by raw id. */
  readonly #typingTimers = new Map<string, BackgroundTimer>();

  constructor(source: ThreadStoreSource, windowSize: number, onError: (error: SessionError) => void) {
    this.#source = source;
    this.#windowSize = windowSize;
    this.#limit = windowSize;
    this.#onError = onError;
  }

  getSnapshot = (): ChatThreadState => this.#state;

  subscribe = (onChange: () => void): Unsubscribe => {
    if (typeof onChange !== 'function') throw new SessionError('INVALID_ARGUMENT', 'subscribe() needs a callback function');
    const entry = () => onChange();
    this.#subscribers.add(entry);
    if (this.#state.status === 'idle') void this.load();
    return () => {
      this.#subscribers.delete(entry);
    };
  };

  /** Loads the window (once; concurrent callers share it). Resolves when loaded or failed. */
  load(): Promise<void> {
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  /** Fetches up to `count` older messages into the window; resolves whether there may be more. */
  async loadOlder(count = 50): Promise<boolean> {
    if (!Number.isInteger(count) || count < 1) throw new SessionError('INVALID_ARGUMENT', `count must be a positive integer, got ${String(count)}`);
    if (this.#state.status !== 'ready') await this.load();
    this.#limit = Math.max(this.#limit, this.#state.messages.length) + count;
    const { older, more } = await this.#take(count);
    this.#update({ messages: mergeMessages(this.#state.messages, this.#contiguous(older, more), this.#limit), hasOlder: more || this.#held.length > 0 });
    return more;
  }

  /** A message seen by the live source (new, edited or deleted; system messages included). */
  applyMessage(message: ChatMessage): void {
    if (this.#state.status === 'idle') return;
    const before = this.#state.messages;
    const oldest = before[0];
    // An edit of a message older than the window belongs to the part not loaded.
    if (this.#state.hasOlder && oldest && message.sequenceId < oldest.sequenceId) return;
    const messages = mergeMessages(before, [message], this.#limit);
    if (messages === before) return;
    // The oldest message fell out of the window: there is something older to load again.
    const trimmed = before.length > 0 && !messages.includes(before[0] as ChatMessage) && messages[0] !== message;
    this.#update({ messages, hasOlder: this.#state.hasOlder || trimmed });
  }

  /** A chat event for this thread. */
  applyEvent(event: ChatEvent): void {
    if (this.#state.status === 'idle') return;
    const state = this.#state;
    switch (event.type) {
      case 'messageReceived':
        // Their message is what they were typing.
        if (event.message.sender) this.#stopTyping(event.message.sender.rawId);
        this.applyMessage(event.message);
        return;
      case 'messageEdited':
      case 'messageDeleted':
        this.applyMessage(event.message);
        return;
      case 'readReceiptReceived': {
        const rawId = event.receipt.sender.rawId;
        const others = state.readReceipts.filter((r) => r.sender.rawId !== rawId);
        this.#update({ readReceipts: Object.freeze([...others, event.receipt]) });
        return;
      }
      case 'participantsAdded': {
        const added = new Set(event.participants.map((p) => p.id.rawId));
        this.#update({ participants: Object.freeze([...state.participants.filter((p) => !added.has(p.id.rawId)), ...event.participants]) });
        return;
      }
      case 'participantsRemoved': {
        const removed = new Set(event.participants.map((p) => p.id.rawId));
        this.#update({ participants: Object.freeze(state.participants.filter((p) => !removed.has(p.id.rawId))) });
        return;
      }
      case 'threadUpdated':
        if (state.properties && event.topic !== undefined) this.#update({ properties: Object.freeze({ ...state.properties, topic: event.topic }) });
        return;
      case 'typingReceived': {
        const rawId = event.sender.rawId;
        this.#typingTimers.get(rawId)?.cancel();
        this.#typingTimers.set(
          rawId,
          backgroundTimer(() => this.#stopTyping(rawId), TYPING_TIMEOUT_MS),
        );
        if (!state.typing.some((t) => t.rawId === rawId)) this.#update({ typing: Object.freeze([...state.typing, event.sender]) });
        return;
      }
      default:
        return;
    }
  }

  /** Drops every subscriber (dispose). */
  clear(): void {
    this.#subscribers.clear();
    for (const timer of this.#typingTimers.values()) timer.cancel();
    this.#typingTimers.clear();
    void this.#cursor?.return?.();
    this.#cursor = undefined;
  }

  #stopTyping(rawId: string): void {
    this.#typingTimers.get(rawId)?.cancel();
    this.#typingTimers.delete(rawId);
    const typing = this.#state.typing;
    if (typing.some((t) => t.rawId === rawId)) this.#update({ typing: Object.freeze(typing.filter((t) => t.rawId !== rawId)) });
  }

  async #load(): Promise<void> {
    this.#update({ status: 'loading', error: undefined });
    try {
      this.#cursor = this.#source.messages()[Symbol.asyncIterator]();
      const [{ older, more }, participants, readReceipts, properties] = await Promise.all([
        this.#take(this.#windowSize),
        collect(this.#source.participants.list()),
        this.#source.readReceipts(),
        this.#source.properties(),
      ]);
      this.#update({
        status: 'ready',
        // Events that arrived while loading are already in the window; merge keeps the newest version.
        messages: mergeMessages(this.#state.messages, this.#contiguous(older, more), this.#limit),
        hasOlder: more || this.#held.length > 0,
        participants: Object.freeze(participants),
        readReceipts: Object.freeze(latestPerReader(readReceipts)),
        properties: Object.freeze(properties),
      });
    } catch (error) {
      const failure = isSessionError(error) ? error : new SessionError('SERVICE_ERROR', 'Loading the chat thread failed', { cause: error });
      this.#update({ status: 'error', error: failure });
      if (!isSessionError(failure, 'DISPOSED')) this.#onError(failure);
    }
  }

  /**
   * The listing is ordered by last change, so a page can hold an old message edited lately, far
   * older than the rest: shown now it would sit above a gap. Such messages are held back until the
   * window reaches back to them (or the listing ends), so the window is always one unbroken stretch.
   */
  #contiguous(page: ChatMessage[], more: boolean): ChatMessage[] {
    const candidates = [...this.#held, ...page];
    if (!more) {
      this.#held = [];
      return candidates;
    }
    // Unchanged messages come in creation order: the oldest of them is where the listing has got to.
    let floor = Infinity;
    for (const m of page) if (!m.editedOn && !m.deletedOn) floor = Math.min(floor, m.sequenceId);
    if (floor === Infinity) {
      // Nothing to tell where the listing is: show what there is rather than hold it all back.
      this.#held = [];
      return candidates;
    }
    this.#held = candidates.filter((m) => m.sequenceId < floor);
    return candidates.filter((m) => m.sequenceId >= floor);
  }

  /** Up to `count` more messages from the listing (newest first), and whether there are more. */
  async #take(count: number): Promise<{ older: ChatMessage[]; more: boolean }> {
    const older: ChatMessage[] = [];
    // One message read ahead, so `more` is known rather than guessed.
    for (;;) {
      const next = this.#peeked ?? (await this.#cursor?.next());
      this.#peeked = undefined;
      if (!next || next.done) {
        this.#cursor = undefined;
        return { older, more: false };
      }
      if (older.length === count) {
        this.#peeked = next;
        return { older, more: true };
      }
      older.push(next.value);
    }
  }

  #update(changes: Partial<ChatThreadState>): void {
    const current = this.#state;
    const keys = Object.keys(changes) as (keyof ChatThreadState)[];
    if (!keys.some((key) => !Object.is(current[key], changes[key]))) return;
    this.#state = Object.freeze({ ...current, ...changes });
    for (const notify of [...this.#subscribers]) {
      try {
        notify();
      } catch (error) {
        this.#onError(new SessionError('LISTENER_FAILED', 'A thread store subscriber threw', { cause: error }));
      }
    }
  }
}

/**
 * The window with `incoming` merged in, oldest first by `sequenceId`, each id once (the higher
 * `version` wins), trimmed to the newest `limit`. Returns `window` itself when nothing changed, and
 * keeps every unchanged message object.
 */
function mergeMessages(window: readonly ChatMessage[], incoming: readonly ChatMessage[], limit: number): readonly ChatMessage[] {
  let next: ChatMessage[] | undefined;
  for (const message of incoming) {
    const list = next ?? window;
    const index = list.findIndex((m) => m.id === message.id);
    if (index >= 0) {
      const existing = list[index] as ChatMessage;
      if (Number(existing.version) >= Number(message.version)) continue;
      next ??= [...window];
      next[index] = message;
      continue;
    }
    next ??= [...window];
    // Usually the newest: search from the end.
    let at = next.length;
    while (at > 0 && (next[at - 1] as ChatMessage).sequenceId > message.sequenceId) at--;
    next.splice(at, 0, message);
  }
  if (!next) return window;
  if (next.length > limit) next.splice(0, next.length - limit);
  return Object.freeze(next);
}

function latestPerReader(receipts: readonly ChatReadReceipt[]): ChatReadReceipt[] {
  const byReader = new Map<string, ChatReadReceipt>();
  for (const receipt of receipts) {
    const known = byReader.get(receipt.sender.rawId);
    if (!known || known.readOn < receipt.readOn) byReader.set(receipt.sender.rawId, receipt);
  }
  return [...byReader.values()];
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
