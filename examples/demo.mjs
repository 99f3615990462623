// The acs-session demo: two people chat, then call with a third and send data over the call (cursor
// positions, a request, a 1 MB file), through their own sessions on the local emulator, offline.
//   npm run demo        (builds the package quietly, then runs this file)
//
// Ada and Grace each get a session (their own token, polling as the live source for chat); Alan gets
// one for the call. Calls go through the emulator's call service (the local calling provider:
// membership, ringing and mute flags, no media). Each step is one person doing something; the
// transcript shows what the *other* sessions received as events, which is what an app renders. Every step waits for its event (a few polls, never a fixed sleep)
// and fails the demo with a clear message if the event never comes (after DEMO_STEP_TIMEOUT_MS,
// default 10 000).
// (In TypeScript, or on a Node that has `await using`, that statement replaces the try/finally blocks.)
import { createSession, isSessionError } from 'acs-session';
import { emulatorClientOptions, startEmulator } from 'acs-session/emulator';

const STEP_TIMEOUT_MS = Number(process.env.DEMO_STEP_TIMEOUT_MS ?? 10_000);
const started = performance.now();

// What the steps share: the sessions (`ada`, `grace`, `alan`), each one's handle on the thread and on
// the call, the messages they refer to later, and the calls a session hung up itself.
const demo = { thread: {}, call: {}, ringing: {}, texts: new Map(), hungUpHere: new WeakSet() };

// Each step: who acts, what they do, and the event (or events) the other sessions must receive —
// or, for data over the call, what the other side's app must receive (`listen`, set up before `run`).
// To extend the demo, add a step.
const OOPS = '(meant for another thread)';
const steps = [
  {
    title: 'Ada creates a thread and adds Grace',
    expect: { who: 'grace', event: 'threadCreated', filter: (e) => e.reason === 'added' },
    run: async () => {
      demo.thread.ada = await demo.ada.chat.createThread({ topic: 'Launch plans' });
      await demo.thread.ada.participants.add([{ id: demo.grace.user, displayName: 'Grace' }]);
    },
    // Grace's app opens the thread it was added to: from now on her session also watches it for
    // edits, deletes and read receipts.
    after: (e) => {
      demo.thread.grace = demo.grace.chat.thread(e.threadId);
    },
  },
  {
    title: 'Ada says hello',
    expect: { who: 'grace', event: 'messageReceived', filter: (e) => !e.message.isOwn },
    run: async () => {
      demo.hello = await demo.thread.ada.send('Hi Grace, ready for Friday?');
    },
  },
  {
    title: 'Grace answers',
    expect: { who: 'ada', event: 'messageReceived', filter: (e) => !e.message.isOwn },
    run: () => demo.thread.grace.send('Almost: the slides need one more pass.'),
  },
  {
    title: 'Ada edits her message',
    expect: { who: 'grace', event: 'messageEdited', filter: (e) => e.message.id === demo.hello.id },
    run: () => demo.thread.ada.editMessage(demo.hello.id, 'Hi Grace, ready for the launch on Friday?'),
  },
  {
    title: 'Grace sends a message by mistake',
    // By content: Ada may receive it before Grace's send() has returned its id.
    expect: { who: 'ada', event: 'messageReceived', filter: (e) => !e.message.isOwn && e.message.content === OOPS },
    run: async () => {
      demo.oops = await demo.thread.grace.send(OOPS);
    },
  },
  {
    title: 'Grace deletes it',
    expect: { who: 'ada', event: 'messageDeleted', filter: (e) => e.messageId === demo.oops.id },
    run: () => demo.thread.grace.deleteMessage(demo.oops.id),
  },
  {
    title: "Grace marks Ada's message as read",
    expect: { who: 'ada', event: 'readReceiptReceived', filter: (e) => e.receipt.messageId === demo.hello.id },
    run: () => demo.thread.grace.markRead(demo.hello.id),
  },
  {
    title: 'Grace renames the thread',
    expect: { who: 'ada', event: 'threadUpdated', filter: (e) => e.topic === 'Launch on Friday' },
    run: () => demo.thread.grace.update({ topic: 'Launch on Friday' }),
  },
  // The call: Ada calls Grace; later she adds Alan, who joins and leaves again.
  {
    title: 'Ada calls Grace',
    expect: { who: 'grace', event: 'incomingCall' },
    run: async () => {
      demo.call.ada = await demo.ada.calls.start([demo.grace.user]);
    },
    after: (forGrace) => {
      demo.ringing.grace = forGrace.incomingCall;
    },
  },
  {
    title: 'Grace picks up',
    expect: { who: 'ada', event: 'participantUpdated', filter: (e) => isNow(e, 'grace', 'connected') },
    run: async () => {
      demo.call.grace = await demo.ringing.grace.accept();
    },
  },
  {
    title: 'Grace mutes',
    expect: { who: 'ada', event: 'participantUpdated', filter: (e) => e.participant.rawId === demo.grace.user.rawId && e.participant.isMuted },
    run: () => demo.call.grace.mute(),
  },
  {
    title: 'Grace unmutes',
    expect: { who: 'ada', event: 'participantUpdated', filter: (e) => e.participant.rawId === demo.grace.user.rawId && !e.participant.isMuted },
    run: () => demo.call.grace.unmute(),
  },
  {
    title: 'Ada adds Alan to the call: it rings him',
    expect: [
      { who: 'alan', event: 'incomingCall' },
      { who: 'grace', event: 'participantJoined', filter: (e) => e.participant.rawId === demo.alan.user.rawId },
    ],
    run: () => demo.call.ada.addParticipant(demo.alan.user),
    after: (forAlan) => {
      demo.ringing.alan = forAlan.incomingCall;
    },
  },
  {
    title: 'Alan picks up and joins the call',
    expect: [
      { who: 'ada', event: 'participantUpdated', filter: (e) => isNow(e, 'alan', 'connected') },
      { who: 'grace', event: 'participantUpdated', filter: (e) => isNow(e, 'alan', 'connected') },
    ],
    run: async () => {
      demo.call.alan = await demo.ringing.alan.accept();
    },
  },
  {
    title: 'Alan hangs up: he leaves, the call goes on',
    expect: [
      { who: 'ada', event: 'participantLeft', filter: (e) => e.participant.rawId === demo.alan.user.rawId },
      { who: 'grace', event: 'participantLeft', filter: (e) => e.participant.rawId === demo.alan.user.rawId },
    ],
    run: () => hangUp(demo.call.alan),
  },
  // Data over the call (`call.data`): values on channels, a request with an answer, a file.
  {
    title: 'Ada moves her pointer: Grace sees where (a lossy channel)',
    listen: {
      what: "Grace's app received no pointer position",
      received: () =>
        new Promise((resolve) => {
          demo.call.grace.data.channel('pointer', { reliability: 'lossy' }).on('message', ({ value, from }) => {
            console.log(`  [Grace] ← pointer: ${names.get(from.rawId)} at (${value.x}, ${value.y})`);
            if (value.last) resolve();
          });
        }),
    },
    run: async () => {
      const pointer = demo.call.ada.data.channel('pointer', { reliability: 'lossy' });
      for (const [x, y] of POINTER_PATH) await pointer.send({ x, y, last: x === POINTER_PATH.at(-1)[0] });
    },
  },
  {
    title: "Grace asks Ada's app which slide is showing (a request with an answer)",
    listen: {
      what: "Ada's app received no request",
      received: () =>
        new Promise((resolve) => {
          demo.call.ada.data.handle('currentSlide', (_payload, { from }) => {
            console.log(`  [Ada] ← request currentSlide from ${names.get(from.rawId)}`);
            resolve();
            return { slide: 12, title: 'Launch timeline' };
          });
        }),
    },
    run: async () => {
      const answer = await demo.call.grace.data.request('currentSlide', {}, { to: demo.ada.user, timeoutMs: STEP_TIMEOUT_MS });
      console.log(`  [Grace] got the answer: slide ${answer.slide}, "${answer.title}"`);
    },
  },
  {
    title: 'Ada sends Grace the slides: a 1 MB file, with progress',
    expect: { who: 'grace', event: 'incomingFile' },
    run: async () => {
      const slides = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
      const bar = progressBar('[Ada] → slides.pdf');
      await demo.call.ada.data.sendFile(slides, { name: 'slides.pdf', type: 'application/pdf', to: demo.grace.user, onProgress: bar });
    },
    // Grace's app reads the whole file (the session's incomingFile listener accepted it).
    after: async ({ file }) => {
      const bytes = await file.bytes();
      console.log(`  [Grace] saved ${file.name}: ${bytes.length.toLocaleString('en-US')} bytes`);
    },
  },
  {
    title: 'Ada ends the call for everyone',
    expect: { who: 'grace', event: 'callEnded', filter: (e) => e.call === demo.call.grace },
    run: () => hangUp(demo.call.ada, { forEveryone: true }),
  },
];

const POINTER_PATH = [
  [120, 80],
  [180, 95],
  [240, 130],
  [300, 160],
];

/**
 * A progress bar on the terminal for `sendFile`'s `onProgress`: redrawn in place on a TTY, a line
 * per quarter otherwise (a log, or the demo's own test).
 */
function progressBar(label) {
  const width = 24;
  let shownQuarter = -1;
  return ({ transferred, size }) => {
    const ratio = size ? transferred / size : 0;
    const filled = Math.round(ratio * width);
    const line = `  ${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(ratio * 100)}%`;
    if (process.stdout.isTTY) {
      process.stdout.write(`\r${line}${ratio >= 1 ? '\n' : ''}`);
      return;
    }
    const quarter = Math.floor(ratio * 4);
    if (quarter > shownQuarter) {
      shownQuarter = quarter;
      console.log(line);
    }
  };
}

/** Whether a `participantUpdated` event says that `key`'s person has just reached `state`. */
function isNow(e, key, state) {
  return e.participant.rawId === demo[key].user.rawId && e.changes.includes('state') && e.participant.state === state;
}

/** `promise`, or a rejection saying `what` did not happen after `ms`. */
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(what)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Hangs up, remembering that this session's own `callEnded` is not news to it. */
function hangUp(call, options) {
  demo.hungUpHere.add(call);
  return call.hangUp(options);
}

const emulator = await startEmulator();
let failed = false;
const names = new Map();
try {
  // `voip` is the scope the call service checks; Alan only calls, so his token has no `chat`.
  const open = async (key, displayName, scopes) => {
    const user = emulator.createUser(); // in a real app, your token service does this (examples/token-server.mjs)
    const session = await createSession({
      endpoint: emulator.endpoint,
      token: async () => emulator.issueToken(user, scopes),
      displayName,
      clientOptions: emulatorClientOptions(emulator), // trust the emulator's self-signed certificate (chat and calls)
      chat: { realtime: 'poll', pollIntervalMs: 100, idlePollIntervalMs: 400 },
    });
    names.set(session.user.rawId, displayName);
    demo[key] = session;
    return session;
  };
  await open('ada', 'Ada', ['chat', 'voip']);
  await open('grace', 'Grace', ['chat', 'voip']);
  await open('alan', 'Alan', ['voip']);
  // A session rings only once it is connected to calling (a caller connects by calling).
  await Promise.all([demo.grace.calls.connect(), demo.alan.calls.connect()]);
  const nameOf = (identifier, me) => {
    if (!identifier) return 'someone';
    if (identifier.rawId === me) return 'you';
    return names.get(identifier.rawId) ?? identifier.rawId;
  };
  const people = (participants, me) => participants.map((p) => nameOf(p.id, me)).join(', ');
  // Adding yourself is what creating a thread looks like in its history.
  const added = (e, me) =>
    e.participants.every((p) => p.id.rawId === e.addedBy?.rawId)
      ? `${nameOf(e.addedBy, me)} joined`
      : `${nameOf(e.addedBy, me)} added ${people(e.participants, me)}`;

  // The transcript: every chat event a session receives that it did not cause itself.
  const describe = {
    threadCreated: (e, me) => (e.reason === 'added' ? `${nameOf(e.by, me)} added you to "${e.topic}"` : undefined),
    messageReceived: (e) => (e.message.isOwn ? undefined : `from ${e.message.senderDisplayName}: "${e.message.content}"`),
    messageEdited: (e) => (e.message.isOwn ? undefined : `${e.message.senderDisplayName} edited a message: "${e.message.content}"`),
    messageDeleted: (e, me) => (e.message.isOwn ? undefined : `${e.message.senderDisplayName ?? nameOf(e.message.sender, me)} deleted a message`),
    readReceiptReceived: (e, me) =>
      e.receipt.sender.rawId === me ? undefined : `${nameOf(e.receipt.sender, me)} read "${demo.texts.get(e.receipt.messageId) ?? e.receipt.messageId}"`,
    participantsAdded: (e, me) => (e.addedBy?.rawId === me ? undefined : added(e, me)),
    participantsRemoved: (e, me) => (e.removedBy?.rawId === me ? undefined : `${nameOf(e.removedBy, me)} removed ${people(e.participants, me)}`),
    threadUpdated: (e, me) => (e.updatedBy?.rawId === me ? undefined : `${nameOf(e.updatedBy, me)} set the topic to "${e.topic}"`),
    threadDeleted: () => 'the thread was deleted',
    // The call: who rings, who is in it, their microphones, and how it ended.
    incomingCall: (e, me) => `${e.incomingCall.caller.displayName ?? nameOf(e.incomingCall.caller.identifier, me)} is calling`,
    participantJoined: (e, me) => `${nameOf(e.participant.identifier, me)} ${e.participant.state === 'ringing' ? 'is ringing' : 'is in the call'}`,
    participantUpdated: (e, me) => {
      const what = [];
      if (e.changes.includes('state'))
        what.push(e.previous.state === 'ringing' && e.participant.state === 'connected' ? 'picked up' : `is ${e.participant.state}`);
      if (e.changes.includes('isMuted')) what.push(e.participant.isMuted ? 'muted' : 'unmuted');
      return what.length === 0 ? undefined : `${nameOf(e.participant.identifier, me)} ${what.join(' and ')}`;
    },
    participantLeft: (e, me) => `${nameOf(e.participant.identifier, me)} left`,
    callEnded: (e) => (demo.hungUpHere.has(e.call) ? undefined : `${e.reason.kind}: ${e.reason.message}`),
    // Data over the call: a file on its way (a listener here is what accepts it), and dropped data.
    incomingFile: (e, me) => `${nameOf(e.file.from, me)} is sending "${e.file.name}" (${e.file.size?.toLocaleString('en-US')} bytes)`,
    dataError: (e) => `dropped data: ${e.error.code}`,
  };
  for (const [key, name] of [
    ['ada', 'Ada'],
    ['grace', 'Grace'],
    ['alan', 'Alan'],
  ]) {
    const session = demo[key];
    for (const [type, line] of Object.entries(describe)) {
      session.on(type, (e) => {
        if (type === 'messageReceived' || type === 'messageEdited') demo.texts.set(e.message.id, e.message.content); // to name what a receipt points at
        const text = line(e, session.user.rawId);
        if (text !== undefined) console.log(`  [${name}] ← ${type}: ${text}`);
      });
    }
    session.on('error', (e) => console.error(`  [${name}] error: ${e.error.code}: ${e.error.message}`));
  }

  for (const [index, step] of steps.entries()) {
    console.log(`${index + 1}. ${step.title}`);
    const expected = step.expect ? [step.expect].flat() : [];
    // Listen before acting, so no event can slip past (and mark each wait handled: it may time out
    // while the step is still acting; the failure is reported below).
    const received = expected.map(({ who, event, filter }) => {
      const wait = demo[who].waitFor(event, { filter, timeoutMs: STEP_TIMEOUT_MS });
      wait.catch(() => undefined);
      return wait;
    });
    const heard = step.listen && within(step.listen.received(), STEP_TIMEOUT_MS, `${step.listen.what} within ${STEP_TIMEOUT_MS} ms`);
    heard?.catch(() => undefined);
    let waiting = expected[0];
    try {
      await step.run();
      const events = [];
      for (const [at, wait] of received.entries()) {
        waiting = expected[at];
        events.push(await wait);
      }
      await heard;
      await step.after?.(...events);
    } catch (error) {
      const reason = isSessionError(error, 'TIMEOUT')
        ? `${demo[waiting.who].displayName}'s session received no ${waiting.event} event within ${STEP_TIMEOUT_MS} ms`
        : `${error.code ?? error.name}: ${error.message}`;
      console.error(`demo failed at step ${index + 1} (${step.title}): ${reason}`);
      failed = true;
      break;
    }
  }
} finally {
  await Promise.all([demo.ada?.dispose(), demo.grace?.dispose(), demo.alan?.dispose()]);
  await emulator.close();
}
if (failed) process.exitCode = 1;
else console.log(`Done: ${steps.length} steps, each received by the other sessions, in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
