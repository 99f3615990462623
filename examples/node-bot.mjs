// A chat bot in Node: it joins every thread it is added to and answers messages, by polling.
//
//   npm run build && node examples/node-bot.mjs
//     On the local emulator: starts it in-process, runs the bot, and plays a person (Ada) who adds
//     the bot to a thread and talks to it; prints the conversation and exits.
//
//   ACS_ENDPOINT=https://<resource>.communication.azure.com ACS_TOKEN_URL=https://<your app>/api/token node examples/node-bot.mjs
//     On a real ACS resource: the bot gets its tokens from your token service with `fetchToken`
//     (acs-session/server's createTokenService answers it; see examples/token-server.mjs), sending
//     ACS_TOKEN_AUTHORIZATION, if set, as the Authorization header. It prints its ACS user id (add
//     that user to a thread to talk to it) and runs until Ctrl-C.
//
// The bot is just a session that listens: `threadCreated` with reason 'added' when someone adds it to
// a thread, `messageReceived` for what people say there. Polling keeps the process alive until dispose().
// (In TypeScript, or on a Node that has `await using`, that statement replaces the try/finally blocks.)
import { createSession, fetchToken } from 'acs-session';
import { emulatorClientOptions, startEmulator } from 'acs-session/emulator';

const HELP = 'Say anything and I echo it back.';

/** Makes `session` a bot: greets the threads it is added to and answers every message from others. */
function runBot(session, log = console.log) {
  session.on('threadCreated', async (e) => {
    if (e.reason !== 'added') return;
    log(`bot: added to "${e.topic}"`);
    await session.chat.thread(e.threadId).send(`Hi, I am Echo bot. ${HELP}`);
  });
  session.on('messageReceived', async ({ threadId, message }) => {
    if (message.isOwn || message.type !== 'text') return;
    log(`bot: heard "${message.content}" from ${message.senderDisplayName ?? message.sender?.rawId}`);
    const reply = message.content.trim().toLowerCase() === 'help' ? HELP : `echo: ${message.content}`;
    await session.chat.thread(threadId).send(reply);
  });
  // A reply that failed (the thread was deleted, the bot removed, ACS unreachable) comes here.
  session.on('error', (e) => console.error(`bot error: ${e.error.code}: ${e.error.message}`));
}

const { ACS_ENDPOINT: endpoint, ACS_TOKEN_URL: tokenUrl, ACS_TOKEN_AUTHORIZATION: authorization } = process.env;
if (endpoint || tokenUrl) {
  if (endpoint && tokenUrl) await runOnAcs(endpoint, tokenUrl);
  else {
    console.error('Set both ACS_ENDPOINT and ACS_TOKEN_URL (or neither, for the local emulator).');
    process.exitCode = 2;
  }
} else {
  await runOnEmulator();
}

async function runOnAcs(endpoint, tokenUrl) {
  const token = fetchToken(tokenUrl, authorization ? { headers: { authorization } } : undefined);
  const bot = await createSession({ endpoint, token, displayName: 'Echo bot', chat: { realtime: 'poll' } });
  runBot(bot);
  console.log(`bot: running as ${bot.user.rawId}; add this user to a thread to talk to it. Ctrl-C stops it.`);
  const stop = () => void bot.dispose();
  process.once('SIGINT', stop).once('SIGTERM', stop);
  await bot.waitForState('disconnected');
}

async function runOnEmulator() {
  const emulator = await startEmulator();
  try {
    // In a real app tokens come from your token service (examples/token-server.mjs); the emulator
    // hands them out itself.
    const open = (displayName) => {
      const user = emulator.createUser();
      return createSession({
        endpoint: emulator.endpoint,
        token: async () => emulator.issueToken(user, ['chat']),
        displayName,
        clientOptions: emulatorClientOptions(emulator), // trust the emulator's self-signed certificate
        chat: { realtime: 'poll', pollIntervalMs: 200 },
      });
    };
    const bot = await open('Echo bot');
    const ada = await open('Ada');
    try {
      runBot(bot);

      // A person talking to it: each line she says waits for the bot's answer.
      const replies = [];
      ada.on('messageReceived', ({ message }) => {
        if (message.isOwn) return;
        replies.push(message.content);
        console.log(`ada: got "${message.content}"`);
      });
      const answer = () => ada.waitFor('messageReceived', { filter: (e) => !e.message.isOwn, timeoutMs: 10_000 });
      let answered = answer();
      const thread = await ada.chat.createThread({ topic: 'Bot test', participants: [{ id: bot.user, displayName: 'Echo bot' }] });
      await answered;
      for (const line of ['help', 'hello bot']) {
        answered = answer();
        await thread.send(line);
        await answered;
      }
      console.log(`transcript: ${replies.join(' | ')}`);
    } finally {
      await Promise.all([bot.dispose(), ada.dispose()]);
    }
  } finally {
    await emulator.close();
  }
}
