// Runs in Chromium: the real browser ChatClient's realtime notifications against the emulator's
// notification service. Records every event it receives, JSON-safe, for the test to read, and
// causes chat changes with the same browser client (`realtimeAct`), so that one page can push to another.
import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';

export interface RealtimeStartInput {
  endpoint: string;
  token: string;
  /** How long to wait for `realTimeNotificationConnected`. */
  timeoutMs: number;
}

export interface RecordedEvent {
  name: string;
  payload: unknown;
}

export const REALTIME_EVENTS = [
  'chatMessageReceived',
  'chatMessageEdited',
  'chatMessageDeleted',
  'typingIndicatorReceived',
  'readReceiptReceived',
  'chatThreadCreated',
  'chatThreadPropertiesUpdated',
  'chatThreadDeleted',
  'participantsAdded',
  'participantsRemoved',
  'realTimeNotificationConnected',
  'realTimeNotificationDisconnected',
] as const;

const recorded: RecordedEvent[] = [];
let client: ChatClient | undefined;

async function startRealtime({ endpoint, token, timeoutMs }: RealtimeStartInput): Promise<boolean> {
  client = new ChatClient(endpoint, new AzureCommunicationTokenCredential(token));
  const connected = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client?.on('realTimeNotificationConnected', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  await client.startRealtimeNotifications();
  for (const name of REALTIME_EVENTS) {
    // The overloads are per event name; the loop needs the common shape.
    (client.on as (event: string, listener: (payload: unknown) => void) => void)(name, (payload) => {
      recorded.push({ name, payload: JSON.parse(JSON.stringify(payload ?? null)) as unknown });
    });
  }
  return connected;
}

/** One chat change, made with the page's browser ChatClient; user ids are raw `8:acs:` ids. */
export type RealtimeAction =
  | { kind: 'createThread'; topic: string; participants: { id: string; displayName?: string }[] }
  | { kind: 'send'; threadId: string; content: string; senderDisplayName?: string; metadata?: Record<string, string> }
  | { kind: 'edit'; threadId: string; messageId: string; content: string }
  | { kind: 'typing'; threadId: string; senderDisplayName?: string }
  | { kind: 'readReceipt'; threadId: string; messageId: string }
  | { kind: 'deleteMessage'; threadId: string; messageId: string }
  | { kind: 'addParticipant'; threadId: string; id: string; displayName?: string }
  | { kind: 'removeParticipant'; threadId: string; id: string }
  | { kind: 'updateTopic'; threadId: string; topic: string }
  | { kind: 'deleteThread'; threadId: string };

/** Creates the page's ChatClient without starting notifications (a page that only causes changes). */
function openChatClient({ endpoint, token }: Pick<RealtimeStartInput, 'endpoint' | 'token'>): void {
  client = new ChatClient(endpoint, new AzureCommunicationTokenCredential(token));
}

/** Makes one change; resolves the id it created (thread or message), else the thread id. */
async function realtimeAct(action: RealtimeAction): Promise<string> {
  if (!client) throw new Error('no ChatClient on this page');
  if (action.kind === 'createThread') {
    const participants = action.participants.map((p) => ({ id: { communicationUserId: p.id }, ...named(p.displayName) }));
    const { chatThread } = await client.createChatThread({ topic: action.topic }, { participants });
    if (!chatThread) throw new Error('createChatThread returned no thread');
    return chatThread.id;
  }
  if (action.kind === 'deleteThread') {
    await client.deleteChatThread(action.threadId);
    return action.threadId;
  }
  const thread = client.getChatThreadClient(action.threadId);
  switch (action.kind) {
    case 'send':
      return (
        await thread.sendMessage(
          { content: action.content },
          {
            ...(action.senderDisplayName !== undefined && { senderDisplayName: action.senderDisplayName }),
            ...(action.metadata && { metadata: action.metadata }),
          },
        )
      ).id;
    case 'edit':
      await thread.updateMessage(action.messageId, { content: action.content });
      break;
    case 'typing':
      await thread.sendTypingNotification(action.senderDisplayName !== undefined ? { senderDisplayName: action.senderDisplayName } : {});
      break;
    case 'readReceipt':
      await thread.sendReadReceipt({ chatMessageId: action.messageId });
      break;
    case 'deleteMessage':
      await thread.deleteMessage(action.messageId);
      break;
    case 'addParticipant':
      await thread.addParticipants({ participants: [{ id: { communicationUserId: action.id }, ...named(action.displayName) }] });
      break;
    case 'removeParticipant':
      await thread.removeParticipant({ communicationUserId: action.id });
      break;
    case 'updateTopic':
      await thread.updateTopic(action.topic);
      break;
  }
  return action.threadId;
}

function named(displayName: string | undefined): { displayName?: string } {
  return displayName === undefined ? {} : { displayName };
}

async function stopRealtime(): Promise<void> {
  await client?.stopRealtimeNotifications();
}

declare global {
  /** Set by this page; the test calls them through `page.evaluate`. */
  var startRealtime: ((input: RealtimeStartInput) => Promise<boolean>) | undefined;
  var stopRealtime: (() => Promise<void>) | undefined;
  var openChatClient: ((input: Pick<RealtimeStartInput, 'endpoint' | 'token'>) => void) | undefined;
  var realtimeAct: ((action: RealtimeAction) => Promise<string>) | undefined;
  var realtimeEvents: (() => RecordedEvent[]) | undefined;
}

globalThis.startRealtime = startRealtime;
globalThis.stopRealtime = stopRealtime;
globalThis.openChatClient = openChatClient;
globalThis.realtimeAct = realtimeAct;
globalThis.realtimeEvents = () => recorded;
