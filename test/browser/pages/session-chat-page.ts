// Runs in Chromium: acs-session's session.chat, bundled for the browser (the browser build of the
// real ChatClient underneath), polling the emulator cross-origin.
import { createSession } from '../../../src/index.js';

export interface SessionChatInput {
  endpoint: string;
  token: string;
  /** 'starter' creates the thread with the peer and speaks first; 'answerer' waits to be added, then replies. */
  role: 'starter' | 'answerer';
  peerId: string;
}

export interface SessionChatResult {
  threadId: string;
  received: string[];
  addedBy: string | undefined;
  states: string[];
}

async function runSessionChat({ endpoint, token, role, peerId }: SessionChatInput): Promise<SessionChatResult> {
  const session = await createSession({ endpoint, token, displayName: role, chat: { realtime: 'poll', pollIntervalMs: 100, idlePollIntervalMs: 300 } });
  const states: string[] = [];
  session.on('stateChanged', (e) => states.push(e.state));
  try {
    const received: string[] = [];
    const got = (content: string) =>
      session.waitFor('messageReceived', { filter: (e) => e.message.content === content, timeoutMs: 20_000 }).then((e) => {
        received.push(e.message.content);
        return e;
      });
    if (role === 'starter') {
      const reply = got('hello from the answerer');
      const thread = await session.chat.createThread({ topic: 'two pages', participants: [{ id: peerId, displayName: 'answerer' }] });
      await thread.send('hello from the starter');
      await reply;
      return { threadId: thread.id, received, addedBy: undefined, states };
    }
    // Both waits start now: being added and the first message can arrive in the same polling round.
    const adding = session.waitFor('threadCreated', { filter: (e) => e.reason === 'added', timeoutMs: 20_000 });
    const greeting = got('hello from the starter');
    const added = await adding;
    const { threadId } = await greeting;
    await session.chat.thread(threadId).send('hello from the answerer');
    return { threadId, received, addedBy: added.by?.rawId, states };
  } finally {
    await session.dispose();
  }
}

(globalThis as { runSessionChat?: typeof runSessionChat }).runSessionChat = runSessionChat;
