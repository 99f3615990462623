// Runs in Chromium: the real browser ChatClient's realtime notifications against the emulator's
// notification service. Records every event it receives, JSON-safe, for the test to read.
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

async function stopRealtime(): Promise<void> {
  await client?.stopRealtimeNotifications();
}

declare global {
  /** Set by this page; the test calls them through `page.evaluate`. */
  var startRealtime: ((input: RealtimeStartInput) => Promise<boolean>) | undefined;
  var stopRealtime: (() => Promise<void>) | undefined;
  var realtimeEvents: (() => RecordedEvent[]) | undefined;
}

globalThis.startRealtime = startRealtime;
globalThis.stopRealtime = stopRealtime;
globalThis.realtimeEvents = () => recorded;
