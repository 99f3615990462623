import type { CommunicationTokenCredential } from '@azure/communication-common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EmitCallEvent } from '../../../src/calling/call.js';
import { SessionCallsImpl } from '../../../src/calling/calls.js';
import type { CallEvents } from '../../../src/calling/events.js';
import { LocalProvider } from '../../../src/calling/local/local-provider.js';
import { type ClientMessage, encodeRelayFrame, type ServerMessage } from '../../../src/calling/local/protocol.js';
import { encodeMessage, topicId } from '../../../src/data/frame.js';
import type { CallSocket, OpenSocketOptions, SocketHandlers } from '../../../src/calling/local/socket.js';
import type { SessionError } from '../../../src/errors.js';

// The local provider against a hand-written fake socket: the protocol edge cases and the reconnect
// schedule, with fake timers.
const credential: CommunicationTokenCredential = { getToken: async () => ({ token: 'jwt', expiresOnTimestamp: 0 }), dispose: () => undefined };

class FakeServer {
  readonly opened: { url: string; handlers: SocketHandlers; sent: ClientMessage[]; closed: boolean }[] = [];
  /** Whether the next open succeeds. */
  reachable = true;
  /** Answers the next hellos by closing with this code instead of a welcome. */
  refuseHello: number | undefined;

  open = async (url: string, handlers: SocketHandlers, _options: OpenSocketOptions): Promise<CallSocket> => {
    if (!this.reachable) throw new Error('ECONNREFUSED');
    const entry = { url, handlers, sent: [] as ClientMessage[], closed: false };
    this.opened.push(entry);
    const socket: CallSocket = {
      bufferedAmount: 0,
      send: (data) => {
        if (typeof data !== 'string') return;
        const message = JSON.parse(data) as ClientMessage;
        entry.sent.push(message);
        const refuse = this.refuseHello;
        if (message.op === 'hello' && refuse !== undefined) queueMicrotask(() => handlers.close(refuse, 'refused'));
        else if (message.op === 'hello')
          queueMicrotask(() => handlers.message(JSON.stringify({ ev: 'welcome', rawId: '8:acs:r_ada', maxMessageSize: 32_768 })));
      },
      close: () => {
        entry.closed = true;
      },
    };
    return socket;
  };

  get last() {
    const entry = this.opened.at(-1);
    if (!entry) throw new Error('no socket');
    return entry;
  }

  push(message: ServerMessage): void {
    this.last.handlers.message(JSON.stringify(message));
  }
}

function setup() {
  const server = new FakeServer();
  const connectivity = vi.fn<(connected: boolean, error?: SessionError) => void>();
  const tokenRejected = vi.fn<() => void>();
  const reportError = vi.fn<(error: unknown, source: string) => void>();
  const events: CallEvents[keyof CallEvents][] = [];
  const emit: EmitCallEvent = (event) => events.push(event);
  const calls = new SessionCallsImpl({
    calling: { provider: 'local', iceServers: undefined, ca: undefined, loadSdk: undefined, data: {} },
    createProvider: async (context) => new LocalProvider(context, { openSocket: server.open }),
    emit,
    hasListener: () => false,
    context: {
      endpoint: 'https://127.0.0.1:8443',
      displayName: 'Ada',
      selfRawId: () => '8:acs:r_ada',
      credential,
      getToken: async () => 'jwt',
      reportError,
      tokenRejected,
      connectivity,
    },
  });
  return { server, events, calls, connectivity, tokenRejected, reportError };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('local provider', () => {
  it('connects to wss://<endpoint>/_emulator/calling and says hello with the token and name', async () => {
    const { server, calls } = setup();
    await calls.connect();
    expect(server.last.url).toBe('wss://127.0.0.1:8443/_emulator/calling');
    expect(server.last.sent[0]).toEqual({ op: 'hello', token: 'jwt', displayName: 'Ada' });
    await calls.dispose();
    expect(server.last.closed).toBe(true);
  });

  it('holds a view and an ending that arrive before the result of start, and replays them after callStarted', async () => {
    const { server, events, calls } = setup();
    await calls.connect();
    const started = calls.start(['8:acs:r_grace']);
    await vi.waitFor(() => expect(server.last.sent[1]).toMatchObject({ op: 'start', targets: ['8:acs:r_grace'] }));
    const req = (server.last.sent[1] as { req: number }).req;
    server.push({
      ev: 'call',
      call: { id: 'c1', kind: 'adhoc', state: 'ringing', muted: false, participants: [{ rawId: '8:acs:r_grace', state: 'ringing', muted: false }] },
    });
    server.push({ ev: 'ended', callId: 'c1', reason: { code: 480, subCode: 10037 } });
    server.push({ ev: 'result', req, callId: 'c1' });
    const call = await started;
    expect(events.map((e) => e.type)).toEqual(['callStarted', 'participantJoined', 'callStateChanged', 'callStateChanged', 'callEnded']);
    expect(call.endReason?.kind).toBe('unreachable');
    await calls.dispose();
  });

  it("keeps a data frame that arrives in the same read as the call's result, for call.data", async () => {
    const { server, calls } = setup();
    await calls.connect();
    const started = calls.start(['8:acs:r_grace']);
    await vi.waitFor(() => expect(server.last.sent[1]).toMatchObject({ op: 'start' }));
    const req = (server.last.sent[1] as { req: number }).req;
    // Synchronously one after the other, as `ws` emits the messages of one TCP read.
    server.push({ ev: 'result', req, callId: 'c1' });
    const note = encodeMessage(topicId('notes'), 0, new TextEncoder().encode(JSON.stringify({ text: 'first' })));
    server.last.handlers.message(encodeRelayFrame({ c: 'c1', ch: 1, from: '8:acs:r_grace' }, note));
    const call = await started;
    const got = await new Promise((resolve) => call.data.channel('notes').on('message', ({ value, from }) => resolve({ value, from: from.rawId })));
    expect(got).toEqual({ value: { text: 'first' }, from: '8:acs:r_grace' });
    await calls.dispose();
  });

  it('reconnects after the socket drops, waiting 250, 500, 1000 ms… while the service is away, and stops at dispose', async () => {
    vi.useFakeTimers();
    const { server, calls } = setup();
    await calls.connect();
    expect(server.opened).toHaveLength(1);
    server.reachable = false;
    server.last.handlers.close(1006, '');
    await vi.advanceTimersByTimeAsync(249);
    expect(server.opened).toHaveLength(1);
    server.reachable = true;
    await vi.advanceTimersByTimeAsync(1);
    expect(server.opened).toHaveLength(2);
    server.reachable = false;
    server.last.handlers.close(1006, '');
    // The successful reconnect reset the schedule: 250 ms again, then 500 after a failure.
    await vi.advanceTimersByTimeAsync(250);
    expect(server.opened).toHaveLength(2);
    server.reachable = true;
    await vi.advanceTimersByTimeAsync(499);
    expect(server.opened).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.opened).toHaveLength(3);
    server.last.handlers.close(1006, '');
    await calls.dispose();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.opened).toHaveLength(3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reports a dropped socket as a lost connection and the reconnect as restored; a dispose reports nothing', async () => {
    vi.useFakeTimers();
    const { server, calls, connectivity } = setup();
    await calls.connect();
    expect(connectivity.mock.calls).toEqual([[true]]);
    server.reachable = false;
    server.last.handlers.close(1006, '');
    expect(connectivity).toHaveBeenLastCalledWith(false, expect.objectContaining({ code: 'CALLING_UNAVAILABLE', retryable: true }));
    // A failed attempt says nothing new: it is still down.
    await vi.advanceTimersByTimeAsync(250);
    expect(connectivity).toHaveBeenCalledTimes(2);
    server.reachable = true;
    await vi.advanceTimersByTimeAsync(500);
    expect(connectivity).toHaveBeenLastCalledWith(true);
    server.last.handlers.close(4401, 'token refused');
    expect(connectivity).toHaveBeenLastCalledWith(false, expect.objectContaining({ code: 'UNAUTHORIZED' }));
    await vi.advanceTimersByTimeAsync(250);
    expect(connectivity).toHaveBeenCalledTimes(5);
    await calls.dispose();
    expect(connectivity).toHaveBeenCalledTimes(5);
  });

  it('a 4401 close ends the calls still live as tokenInvalid (495/4507) and asks for a new token; another close as connectionLost', async () => {
    const { server, events, calls, tokenRejected } = setup();
    await calls.connect();
    const answered = new Set<unknown>();
    const join = async (id: string) => {
      const joining = calls.join({ groupId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' });
      let request: ClientMessage | undefined;
      await vi.waitFor(() => {
        request = server.last.sent.at(-1);
        expect(request?.op === 'join' && !answered.has(request)).toBe(true);
      });
      if (request?.op !== 'join') throw new Error('no join sent');
      answered.add(request);
      server.push({ ev: 'result', req: request.req, callId: id });
      return joining;
    };
    const first = await join('c1');
    server.last.handlers.close(4401, 'token revoked');
    expect(first.endReason).toMatchObject({ kind: 'tokenInvalid', code: 495, subCode: 4507 });
    expect(tokenRejected).toHaveBeenCalledTimes(1);
    await calls.connect();
    const second = await join('c2');
    server.last.handlers.close(1006, '');
    expect(second.endReason).toMatchObject({ kind: 'connectionLost' });
    expect(tokenRejected).toHaveBeenCalledTimes(1);
    expect(events.filter((e) => e.type === 'callEnded').map((e) => e.type === 'callEnded' && e.reason.kind)).toEqual(['tokenInvalid', 'connectionLost']);
    await calls.dispose();
  });

  it('stops reconnecting when the token has no voip scope (4403): reports it and no longer holds the session reconnecting', async () => {
    vi.useFakeTimers();
    const { server, calls, connectivity, reportError } = setup();
    await calls.connect();
    server.refuseHello = 4403;
    server.last.handlers.close(1006, '');
    expect(connectivity).toHaveBeenLastCalledWith(false, expect.objectContaining({ code: 'CALLING_UNAVAILABLE' }));
    await vi.advanceTimersByTimeAsync(250);
    expect(server.opened).toHaveLength(2);
    expect(reportError).toHaveBeenCalledWith(expect.objectContaining({ code: 'FORBIDDEN' }), 'calling');
    expect(connectivity).toHaveBeenLastCalledWith(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.opened).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
    // An explicit use tries again; its rejection is the report (not also an error event).
    reportError.mockClear();
    connectivity.mockClear();
    await expect(calls.join({ groupId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(server.opened).toHaveLength(3);
    expect(reportError).not.toHaveBeenCalled();
    expect(connectivity).not.toHaveBeenCalled();
    await calls.dispose();
  });

  it('a first connection refused before its welcome (4401) rejects, and leaves the session neither reconnecting nor retrying', async () => {
    vi.useFakeTimers();
    const { server, calls, connectivity, tokenRejected } = setup();
    server.refuseHello = 4401;
    await expect(calls.connect()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(tokenRejected).toHaveBeenCalledTimes(1);
    expect(connectivity).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.opened).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    await calls.dispose();
  });

  it('fails a request the service never answers with TIMEOUT, and leaves no timer', async () => {
    vi.useFakeTimers();
    const { calls } = setup();
    await calls.connect();
    const joining = calls.join({ groupId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' });
    const outcome = expect(joining).rejects.toMatchObject({ code: 'TIMEOUT' });
    await vi.advanceTimersByTimeAsync(15_000);
    await outcome;
    expect(vi.getTimerCount()).toBe(0);
    await calls.dispose();
  });
});
