// A trusted token service and a client that gets its tokens from it, on the local emulator:
//   npm run build && node examples/token-server.mjs
//
// 1. start the emulator (HTTPS on 127.0.0.1) — in production this is your ACS resource;
// 2. run acs-session/server's token service on node:http. It holds the connection string, signs
//    your app's users in (here: a made-up bearer token per user) and gives each one a stable ACS identity;
// 3. the client: createSession({ token: fetchToken(url) }) — the session calls the service for its
//    first token and again whenever it needs a new one;
// 4. sign the user out everywhere with revoke(), and watch the session get a fresh token from the service.
import http from 'node:http';
import { ChatClient } from '@azure/communication-chat';
import { createSession, fetchToken, isSessionError } from 'acs-session';
import { emulatorClientOptions, startEmulator } from 'acs-session/emulator';
import { createTokenService } from 'acs-session/server';

const emulator = await startEmulator();
const trust = emulatorClientOptions(emulator); // trust the emulator's self-signed certificate

// ---- server side -------------------------------------------------------------------------------
const appSessions = new Map([
  ['demo-session-ada', 'ada'],
  ['demo-session-bob', 'bob'],
]); // your auth
const tokens = createTokenService({
  connectionString: emulator.connectionString, // from your secret store; never sent to a client
  authenticate: (request) => appSessions.get(request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '') ?? null,
  scopes: ['chat', 'voip'],
  tokenLifetimeMinutes: 60,
  identityClientOptions: trust,
});
const server = http.createServer((req, res) => {
  if (req.url?.startsWith('/api/token')) return tokens.nodeHandler(req, res);
  res.writeHead(404).end();
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const tokenUrl = `http://127.0.0.1:${server.address().port}/api/token`;
console.log(`token service on ${tokenUrl}`);

try {
  // ---- client side -----------------------------------------------------------------------------
  const refused = await fetch(tokenUrl, { method: 'POST' });
  console.log(`without signing in: HTTP ${refused.status}`);

  const token = fetchToken(tokenUrl, { headers: { authorization: 'Bearer demo-session-ada' } });
  const session = await createSession({ endpoint: emulator.endpoint, token, displayName: 'Ada' });
  try {
    session.on('tokenRefreshed', (e) => console.log(`token from the service (${e.reason}), valid until ${e.expiresOn.toISOString()}`));
    console.log(`connected as ${session.user.rawId}`);

    const chat = new ChatClient(session.endpoint, session.tokens.credential, trust);
    const created = await chat.createChatThread({ topic: 'Tokens from the service' }, { participants: [{ id: session.user, displayName: 'Ada' }] });
    const thread = chat.getChatThreadClient(created.chatThread.id);
    await thread.sendMessage({ content: 'Hello from a served token!' });
    for await (const message of thread.listMessages({ maxPageSize: 5 })) {
      if (message.type === 'text') console.log(`message: ${message.content?.message}`);
    }

    // The same app user always gets the same ACS identity (and so keeps their threads).
    const again = await tokens.issue('ada');
    console.log(`same identity on the next issue: ${again.user.communicationUserId === session.user.communicationUserId}`);

    // Sign-out everywhere: every token issued so far stops working.
    await tokens.revoke('ada');
    const afterRevoke = await thread.getProperties().catch((error) => error);
    console.log(`after revoke: HTTP ${afterRevoke.statusCode}`);
    await session.tokens.forceRefresh('rejected'); // goes back to the token service
    await thread.getProperties().catch(() => undefined); // the thread client's pipeline re-reads the credential
    console.log(`after a forced refresh: topic "${(await thread.getProperties()).topic}"`);
  } finally {
    await session.dispose();
  }

  const stranger = await Promise.resolve(fetchToken(tokenUrl)({ signal: AbortSignal.timeout(5_000), reason: 'initial' })).catch((e) => e);
  console.log(`fetchToken without credentials: ${isSessionError(stranger) ? `${stranger.code} (HTTP ${stranger.status})` : 'no error?'}`);
} finally {
  server.close();
  server.closeAllConnections();
  await emulator.close();
}
