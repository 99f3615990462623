// session.chat polling against the emulator, with the default schedule (1 s active, 5 s idle):
// - send → messageReceived latency (p50/p95) between two sessions, beside a raw ChatClient
//   sendMessage-then-listMessages round trip measured in the same run (the floor any REST live
//   source has). Sends are spaced 0–3 s apart at random, so the receiver is sometimes idle; no target;
// - the poller's requests per minute for a session in 1, 100 and 1 000 quiet threads, counted by a
//   pipeline policy on the session's own clients over 20 s, and requests per polling round (rounds
//   counted as its listChatThreads requests; per-minute counts over a short window move with the
//   rounds' phase, per-round counts do not). Target: a round in 1 000 quiet threads costs no more
//   than 1.2x a round in 1 thread (the poller's cost must not grow with quiet threads).
// Loopback only; every wait is bounded.
import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';
import { CommunicationIdentityClient } from '@azure/communication-identity';
import { emulatorClientOptions, startEmulator } from '../dist/emulator.js';
import { createSession } from '../dist/index.js';

const SAMPLES = 15;
const RATE_WINDOW_MS = 20_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

export default async function chatPolling(report) {
  const emu = await startEmulator();
  try {
    const identity = new CommunicationIdentityClient(emu.connectionString, emulatorClientOptions(emu));
    const tokenFor = (user) => async () => (await identity.getToken(user, ['chat'])).token;
    const options = (user, extra = {}) => ({ endpoint: emu.endpoint, token: tokenFor(user), clientOptions: emulatorClientOptions(emu), ...extra });

    // Latency.
    const [adaId, graceId] = [await identity.createUser(), await identity.createUser()];
    const ada = await createSession(options(adaId, { displayName: 'Ada' }));
    const grace = await createSession(options(graceId, { displayName: 'Grace' }));
    const arrived = new Map();
    grace.on('messageReceived', (e) => arrived.set(e.message.id, performance.now()));
    const thread = await ada.chat.createThread({ topic: 'bench', participants: [graceId] });
    const latencies = [];
    for (let i = 0; i < SAMPLES; i++) {
      await sleep(Math.random() * 3_000);
      const started = performance.now();
      const { id } = await thread.send(`sample ${i}`);
      const deadline = started + 15_000;
      while (!arrived.has(id) && performance.now() < deadline) await sleep(5);
      if (arrived.has(id)) latencies.push(arrived.get(id) - started);
    }
    await Promise.all([ada.dispose(), grace.dispose()]);

    const raw = new ChatClient(
      emu.endpoint,
      new AzureCommunicationTokenCredential((await identity.getToken(adaId, ['chat'])).token),
      emulatorClientOptions(emu),
    );
    const rawThread = raw.getChatThreadClient(thread.id);
    const trips = [];
    for (let i = 0; i < SAMPLES; i++) {
      const started = performance.now();
      const { id } = await rawThread.sendMessage({ content: `raw ${i}` });
      for await (const message of rawThread.listMessages({ maxPageSize: 20 })) if (message.id === id) break;
      trips.push(performance.now() - started);
    }
    report(`send → messageReceived p50 (polling, ${latencies.length}/${SAMPLES} arrived)`, {
      value: percentile(latencies, 50),
      unit: 'ms',
      baseline: percentile(trips, 50),
    });
    report('send → messageReceived p95 (polling)', { value: percentile(latencies, 95), unit: 'ms', baseline: percentile(trips, 95) });

    // Requests per minute in quiet threads.
    const rates = new Map();
    const member = await identity.createUser();
    const creator = new ChatClient(
      emu.endpoint,
      new AzureCommunicationTokenCredential((await identity.getToken(member, ['chat'])).token),
      emulatorClientOptions(emu),
    );
    let created = 0;
    for (const threads of [1, 100, 1_000]) {
      while (created < threads) {
        await creator.createChatThread({ topic: `quiet ${created}` }, { participants: [{ id: member }] });
        created++;
      }
      let requests = 0;
      let rounds = 0;
      const counter = {
        name: 'benchCounter',
        sendRequest: (request, next) => {
          requests++;
          if (request.method === 'GET' && new URL(request.url).pathname.replace(/\/+$/, '') === '/chat/threads') rounds++;
          return next(request);
        },
      };
      const session = await createSession(
        options(member, { clientOptions: { ...emulatorClientOptions(emu), additionalPolicies: [{ policy: counter, position: 'perRetry' }] } }),
      );
      session.on('messageReceived', () => undefined); // starts polling
      await sleep(5_000); // past the first rounds, into the idle schedule
      requests = 0;
      rounds = 0;
      await sleep(RATE_WINDOW_MS);
      rates.set(threads, { perMinute: requests * (60_000 / RATE_WINDOW_MS), perRound: requests / Math.max(1, rounds) });
      await session.dispose();
    }
    const one = rates.get(1);
    for (const threads of [1, 100, 1_000]) {
      const { perMinute, perRound } = rates.get(threads);
      report(`poller requests/min, ${threads.toLocaleString('en-US')} quiet thread(s)`, { value: perMinute, unit: 'req/min' });
      report(`poller requests/round, ${threads.toLocaleString('en-US')} quiet thread(s)`, {
        value: perRound,
        unit: 'req/round',
        ...(threads > 1 && { baseline: one.perRound, ratio: perRound / one.perRound, target: 1.2 }),
      });
    }
  } finally {
    await emu.close();
  }
}
