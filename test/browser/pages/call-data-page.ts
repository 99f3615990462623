// Runs in Chromium: acs-session's call.data on the local calling provider, bundled for the browser.
// Two pages are the two ends of a 1:1 call through the emulator's call service (WSS, cross-origin).
import { type Call, createSession, type Session } from '../../../src/index.js';
import { until } from '../../support/until.js';

export interface CallDataPageInput {
  endpoint: string;
  token: string;
  /** 'caller' starts the call and sends; 'callee' accepts and receives. */
  role: 'caller' | 'callee';
  peerId: string;
}

export interface CallDataPageResult {
  /** callee: the counter values in arrival order. */
  counter: number[];
  /** caller: the RPC answer. */
  sum: number | undefined;
  /** Both: file bytes sent/received, their checksum, and the progress values seen. */
  file: { size: number; checksum: number; progress: number[]; type: string } | undefined;
  endReason: string | undefined;
}

const MESSAGES = 1_000;
const FILE_BYTES = 1024 * 1024;

function checksum(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

async function runCallData({ endpoint, token, role, peerId }: CallDataPageInput): Promise<CallDataPageResult> {
  const session = await createSession({ endpoint, token, displayName: role });
  try {
    return role === 'caller' ? await caller(session, peerId) : await callee(session);
  } finally {
    await session.dispose();
  }
}

async function caller(session: Session, peerId: string): Promise<CallDataPageResult> {
  const call = await session.calls.start([peerId]);
  await until(() => call.participants[peerId]?.state === 'connected', 'the callee to pick up', 20_000);
  // No handshake: what arrives before the callee's app listens waits for it (call.data holds it).
  const counter = call.data.channel<{ n: number }>('counter');
  await Promise.all(Array.from({ length: MESSAGES }, (_, n) => counter.send({ n })));
  const sum = await call.data.request<number>('sum', [1, 2, 3], { to: peerId, timeoutMs: 10_000 });
  const bytes = new Uint8Array(FILE_BYTES).map((_, i) => (i * 31) % 256);
  const progress: number[] = [];
  await call.data.sendFile(new Blob([bytes], { type: 'application/octet-stream' }), {
    name: 'page.bin',
    to: peerId,
    onProgress: ({ transferred }) => progress.push(transferred),
  });
  // The callee hangs up for everyone once it has the whole file.
  const ended = await session.waitFor('callEnded', { filter: (e) => e.call === call, timeoutMs: 20_000 });
  return {
    counter: [],
    sum,
    file: { size: bytes.length, checksum: checksum(bytes), progress, type: 'application/octet-stream' },
    endReason: ended.reason.kind,
  };
}

async function callee(session: Session): Promise<CallDataPageResult> {
  const ringing = session.waitFor('incomingCall', { timeoutMs: 20_000 });
  await session.calls.connect();
  (globalThis as { calleeReady?: boolean }).calleeReady = true; // the test starts the caller now
  const { incomingCall } = await ringing;
  const call: Call = await incomingCall.accept();
  const counter: number[] = [];
  call.data.channel<{ n: number }>('counter').on('message', ({ value }) => counter.push(value.n));
  call.data.handle('sum', (payload: number[]) => payload.reduce((x, y) => x + y, 0));
  // A file is accepted by a listener on the session stream; bytes() gathers it, blob() in a browser.
  const file = session.waitFor('incomingFile', { timeoutMs: 20_000 }).then(async ({ file: incoming }) => {
    const progress: number[] = [];
    incoming.onProgress(({ transferred }) => progress.push(transferred));
    const blob = await incoming.blob();
    const bytes = new Uint8Array(await blob.arrayBuffer());
    return { size: bytes.length, checksum: checksum(bytes), progress, type: blob.type };
  });
  const received = await file;
  await until(() => counter.length >= MESSAGES, `${MESSAGES} counter messages`, 20_000);
  await call.hangUp({ forEveryone: true });
  return { counter, sum: undefined, file: received, endReason: call.endReason?.kind };
}

(globalThis as { runCallData?: typeof runCallData }).runCallData = runCallData;
