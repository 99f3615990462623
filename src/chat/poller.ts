import type { ChatMessage as AcsChatMessage, ChatThreadItem } from '@azure/communication-chat';
import { SessionError, isSessionError } from '../errors.js';
import { fromAcsIdentifier } from '../identifiers/identifier.js';
import { describeError, logger } from '../internal/logger.js';
import type { ChatContext } from './context.js';
import { lastChangeOf, toChatMessage, toReadReceipt } from './normalize.js';
import { runRequest, whenAborted } from './request.js';
import type { ChatEvent } from './events.js';
import type { ChatMessage, ChatParticipant, ChatReadReceipt } from './types.js';

/** The polling schedule. @internal */
export interface PollSchedule {
  /** The interval while something is happening. */
  readonly intervalMs: number;
  /** The interval it slows down to while nothing happens (doubling per quiet poll). */
  readonly idleIntervalMs: number;
}

/**
 * The most threads read every round for edits, deletes and receipts: the most recently opened ones.
 * Each costs two requests per round, so an app that opens a handle per list row stays bounded.
 */
export const MAX_WATCHED_THREADS = 20;

/** Versions older than the cursor by more than this are forgotten. */
const PRUNE_MARGIN_MS = 60_000;

/** How far from a thread's creation time its creation's system messages may be stamped. */
const CREATION_WINDOW_MS = 2_000;

/** Messages and threads the poller read before the session started are history, not events; this allows for clock skew. */
const START_SKEW_MS = 2_000;

/**
 * The polling live source. Per round:
 * 1. one `listChatThreads({ startTime })` finds the threads whose last message arrived since the
 *    newest one seen (the service filters and orders threads by `lastMessageReceivedOn`);
 * 2. only those threads, plus the threads the app opened in this session, are read with
 *    `listMessages({ startTime })` from that thread's cursor — the service lists and filters
 *    messages by their last change, so edits and deletes come back too;
 * 3. the opened threads' read receipts are listed.
 * So a quiet round costs 1 + 2 × (opened threads) requests whatever the number of threads, and a
 * busy one adds one request per changed thread. Everything is delivered once: messages by id and
 * version, receipts by reader and message; cursors only move after a thread was read completely, and
 * a thread whose read failed is read again next round.
 * @internal
 */
export class ChatPoller {
  readonly #context: ChatContext;
  readonly #schedule: PollSchedule;
  /** Server-side times before this are history. */
  readonly #cutoff: number;
  #threadsCursor: number;
  #interval: number;
  #running = false;
  /** Thread id → the `lastMessageReceivedOn` already read. */
  readonly #threadSeen = new Map<string, number>();
  /** Threads to read again (their last read failed), with the `lastMessageReceivedOn` to record. */
  readonly #pending = new Map<string, number>();
  /** Threads this session knows it is in (created, opened, or seen): no `threadCreated` for them. */
  readonly #known = new Set<string>();
  /** Thread id → when it was created, for threads whose creation came by push and polling has not read yet. */
  readonly #pushedCreation = new Map<string, number>();
  /** Threads read successfully at least once, or created here: a 403 on them means we were removed. */
  readonly #member = new Set<string>();
  /** Threads the app opened: read every round for edits, deletes and receipts. */
  readonly #watched = new Set<string>();
  readonly #removed = new Set<string>();
  readonly #deleted = new Set<string>();
  readonly #messageCursor = new Map<string, number>();
  /** Thread id → message id → the version seen, when it changed and its sequence id. */
  readonly #versions = new Map<string, Map<string, { version: string; change: number; sequenceId?: number }>>();
  /** Thread id → the highest sequence id seen: pushes carry none, so a pushed message gets the next one. */
  readonly #lastSequence = new Map<string, number>();
  /** System events a push delivered (`<kind>\n<thread>\n<time ms>`), so polling does not repeat them. */
  readonly #systemSeen = new Set<string>();
  readonly #receipts = new Map<string, Set<string>>();
  /** Which run of the loop is current: `stop()` and `start()` move it on, and older loops end. */
  #generation = 0;
  /** The round in flight (settled), so that a restarted loop never polls alongside it. */
  #round: Promise<unknown> = Promise.resolve();
  /** The code of the last failure reported, until a round succeeds. */
  #lastReported: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #wakeAt = 0;
  #wake: (() => void) | undefined;

  /** Sees every message the poller delivers (system messages included), for the thread stores. */
  readonly #observe: (threadId: string, message: ChatMessage) => void;

  constructor(
    context: ChatContext,
    schedule: PollSchedule,
    now: number = Date.now(),
    observe: (threadId: string, message: ChatMessage) => void = () => undefined,
  ) {
    this.#context = context;
    this.#observe = observe;
    this.#schedule = schedule;
    this.#cutoff = now - START_SKEW_MS;
    this.#threadsCursor = this.#cutoff;
    this.#interval = schedule.intervalMs;
    whenAborted(context.signal, () => this.#stopTimer());
  }

  /** Whether the loop runs. */
  get running(): boolean {
    return this.#running;
  }

  /** Starts the loop (idempotent). The first round runs at once. */
  start(): void {
    if (this.#running || this.#context.signal.aborted) return;
    this.#running = true;
    logger.info(`chat: polling every ${this.#schedule.intervalMs}–${this.#schedule.idleIntervalMs} ms`);
    void this.#loop(++this.#generation);
  }

  /**
   * Stops the loop after the round in flight, keeping every cursor: a later `start()` goes on from
   * where this one stopped, so nothing is skipped or delivered twice across the gap (the realtime
   * `auto` mode hands over between push and polling this way).
   */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#generation++;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wake?.();
  }

  /**
   * One round outside the loop, after the round in flight: when push (re)connects, what happened
   * while it was not connected is read once, and push delivers from then on (each event once).
   */
  catchUp(): Promise<void> {
    const round = this.#round
      .then(() => this.poll())
      .then(
        () => undefined,
        (error: unknown) => logger.warning(`chat: catch-up round failed: ${describeError(error)}`),
      );
    this.#round = round;
    return round;
  }

  /** The app opened this thread: read it every round (the {@link MAX_WATCHED_THREADS} most recent ones). */
  watch(threadId: string): void {
    this.#known.add(threadId);
    if (this.#removed.has(threadId) || this.#deleted.has(threadId)) return;
    // A Set keeps insertion order: re-adding moves the thread to the most recent end.
    this.#watched.delete(threadId);
    this.#watched.add(threadId);
    for (const oldest of this.#watched) {
      if (this.#watched.size <= MAX_WATCHED_THREADS) break;
      this.#watched.delete(oldest);
    }
  }

  /** This session created the thread (its `threadCreated` was emitted already). */
  created(threadId: string): void {
    this.#known.add(threadId);
    this.#member.add(threadId);
    this.watch(threadId);
  }

  /**
   * This session sent a message: it is delivered as `messageReceived` now (not again by the next
   * round) and polling speeds up, since replies are likely.
   */
  sent(threadId: string, message: ChatMessage): void {
    if (this.#remember(threadId, message.id, message.version, lastChangeOf(message), message.sequenceId)) {
      this.#observe(threadId, message);
      this.#context.emit({ type: 'messageReceived', threadId, message });
    }
    this.#speedUp();
  }

  /**
   * A message event delivered by push: emitted unless this exact version was delivered already
   * (by push or polling). Pushes carry no sequence id; the message gets the one it had, or for a
   * new message the thread's next. The cursors stay where polling left them, so a poller started
   * later reads from there and finds everything pushed in between already delivered.
   */
  pushedMessage(threadId: string, message: ChatMessage): void {
    const known = this.#versions.get(threadId)?.get(message.id);
    const sequenceId = known?.sequenceId ?? (this.#lastSequence.get(threadId) ?? 0) + 1;
    const withSequence: ChatMessage = { ...message, sequenceId };
    if (!this.#remember(threadId, message.id, message.version, lastChangeOf(message), sequenceId)) return;
    this.#known.add(threadId);
    this.#member.add(threadId);
    this.#observe(threadId, withSequence);
    if (message.deletedOn) this.#context.emit({ type: 'messageDeleted', threadId, messageId: message.id, message: withSequence });
    else if (message.editedOn) this.#context.emit({ type: 'messageEdited', threadId, message: withSequence });
    else this.#context.emit({ type: 'messageReceived', threadId, message: withSequence });
  }

  /** A read receipt delivered by push: emitted unless already delivered. */
  pushedReceipt(threadId: string, receipt: ChatReadReceipt): void {
    let seen = this.#receipts.get(threadId);
    if (!seen) this.#receipts.set(threadId, (seen = new Set()));
    const key = `${receipt.sender.rawId}\n${receipt.messageId}`;
    if (seen.has(key)) return;
    seen.add(key);
    this.#context.emit({ type: 'readReceiptReceived', threadId, receipt });
  }

  /**
   * A thread or participant event delivered by push: `threadCreated` and `threadDeleted` once per
   * thread; the others (`participantsAdded`, `participantsRemoved`, `threadUpdated`) with `asMessage`,
   * the system message polling would find for them (its type and `createdOn`, which is the push's
   * time), so that polling does not deliver them again. A `threadCreated` comes with `createdOn`, the
   * thread's creation time: the service pushes nothing but it for a creation, so the first round that
   * reads the thread does not report the creation's own system messages either (see #readThread).
   */
  pushedSystem(event: ChatEvent, asMessage?: `${ChatMessage['type']}\n${number}`, createdOn?: number): void {
    const { threadId } = event;
    if (event.type === 'threadCreated') {
      // Not read yet (a read sets the cursor): that read must not report the creation again.
      if (createdOn !== undefined && !this.#messageCursor.has(threadId)) this.#pushedCreation.set(threadId, createdOn);
      if (this.#known.has(threadId)) return;
      this.#known.add(threadId);
      this.#member.add(threadId);
    } else if (event.type === 'threadDeleted') return void this.#threadDeleted(threadId, event.deletedOn);
    else if (event.type === 'participantsAdded' && !this.#known.has(threadId) && event.participants.some((p) => p.id.rawId === this.#context.self.rawId)) {
      // Added to a thread this session did not know: polling reports that as threadCreated
      // ('added') first, and so does push (the service pushes only participantsAdded).
      this.#known.add(threadId);
      this.#member.add(threadId);
      this.#context.emit({ type: 'threadCreated', threadId, reason: 'added', topic: undefined, by: event.addedBy });
    } else if (event.type === 'participantsRemoved' && event.includesMe) this.#markRemoved(threadId);
    if (asMessage !== undefined) {
      const key = `${threadId}\n${asMessage}`;
      if (this.#systemSeen.has(key)) return;
      this.#systemSeen.add(key);
    }
    this.#context.emit(event);
  }

  /** One polling round; resolves whether anything changed. Throws what a request threw. */
  async poll(): Promise<boolean> {
    const { client } = await this.#context.clients();
    const toRead = new Map<string, number>(this.#pending);
    const items = await this.#listChangedThreads(client);
    let changed = false;
    let cursor = this.#threadsCursor;
    for (const item of items) {
      const last = item.lastMessageReceivedOn?.getTime() ?? 0;
      cursor = Math.max(cursor, last);
      if (item.deletedOn) {
        changed = this.#threadDeleted(item.id, item.deletedOn) || changed;
        continue;
      }
      if (this.#threadSeen.get(item.id) === last) continue;
      toRead.set(item.id, last);
    }
    for (const id of this.#watched) if (!toRead.has(id)) toRead.set(id, this.#threadSeen.get(id) ?? 0);
    // Oldest activity first, so events across threads come out roughly in the order they happened.
    for (const [id, last] of [...toRead].sort((a, b) => a[1] - b[1])) {
      if (this.#deleted.has(id)) continue;
      try {
        changed = (await this.#readThread(id, items.find((i) => i.id === id)?.topic)) || changed;
        if (this.#watched.has(id)) changed = (await this.#readReceipts(id)) || changed;
        this.#threadSeen.set(id, last);
        this.#pending.delete(id);
      } catch (error) {
        if (isSessionError(error, 'NOT_A_PARTICIPANT')) {
          changed = this.#selfRemoved(id) || changed;
          this.#threadSeen.set(id, last);
          this.#pending.delete(id);
        } else if (isSessionError(error, 'THREAD_NOT_FOUND')) {
          changed = this.#threadDeleted(id, new Date()) || changed;
          this.#pending.delete(id);
        } else {
          this.#pending.set(id, last);
          throw error;
        }
      }
    }
    this.#threadsCursor = cursor;
    return changed;
  }

  async #loop(generation: number): Promise<void> {
    const { signal } = this.#context;
    // A loop stopped and started again waits for the round its predecessor has in flight.
    await this.#round;
    while (!signal.aborted && generation === this.#generation) {
      let changed = false;
      let wait: number | undefined;
      try {
        const round = this.poll();
        this.#round = round.catch(() => undefined);
        changed = await round;
        this.#lastReported = undefined;
        this.#context.reportConnectivity(true);
      } catch (error) {
        if (signal.aborted) break;
        wait = this.#failed(error);
      }
      this.#interval = changed ? this.#schedule.intervalMs : Math.min(this.#schedule.idleIntervalMs, this.#interval * 2);
      if (generation !== this.#generation) break;
      await this.#sleep(wait ?? this.#interval);
    }
    if (generation === this.#generation) this.#running = false;
  }

  /**
   * Reports a failed round; returns how long to wait before the next one. A failure that repeats
   * round after round is reported once, not every few seconds; token failures are the session's to
   * report (its token events and state), not the poller's.
   */
  #failed(error: unknown): number | undefined {
    const failure = isSessionError(error) ? error : new SessionError('SERVICE_ERROR', 'Chat polling failed', { cause: error });
    logger.warning(`chat: a polling round failed: ${describeError(failure)}`);
    if (failure.code === 'RATE_LIMITED') return failure.retryAfterMs;
    if (failure.code === 'NETWORK_ERROR' || failure.code === 'SERVICE_UNAVAILABLE' || (failure.status !== undefined && failure.status >= 500)) {
      this.#context.reportConnectivity(false, failure);
      return undefined;
    }
    if (failure.code.startsWith('TOKEN_') || failure.code === this.#lastReported) return this.#schedule.idleIntervalMs;
    this.#lastReported = failure.code;
    this.#context.reportError(failure, 'chat:poll');
    return this.#schedule.idleIntervalMs;
  }

  async #listChangedThreads(client: Awaited<ReturnType<ChatContext['clients']>>['client']): Promise<ChatThreadItem[]> {
    const startTime = new Date(this.#threadsCursor);
    return runRequest(this.#context, { operation: 'Polling chat threads', notFound: 'none' }, async (abortSignal) => {
      const byId = new Map<string, ChatThreadItem>();
      for await (const item of client.listChatThreads({ startTime, abortSignal })) if (!byId.has(item.id)) byId.set(item.id, item);
      return [...byId.values()];
    });
  }

  /** Reads a thread's messages changed since its cursor and emits what is new. */
  async #readThread(threadId: string, topic: string | undefined): Promise<boolean> {
    const { client } = await this.#context.clients();
    const thread = client.getChatThreadClient(threadId);
    const startTime = new Date(this.#messageCursor.get(threadId) ?? this.#cutoff);
    const raw = await runRequest(this.#context, { operation: 'Polling chat messages' }, async (abortSignal) => {
      const byId = new Map<string, AcsChatMessage>();
      for await (const message of thread.listMessages({ startTime, abortSignal })) {
        const earlier = byId.get(message.id);
        if (!earlier || Number(message.version) > Number(earlier.version)) byId.set(message.id, message);
      }
      return [...byId.values()];
    });
    this.#member.add(threadId);
    this.#removed.delete(threadId);
    const self = this.#context.self.rawId;
    const messages = raw
      .map((m) => ({ raw: m, change: lastChangeOf(m) }))
      .sort((a, b) => a.change - b.change || Number(a.raw.sequenceId) - Number(b.raw.sequenceId));
    // A creation that came by push: its own system messages (the thread's first participantAdded and
    // first topicUpdated, stamped within a few ms of it) are not news to this first read.
    let createdOn = this.#pushedCreation.get(threadId) ?? NaN;
    this.#pushedCreation.delete(threadId);
    const creationTypes = new Set<string>(['participantAdded', 'topicUpdated']);
    let changed = false;
    /** In a thread this session was added to, what happened before it was added is history, not news. */
    let historyBeforeSequence = -Infinity;
    // The first read of a thread (no cursor yet) finds when this session was added, even when push
    // announced the thread already: what happened before is history, not news.
    if (!this.#messageCursor.has(threadId)) {
      const addedMe = messages.find(
        ({ raw: m }) =>
          m.type === 'participantAdded' &&
          m.createdOn.getTime() >= this.#cutoff &&
          (m.content?.participants ?? []).some((p) => fromAcsIdentifier(p.id).rawId === self),
      );
      if (addedMe) {
        historyBeforeSequence = Number(addedMe.raw.sequenceId);
        // Added by the thread's creation (its first message): push reports a creation as
        // threadCreated alone, so polling does not report the creation's own system messages either.
        if (historyBeforeSequence === 1) createdOn = addedMe.raw.createdOn.getTime();
        if (!this.#known.has(threadId)) {
          const message = toChatMessage(addedMe.raw, threadId, self);
          this.#context.emit({ type: 'threadCreated', threadId, reason: 'added', topic, by: message.initiator });
          changed = true;
        }
      }
    }
    this.#known.add(threadId);
    const previousCursor = this.#messageCursor.get(threadId) ?? this.#cutoff;
    let cursor = previousCursor;
    for (const { raw: m, change } of messages) {
      cursor = Math.max(cursor, change);
      const previous = this.#versions.get(threadId)?.get(m.id);
      if (!this.#remember(threadId, m.id, m.version, change, Number(m.sequenceId)) || change < this.#cutoff) continue;
      const message = toChatMessage(m, threadId, self);
      this.#observe(threadId, message);
      // Unknown and created at or after the last cursor: no earlier round can have listed it. An
      // unknown message created before it was seen once and forgotten (see #prune), so it changed.
      const isNew = previous === undefined && m.createdOn.getTime() >= previousCursor;
      if (isNew) {
        if (m.deletedOn) continue; // created and deleted between two rounds: nothing to show
        if (creationTypes.delete(m.type) && Math.abs(m.createdOn.getTime() - createdOn) <= CREATION_WINDOW_MS) continue;
        if (Number(m.sequenceId) < historyBeforeSequence) continue; // the thread's past, before this user joined
        this.#emitNew(threadId, message);
        changed = true;
      } else if (m.deletedOn) {
        this.#context.emit({ type: 'messageDeleted', threadId, messageId: m.id, message });
        changed = true;
      } else if (m.editedOn) {
        this.#context.emit({ type: 'messageEdited', threadId, message });
        changed = true;
      }
    }
    this.#messageCursor.set(threadId, cursor);
    this.#prune(threadId, cursor);
    return changed;
  }

  /**
   * Forgets versions no listing can return again: `startTime` filters on the last change, so a
   * version whose change is older than the cursor (less a margin for timestamps that are not
   * strictly monotonic) never comes back unchanged. Keeps memory bounded in long-running sessions.
   */
  #prune(threadId: string, cursor: number): void {
    const versions = this.#versions.get(threadId);
    if (!versions) return;
    for (const [id, seen] of versions) if (seen.change < cursor - PRUNE_MARGIN_MS) versions.delete(id);
  }

  /** A message first seen: system messages become their typed events. */
  #emitNew(threadId: string, message: ChatMessage): void {
    const emit = this.#context.emit;
    // A system event push delivered already (see pushedSystem).
    if (this.#systemSeen.delete(`${threadId}\n${message.type}\n${message.createdOn.getTime()}`)) return;
    switch (message.type) {
      case 'participantAdded':
        emit({ type: 'participantsAdded', threadId, participants: message.participants ?? [], addedBy: message.initiator, addedOn: message.createdOn });
        return;
      case 'participantRemoved': {
        const participants = message.participants ?? [];
        const includesMe = participants.some((p) => p.id.rawId === this.#context.self.rawId);
        if (includesMe) this.#markRemoved(threadId);
        emit({ type: 'participantsRemoved', threadId, participants, removedBy: message.initiator, removedOn: message.createdOn, includesMe });
        return;
      }
      case 'topicUpdated':
        emit({ type: 'threadUpdated', threadId, topic: message.topic, updatedBy: message.initiator, updatedOn: message.createdOn });
        return;
      default:
        emit({ type: 'messageReceived', threadId, message });
    }
  }

  async #readReceipts(threadId: string): Promise<boolean> {
    const { client } = await this.#context.clients();
    const thread = client.getChatThreadClient(threadId);
    const receipts = await runRequest(this.#context, { operation: 'Polling read receipts' }, async (abortSignal) => {
      const all = [];
      for await (const receipt of thread.listReadReceipts({ abortSignal })) all.push(toReadReceipt(receipt));
      return all;
    });
    let seen = this.#receipts.get(threadId);
    if (!seen) this.#receipts.set(threadId, (seen = new Set()));
    let changed = false;
    for (const receipt of receipts.sort((a, b) => a.readOn.getTime() - b.readOn.getTime())) {
      const key = `${receipt.sender.rawId}\n${receipt.messageId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (receipt.readOn.getTime() < this.#cutoff) continue;
      this.#context.emit({ type: 'readReceiptReceived', threadId, receipt });
      changed = true;
    }
    return changed;
  }

  /** Records a message version; false when this exact version was already seen. */
  #remember(threadId: string, messageId: string, version: string, change: number, sequenceId?: number): boolean {
    let versions = this.#versions.get(threadId);
    if (!versions) this.#versions.set(threadId, (versions = new Map()));
    if (sequenceId !== undefined && sequenceId > (this.#lastSequence.get(threadId) ?? 0)) this.#lastSequence.set(threadId, sequenceId);
    if (versions.get(messageId)?.version === version) return false;
    versions.set(messageId, { version, change, ...(sequenceId !== undefined && { sequenceId }) });
    return true;
  }

  /** How many message versions the poller remembers (for tests). @internal */
  get rememberedVersions(): number {
    let count = 0;
    for (const versions of this.#versions.values()) count += versions.size;
    return count;
  }

  /** We learnt from a 403 that we are no longer in the thread. */
  #selfRemoved(threadId: string): boolean {
    const wasMember = this.#member.has(threadId) && !this.#removed.has(threadId);
    this.#markRemoved(threadId);
    if (!wasMember) return false;
    const me: ChatParticipant = { id: this.#context.self, displayName: this.#context.displayName, shareHistorySince: undefined };
    this.#context.emit({ type: 'participantsRemoved', threadId, participants: [me], removedBy: undefined, removedOn: new Date(), includesMe: true });
    return true;
  }

  #markRemoved(threadId: string): void {
    this.#removed.add(threadId);
    this.#watched.delete(threadId);
  }

  #threadDeleted(threadId: string, deletedOn: Date): boolean {
    if (this.#deleted.has(threadId)) return false;
    this.#deleted.add(threadId);
    this.#watched.delete(threadId);
    this.#pending.delete(threadId);
    this.#context.emit({ type: 'threadDeleted', threadId, deletedOn });
    return true;
  }

  /** The app deleted the thread itself. */
  deleted(threadId: string): void {
    this.#threadDeleted(threadId, new Date());
  }

  #speedUp(): void {
    this.#interval = this.#schedule.intervalMs;
    // A long idle sleep is cut short to the active interval.
    if (this.#wake && this.#wakeAt - Date.now() > this.#schedule.intervalMs) this.#arm(this.#schedule.intervalMs);
  }

  #sleep(ms: number): Promise<void> {
    if (this.#context.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = () => {
        this.#wake = undefined;
        resolve();
      };
      this.#arm(ms);
    });
  }

  #arm(ms: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#wakeAt = Date.now() + ms;
    // Not unref'd: an app that listens for chat events (a bot) lives on them, as it would on a socket.
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#wake?.();
    }, ms);
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wake?.();
  }
}
