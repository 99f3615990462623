import type {
  ChatMessageDeletedEvent,
  ChatMessageEditedEvent,
  ChatMessageReceivedEvent,
  ChatParticipant as AcsPushParticipant,
  ChatThreadCreatedEvent,
  ChatThreadDeletedEvent,
  ChatThreadPropertiesUpdatedEvent,
  ParticipantsAddedEvent,
  ParticipantsRemovedEvent,
  ReadReceiptReceivedEvent,
  TypingIndicatorReceivedEvent,
} from '@azure/communication-chat';
import { SessionError } from '../errors.js';
import { fromAcsIdentifier } from '../identifiers/identifier.js';
import { describeError, logger } from '../internal/logger.js';
import type { ChatContext } from './context.js';
import { publicMetadata } from './normalize.js';
import type { ChatPoller } from './poller.js';
import type { RealtimeChatPort } from './ports.js';
import type { ChatMessage, ChatParticipant } from './types.js';

/** Where pushed events go: the poller, which delivers each event once across push and polling. @internal */
export type PushTarget = Pick<ChatPoller, 'pushedMessage' | 'pushedReceipt' | 'pushedSystem'>;

type Listener = (payload: never) => void;

/**
 * The browser push live source: the ACS `ChatClient`'s realtime notifications, mapped to the
 * session's chat events. `start()` resolves whether `realTimeNotificationConnected` fired within the
 * timeout (the client's own start promise resolves even when its socket never connects);
 * `onConnection` hears every later connect and disconnect. Stopping the client removes every
 * listener, so each start attaches them again.
 * @internal
 */
export class ChatPush {
  readonly #context: ChatContext;
  readonly #target: PushTarget;
  readonly #onConnection: (connected: boolean) => void;
  #client: RealtimeChatPort | undefined;
  #attached: [string, Listener][] = [];
  #connected = false;
  #unsupported = false;

  constructor(context: ChatContext, target: PushTarget, onConnection: (connected: boolean) => void) {
    this.#context = context;
    this.#target = target;
    this.#onConnection = onConnection;
  }

  /** Whether the socket is connected now. */
  get connected(): boolean {
    return this.#connected;
  }

  /**
   * Starts the client's notifications and waits up to `timeoutMs` for the socket; resolves whether
   * it connected. A client that cannot start (no realtime in this runtime) is reported on the
   * session's `error` event (`INVALID_OPTIONS`; only logged with `report: false`) and resolves `false`.
   */
  async start(timeoutMs: number, { report = true }: { report?: boolean } = {}): Promise<boolean> {
    try {
      const connected = await this.#start(timeoutMs);
      if (!connected) logger.warning(`chat: push did not connect within ${timeoutMs} ms`);
      return connected;
    } catch (error) {
      const failure = error instanceof SessionError ? error : new SessionError('SERVICE_ERROR', 'Chat push failed to start', { cause: error });
      // A start that fails again on a retry was reported the first time; the log has every one.
      if (report) this.#context.reportError(failure, 'chat:push');
      else logger.warning(`chat: push failed to start again: ${describeError(failure)}`);
      return false;
    }
  }

  /** Whether this runtime's ChatClient has no realtime at all (then trying again is pointless). */
  get unsupported(): boolean {
    return this.#unsupported;
  }

  async #start(timeoutMs: number): Promise<boolean> {
    const { realtime } = await this.#context.clients();
    // Disposed while the chat package loaded: start nothing (a stop() meanwhile found no client).
    if (this.#context.signal.aborted) return false;
    this.#unsupported = !realtime;
    if (!realtime) throw new SessionError('INVALID_OPTIONS', "chat.realtime 'push' needs the browser ChatClient");
    this.#client = realtime;
    let resolveConnected: (connected: boolean) => void = () => undefined;
    const connected = new Promise<boolean>((resolve) => (resolveConnected = resolve));
    const timer = setTimeout(() => resolveConnected(false), timeoutMs);
    const onAbort = (): void => resolveConnected(false);
    this.#context.signal.addEventListener('abort', onAbort, { once: true });
    // The connection events may be subscribed before the start, and must be: the socket can connect
    // before `startRealtimeNotifications()` resolves.
    this.#listen('realTimeNotificationConnected', () => {
      this.#connected = true;
      logger.info('chat: push connected');
      resolveConnected(true);
      this.#onConnection(true);
    });
    this.#listen('realTimeNotificationDisconnected', () => {
      this.#connected = false;
      logger.info('chat: push disconnected');
      this.#onConnection(false);
    });
    try {
      await realtime.startRealtimeNotifications();
    } catch (error) {
      clearTimeout(timer);
      this.#context.signal.removeEventListener('abort', onAbort);
      this.#detach();
      throw new SessionError('INVALID_OPTIONS', `Chat push could not start: ${describeError(error)}`, { cause: error });
    }
    this.#attachEvents();
    const result = await connected;
    clearTimeout(timer);
    this.#context.signal.removeEventListener('abort', onAbort);
    // Disposed while the socket was starting: the stop() at dispose may have run before the client
    // was set; stop now so nothing outlives the session.
    if (this.#context.signal.aborted) {
      await this.stop();
      return false;
    }
    return result;
  }

  /** Stops the client's notifications (which drops every listener) and forgets ours. */
  async stop(): Promise<void> {
    const client = this.#client;
    this.#detach();
    this.#connected = false;
    if (!client) return;
    this.#client = undefined;
    try {
      await client.stopRealtimeNotifications();
    } catch (error) {
      logger.warning(`chat: stopping realtime notifications failed: ${describeError(error)}`);
    }
  }

  #attachEvents(): void {
    const self = this.#context.self.rawId;
    const target = this.#target;
    this.#listen('chatMessageReceived', (e: ChatMessageReceivedEvent) => target.pushedMessage(e.threadId, pushedMessage(e, self)));
    this.#listen('chatMessageEdited', (e: ChatMessageEditedEvent) => target.pushedMessage(e.threadId, pushedMessage(e, self)));
    this.#listen('chatMessageDeleted', (e: ChatMessageDeletedEvent) => target.pushedMessage(e.threadId, pushedMessage(e, self)));
    this.#listen('readReceiptReceived', (e: ReadReceiptReceivedEvent) =>
      target.pushedReceipt(e.threadId, { sender: fromAcsIdentifier(e.sender), messageId: e.chatMessageId, readOn: new Date(e.readOn) }),
    );
    this.#listen('typingIndicatorReceived', (e: TypingIndicatorReceivedEvent) => {
      const sender = fromAcsIdentifier(e.sender);
      if (sender.rawId === self) return;
      this.#context.emit({
        type: 'typingReceived',
        threadId: e.threadId,
        sender,
        senderDisplayName: e.senderDisplayName || undefined,
        receivedOn: new Date(e.receivedOn),
      });
    });
    this.#listen('chatThreadCreated', (e: ChatThreadCreatedEvent) => {
      const by = e.createdBy ? fromAcsIdentifier(e.createdBy.id) : undefined;
      target.pushedSystem(
        { type: 'threadCreated', threadId: e.threadId, reason: by?.rawId === self ? 'created' : 'added', topic: e.properties?.topic, by },
        undefined,
        new Date(e.createdOn).getTime(),
      );
    });
    this.#listen('chatThreadPropertiesUpdated', (e: ChatThreadPropertiesUpdatedEvent) => {
      const updatedOn = new Date(e.updatedOn);
      const updatedBy = e.updatedBy ? fromAcsIdentifier(e.updatedBy.id) : undefined;
      target.pushedSystem(
        { type: 'threadUpdated', threadId: e.threadId, topic: e.properties?.topic, updatedBy, updatedOn },
        `topicUpdated\n${updatedOn.getTime()}`,
      );
    });
    this.#listen('chatThreadDeleted', (e: ChatThreadDeletedEvent) => {
      const deletedOn = new Date(e.deletedOn);
      target.pushedSystem({ type: 'threadDeleted', threadId: e.threadId, deletedOn });
    });
    this.#listen('participantsAdded', (e: ParticipantsAddedEvent) => {
      const addedOn = new Date(e.addedOn);
      const participants = e.participantsAdded.map(pushedParticipant);
      target.pushedSystem(
        { type: 'participantsAdded', threadId: e.threadId, participants, addedBy: e.addedBy ? fromAcsIdentifier(e.addedBy.id) : undefined, addedOn },
        `participantAdded\n${addedOn.getTime()}`,
      );
    });
    this.#listen('participantsRemoved', (e: ParticipantsRemovedEvent) => {
      const removedOn = new Date(e.removedOn);
      const participants = e.participantsRemoved.map(pushedParticipant);
      const includesMe = participants.some((p) => p.id.rawId === self);
      target.pushedSystem(
        {
          type: 'participantsRemoved',
          threadId: e.threadId,
          participants,
          removedBy: e.removedBy ? fromAcsIdentifier(e.removedBy.id) : undefined,
          removedOn,
          includesMe,
        },
        `participantRemoved\n${removedOn.getTime()}`,
      );
    });
  }

  #listen<P>(event: string, listener: (payload: P) => void): void {
    const client = this.#client;
    if (!client) return;
    // A listener that throws must not break the client's event loop; the app's errors are reported.
    const safe = (payload: P): void => {
      try {
        listener(payload);
      } catch (error) {
        this.#context.reportError(
          new SessionError('SERVICE_ERROR', `A chat push (${event}) could not be handled: ${describeError(error)}`, { cause: error }),
          'chat:push',
        );
      }
    };
    (client.on as (event: string, listener: (payload: P) => void) => void)(event, safe);
    this.#attached.push([event, safe]);
  }

  #detach(): void {
    const client = this.#client;
    if (client) for (const [event, listener] of this.#attached) (client.off as (event: string, listener: Listener) => void)(event, listener);
    this.#attached = [];
  }
}

/** A pushed message as the session's `ChatMessage`; the poller gives it its sequence id. */
function pushedMessage(e: ChatMessageReceivedEvent | ChatMessageEditedEvent | ChatMessageDeletedEvent, self: string): ChatMessage {
  const sender = fromAcsIdentifier(e.sender);
  const type = e.type.toLowerCase() === 'html' ? 'html' : 'text';
  const deleted = 'deletedOn' in e;
  const content = deleted ? '' : e.message;
  return {
    id: e.id,
    threadId: e.threadId,
    type,
    content,
    sender,
    senderDisplayName: e.senderDisplayName || undefined,
    createdOn: new Date(e.createdOn),
    editedOn: 'editedOn' in e ? new Date(e.editedOn) : undefined,
    deletedOn: deleted ? new Date(e.deletedOn) : undefined,
    sequenceId: 0,
    version: e.version,
    metadata: deleted ? {} : publicMetadata(e.metadata),
    isOwn: sender.rawId === self,
    attachments: deleted ? [] : (e.attachments ?? []).map((a) => ({ id: a.id, type: a.attachmentType, name: a.name, url: a.url })),
  };
}

function pushedParticipant(p: AcsPushParticipant): ChatParticipant {
  return {
    id: fromAcsIdentifier(p.id),
    displayName: p.displayName || undefined,
    shareHistorySince: p.shareHistoryTime ? new Date(p.shareHistoryTime) : undefined,
  };
}
