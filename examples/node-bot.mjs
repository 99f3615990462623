// A chat bot in Node: it joins every thread it is added to and answers messages, by polling.
//   npm run build && node examples/node-bot.mjs
//
// The bot is just a session that listens: `threadCreated` with reason 'added' when someone adds it
// to a thread, `messageReceived` for what people say there. Against the local emulator here; for a
// real ACS resource give createSession your endpoint and a fetcher for the bot's token.
// (In TypeScript, or on a Node that has `await using`, that statement replaces the try/finally blocks.)
import { CommunicationIdentityClient } from '@azure/communication-identity';
import { createSession } from 'acs-session';
import { emulatorClientOptions, startEmulator } from 'acs-session/emulator';

const emulator = await startEmulator();
try {
  const clientOptions = emulatorClientOptions(emulator); // trust the emulator's self-signed certificate
  // In a real app tokens come from your token service (see examples/token-server.mjs).
  const identity = new CommunicationIdentityClient(emulator.connectionString, clientOptions);
  const tokenFor = (user) => async () => identity.getToken(user, ['chat']);
  const [botUser, adaUser] = [await identity.createUser(), await identity.createUser()];
  const chat = { realtime: 'poll', pollIntervalMs: 250 };

  const bot = await createSession({ endpoint: emulator.endpoint, token: tokenFor(botUser), displayName: 'Echo bot', chat, clientOptions });
  const ada = await createSession({ endpoint: emulator.endpoint, token: tokenFor(adaUser), displayName: 'Ada', chat, clientOptions });
  try {
    // The bot.
    bot.on('threadCreated', async (e) => {
      if (e.reason !== 'added') return;
      console.log(`bot: added to "${e.topic}" by ${e.by?.rawId === ada.user.rawId ? 'Ada' : e.by?.rawId}`);
      await bot.chat.thread(e.threadId).send('Hello! I repeat what you say.');
    });
    bot.on('messageReceived', async ({ threadId, message }) => {
      if (message.isOwn || message.type !== 'text') return;
      console.log(`bot: heard "${message.content}" from ${message.senderDisplayName}`);
      await bot.chat.thread(threadId).send(`echo: ${message.content}`);
    });
    bot.on('error', (e) => console.error('bot error:', e.error));

    // A person talking to it.
    const replies = [];
    ada.on('messageReceived', ({ message }) => {
      if (message.isOwn) return;
      replies.push(message.content);
      console.log(`ada: got "${message.content}"`);
    });
    const greeted = ada.waitFor('messageReceived', { filter: (e) => !e.message.isOwn, timeoutMs: 10_000 });
    const thread = await ada.chat.createThread({ topic: 'Bot test', participants: [{ id: botUser, displayName: 'Echo bot' }] });
    await greeted;
    const echoed = ada.waitFor('messageReceived', { filter: (e) => e.message.content.startsWith('echo:'), timeoutMs: 10_000 });
    await thread.send('hello bot');
    await echoed;
    console.log(`transcript: ${replies.join(' | ')}`);
  } finally {
    await Promise.all([bot.dispose(), ada.dispose()]);
  }
} finally {
  await emulator.close();
}
