// Runs in Chromium: acs-session's session.chat with realtime 'push' or 'auto', bundled for the
// browser, against the emulator's notification service. Records what the session delivers.
import { type Session, createSession } from '../../../src/index.js';

export interface PushSessionInput {
  endpoint: string;
  token: string;
  realtime: 'push' | 'auto';
}

export interface PushSessionRecord {
  /** `<event type>:<detail>` in delivery order. */
  events: string[];
  /** `session.chat.realtime` after each change the page noticed. */
  modes: string[];
  /** Message content → `Date.now()` when its `messageReceived` fired (for the latency bench). */
  arrivals: Record<string, number>;
}

let session: Session | undefined;
let watch: ReturnType<typeof setInterval> | undefined;
const record: PushSessionRecord = { events: [], modes: [], arrivals: {} };

async function openPushSession({ endpoint, token, realtime }: PushSessionInput): Promise<void> {
  session = await createSession({ endpoint, token, chat: { realtime, pollIntervalMs: 200, idlePollIntervalMs: 400, pushConnectTimeoutMs: 3_000 } });
  session.on('messageReceived', (e) => {
    record.arrivals[e.message.content] = Date.now();
    record.events.push(`messageReceived:${e.message.content}`);
  });
  session.on('messageEdited', (e) => record.events.push(`messageEdited:${e.message.content}`));
  session.on('typingReceived', (e) => record.events.push(`typingReceived:${e.sender.rawId}`));
  session.on('threadCreated', (e) => record.events.push(`threadCreated:${e.reason}`));
  session.on('participantsAdded', (e) => record.events.push(`participantsAdded:${e.participants.length}`));
  session.on('threadUpdated', (e) => record.events.push(`threadUpdated:${e.topic ?? ''}`));
  session.on('chatRealtimeChanged', (e) => record.events.push(`chatRealtimeChanged:${e.realtime}:${session?.getSnapshot().chatRealtime ?? ''}`));
  session.on('readReceiptReceived', (e) => record.events.push(`readReceiptReceived:${e.receipt.messageId}`));
  watch = setInterval(() => {
    const mode = session?.chat.realtime ?? 'off';
    if (record.modes[record.modes.length - 1] !== mode) record.modes.push(mode);
  }, 20);
}

export type PushSessionAction = { kind: 'create'; peerId: string } | { kind: 'send' | 'typing'; threadId: string; content?: string };

async function pushSessionAct(action: PushSessionAction): Promise<string> {
  if (!session) throw new Error('no session');
  if (action.kind === 'create') return (await session.chat.createThread({ topic: 'push', participants: [{ id: action.peerId }] })).id;
  const thread = session.chat.thread(action.threadId);
  if (action.kind === 'typing') await thread.sendTyping();
  else await thread.send(action.content ?? '');
  return action.threadId;
}

async function closePushSession(): Promise<void> {
  clearInterval(watch);
  await session?.dispose();
}

declare global {
  var openPushSession: ((input: PushSessionInput) => Promise<void>) | undefined;
  var pushSessionAct: ((action: PushSessionAction) => Promise<string>) | undefined;
  var pushSessionRecord: (() => PushSessionRecord) | undefined;
  var closePushSession: (() => Promise<void>) | undefined;
}

globalThis.openPushSession = openPushSession;
globalThis.pushSessionAct = pushSessionAct;
globalThis.pushSessionRecord = () => record;
globalThis.closePushSession = closePushSession;
