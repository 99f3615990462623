// A session on the local emulator, end to end and offline:
//   npm run build && node examples/session-on-emulator.mjs
//
// 1. start the emulator (HTTPS on 127.0.0.1, a fresh certificate, state in memory);
// 2. play the app's trusted token service with the emulator's own user and token helpers;
// 3. create a session with a token fetcher and give its shared credential to the real ChatClient;
// 4. revoke the user's tokens, as ACS does when an account is locked, and recover with one forced refresh.
// (In TypeScript, or on a Node that has `await using`, that statement replaces the try/finally blocks.)
import { ChatClient } from '@azure/communication-chat';
import { createSession } from 'acs-session';
import { emulatorClientOptions, startEmulator } from 'acs-session/emulator';

const emulator = await startEmulator();
try {
  const trust = emulatorClientOptions(emulator); // trust the emulator's self-signed certificate

  // In a real app this runs on your server (CommunicationIdentityClient), never in the client.
  const user = emulator.createUser();
  const fetchToken = async ({ reason }) => {
    console.log(`token fetch (${reason})`);
    return emulator.issueToken(user, ['chat', 'voip']); // { token, expiresOn }
  };

  const session = await createSession({ endpoint: emulator.endpoint, token: fetchToken, displayName: 'Ada' });
  try {
    session.on('stateChanged', (e) => console.log(`state: ${e.previous} → ${e.state}`));
    console.log(`connected as ${session.user.rawId}`);
    console.log(`token valid until ${session.getSnapshot().tokenExpiresOn?.toISOString()}`);

    const chat = new ChatClient(session.endpoint, session.tokens.credential, trust);
    const created = await chat.createChatThread({ topic: 'Hello from acs-session' }, { participants: [{ id: user, displayName: 'Ada' }] });
    const thread = chat.getChatThreadClient(created.chatThread.id);
    await thread.sendMessage({ content: 'Hello, emulator!' }, { senderDisplayName: 'Ada' });
    for await (const message of thread.listMessages({ maxPageSize: 10 })) {
      if (message.type === 'text') console.log(`message: ${message.content?.message}`);
    }

    emulator.revokeTokens(user);
    const refused = await thread.getProperties().catch((error) => error);
    console.log(`after revocation: HTTP ${refused.statusCode}`);
    await session.tokens.forceRefresh('rejected');
    // The thread client's pipeline re-reads the shared credential in the background; allow it one request.
    await thread.getProperties().catch(() => undefined);
    console.log(`after a forced refresh: topic "${(await thread.getProperties()).topic}"`);
  } finally {
    await session.dispose();
  }
} finally {
  await emulator.close();
}
