// Calls on the local emulator, offline, with no media (membership, ringing and mute flags only):
//   npm run build && node examples/calls-on-emulator.mjs
//
// 1. Ada calls Grace; Grace's session rings and she accepts;
// 2. they mute and unmute, and each sees the other's microphone change;
// 3. Alan joins a group call with them and leaves; Ada ends it for everyone;
// 4. a call nobody answers, and one to a user who is not online, end with readable reasons.
import { CommunicationIdentityClient } from '@azure/communication-identity';
import { createSession } from 'acs-session';
import { emulatorClientOptions, startEmulator } from 'acs-session/emulator';

const emulator = await startEmulator({ calling: { ringTimeoutMs: 1_000 } });
const trust = emulatorClientOptions(emulator);
const identity = new CommunicationIdentityClient(emulator.connectionString, trust);
const sessions = [];
try {
  // In a real app the tokens come from your token service (acs-session/server).
  const open = async (displayName) => {
    const user = await identity.createUser();
    const session = await createSession({
      endpoint: emulator.endpoint,
      token: async () => identity.getToken(user, ['voip']),
      displayName,
      calling: trust, // the emulator endpoint picks the local provider; this trusts its certificate
    });
    sessions.push(session);
    session.on('callEnded', ({ reason }) => console.log(`${displayName}: call ended: ${reason.kind} (${reason.code}/${reason.subCode})`));
    return session;
  };
  const [ada, grace, alan] = [await open('Ada'), await open('Grace'), await open('Alan')];

  await grace.calls.connect(); // Grace's session rings from now on
  const answered = new Promise((resolve, reject) => {
    grace.once('incomingCall', ({ incomingCall }) => {
      console.log(`Grace: ${incomingCall.caller.displayName} is calling`);
      incomingCall.accept().then(resolve, reject);
    });
  });
  const call = await ada.calls.start([grace.user]);
  const graceCall = await answered;
  if (call.state !== 'connected') {
    await ada.waitFor('callStateChanged', { filter: (e) => e.call === call && e.state === 'connected', timeoutMs: 5_000 });
  }
  console.log(
    `Ada: connected to ${Object.values(call.participants)
      .map((p) => p.displayName)
      .join(', ')}`,
  );

  ada.on('participantUpdated', ({ participant, changes }) => {
    if (changes.includes('isMuted')) console.log(`Ada sees ${participant.displayName} ${participant.isMuted ? 'muted' : 'unmuted'}`);
  });
  // Start waiting before acting: the update can reach Ada before Grace's mute() resolves.
  const seen = (muted) => ada.waitFor('participantUpdated', { filter: (e) => e.participant.isMuted === muted, timeoutMs: 5_000 });
  let update = seen(true);
  await graceCall.mute();
  await update;
  update = seen(false);
  await graceCall.unmute();
  await update;
  await call.hangUp();

  const groupId = crypto.randomUUID();
  const group = await ada.calls.join({ groupId });
  await grace.calls.join({ groupId });
  const offJoined = ada.on('participantJoined', ({ participant }) => console.log(`Ada: ${participant.displayName} joined`));
  const offLeft = ada.on('participantLeft', ({ participant }) => console.log(`Ada: ${participant.displayName} left`));
  const alanJoined = ada.waitFor('participantJoined', { filter: (e) => e.participant.displayName === 'Alan', timeoutMs: 5_000 });
  const alanCall = await alan.calls.join({ groupId });
  await alanJoined;
  const alanLeft = ada.waitFor('participantLeft', { timeoutMs: 5_000 });
  await alanCall.hangUp();
  await alanLeft;
  await group.hangUp({ forEveryone: true });
  offJoined();
  offLeft();

  // Alan's session is connected (it joined a call), so a call to him rings, and nobody answers.
  const ignored = await ada.calls.start([alan.user]);
  if (ignored.state !== 'disconnected') await ada.waitFor('callEnded', { filter: (e) => e.call === ignored, timeoutMs: 5_000 });
  // A user with no session online cannot be rung at all.
  const nobody = await identity.createUser();
  const unreachable = await ada.calls.start([nobody]);
  if (unreachable.state !== 'disconnected') await ada.waitFor('callEnded', { filter: (e) => e.call === unreachable, timeoutMs: 5_000 });
} finally {
  for (const session of sessions) await session.dispose();
  await emulator.close();
}
