// Runs in Chromium: the browser build of the real ChatClient against the emulator, cross-origin.
import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';

export interface ChatRunInput {
  endpoint: string;
  token: string;
  userId: string;
}

export interface ChatRunResult {
  threadId: string;
  topic: string;
  messages: string[];
  exposedApiVersions: string | null;
  unauthorizedStatus: number | undefined;
}

async function runChat({ endpoint, token, userId }: ChatRunInput): Promise<ChatRunResult> {
  const chat = new ChatClient(endpoint, new AzureCommunicationTokenCredential(token));
  const { chatThread } = await chat.createChatThread({ topic: 'from the browser' }, { participants: [{ id: { communicationUserId: userId } }] });
  if (!chatThread) throw new Error('createChatThread returned no thread');
  const thread = chat.getChatThreadClient(chatThread.id);
  await thread.sendMessage({ content: 'hello from Chromium' });
  await thread.sendMessage({ content: 'second' });
  await thread.updateTopic('renamed in the browser');
  const messages: string[] = [];
  for await (const message of thread.listMessages({ maxPageSize: 1 })) {
    if (message.type === 'text' && message.content?.message) messages.push(message.content.message);
  }
  const { topic } = await thread.getProperties();

  // Response headers are readable from script only when the server exposes them (CORS).
  const raw = await fetch(`${endpoint}chat/threads/${encodeURIComponent(chatThread.id)}?api-version=2025-03-15`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const exposedApiVersions = raw.headers.get('api-supported-versions');

  const stranger = new ChatClient(endpoint, new AzureCommunicationTokenCredential(token.slice(0, -4) + 'AAAA'));
  const unauthorizedStatus = await stranger
    .getChatThreadClient(chatThread.id)
    .getProperties()
    .then(
      () => undefined,
      (error: { statusCode?: number }) => error.statusCode,
    );
  return { threadId: chatThread.id, topic, messages, exposedApiVersions, unauthorizedStatus };
}

declare global {
  /** Set by this page; the test calls it through `page.evaluate`. */
  var runChat: ((input: ChatRunInput) => Promise<ChatRunResult>) | undefined;
}

globalThis.runChat = runChat;
