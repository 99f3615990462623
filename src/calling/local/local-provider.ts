import { SessionError, isSessionError } from '../../errors.js';
import { type BackgroundTimer, backgroundTimer } from '../../internal/timers.js';
import { CONNECTION_LOST, type CallEndReason, endReasonFromCodes } from '../end-reason.js';
import { threadIdOfMeetingLink } from '../locator.js';
import { identifierFromRawId, type ResolvedPerson } from '../person.js';
import type {
  CallingProvider,
  ProviderCall,
  ProviderCallSink,
  ProviderCallView,
  ProviderContext,
  ProviderIncomingCall,
  ProviderStartOptions,
} from '../provider.js';
import type { AcceptCallOptions, AddParticipantOptions, CallLocator } from '../types.js';
import {
  CALL_SERVICE_PATH,
  CallServiceCloseCodes,
  type ClientMessage,
  decodeRelayFrame,
  MAX_DATA_MESSAGE_SIZE,
  type ServerMessage,
  type WireCall,
} from './protocol.js';
import { RelayTransport } from './relay-transport.js';
import { type CallSocket, openCallSocket } from './socket.js';

/** Options of the local provider. @internal */
export interface LocalProviderOptions {
  /** A CA (PEM) to trust in Node: the emulator's certificate. */
  ca?: string | undefined;
  /** How long a call-service request may take. Default 15 s. */
  requestTimeoutMs?: number | undefined;
  /** Opens the socket; unit tests pass a fake. Default: the runtime's WebSocket, or `ws`. */
  openSocket?: typeof openCallSocket | undefined;
  /** Relays data frames for `call.data`; default `true`. */
  dataChannel?: boolean | undefined;
}

interface EarlyCallNews {
  view?: WireCall;
  ended?: CallEndReason;
  frames?: { payload: Uint8Array; from: string; ch: number }[];
}

/** Data frames held for a call whose `result` is not handled yet, at most. */
const EARLY_FRAMES_PER_CALL = 256;

type Request = ClientMessage extends infer M ? (M extends { req: number } ? Omit<M, 'req'> : never) : never;
interface Pending {
  resolve(message: Extract<ServerMessage, { ev: 'result' }>): void;
  reject(error: unknown): void;
  timer: ReturnType<typeof setTimeout>;
}

const TOKEN_INVALID = endReasonFromCodes(495, 4507);
// Queued bytes above which data sends wait for the socket to drain.
const HIGH_WATER = 1024 * 1024;
// Waits before each reconnect attempt after the socket dropped; the last one repeats.
const RECONNECT_DELAYS_MS = [250, 500, 1_000, 2_000, 5_000, 10_000];

/**
 * The local calling provider: calls through the emulator's call service over one WebSocket per
 * session. Membership only, no media; app data is relayed as binary frames.
 * @internal
 */
export class LocalProvider implements CallingProvider {
  readonly name = 'local' as const;
  readonly #context: ProviderContext;
  readonly #options: LocalProviderOptions;
  #socket: CallSocket | undefined;
  #connecting: Promise<void> | undefined;
  #maxMessageSize = MAX_DATA_MESSAGE_SIZE;
  #nextReq = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #calls = new Map<string, LocalCall>();
  readonly #incoming = new Map<string, LocalIncoming>();
  /**
   * Views, endings and data frames that arrived before the call's `result` was handled (start and
   * accept send views first; a remote's frame can come in the same read as the result).
   */
  readonly #early = new Map<string, EarlyCallNews>();
  #socketAbort: AbortController | undefined;
  #disposed = false;
  /** Set once a connection succeeded: from then on a dropped socket is reconnected, so calls ring again. */
  #wanted = false;
  #reconnectTimer: BackgroundTimer | undefined;
  #reconnectAttempt = 0;

  constructor(context: ProviderContext, options: LocalProviderOptions = {}) {
    this.#context = context;
    this.#options = options;
  }

  connect(signal: AbortSignal | undefined): Promise<void> {
    if (this.#disposed) return Promise.reject(new SessionError('DISPOSED', 'The calling provider has been disposed'));
    this.#connecting ??= this.#open(signal).then(
      () => {
        this.#wanted = true;
        this.#reconnectAttempt = 0;
        this.#context.connectivity(true);
      },
      (error: unknown) => {
        this.#connecting = undefined;
        throw error;
      },
    );
    return this.#connecting;
  }

  async start(targets: readonly ResolvedPerson[], options: ProviderStartOptions, sink: ProviderCallSink): Promise<ProviderCall> {
    if (options.video) throw noMedia('start a call with video');
    const teams = targets.find((t) => t.identifier.kind !== 'communicationUser' && t.identifier.kind !== 'phoneNumber');
    if (teams) throw new SessionError('NOT_SUPPORTED', `The local provider calls ACS users and phone numbers only, not ${teams.identifier.kind} identities`);
    await this.connect(undefined);
    const request: Request = { op: 'start', targets: targets.map((t) => t.rawId) };
    if (options.alternateCallerId !== undefined) request.alternateCallerId = options.alternateCallerId;
    const callId = await this.#request(request, 'start the call');
    return this.#adopt(requireCallId(callId), sink, options);
  }

  async join(locator: CallLocator, options: AcceptCallOptions, sink: ProviderCallSink): Promise<ProviderCall> {
    if (options.video) throw noMedia('join with video');
    const request = joinRequest(locator);
    await this.connect(undefined);
    let callId: string | undefined;
    try {
      callId = await this.#request(request, 'join the call');
    } catch (error) {
      // Not found is "no such meeting" here, not a call that ended.
      if (request.kind === 'meeting' && isSessionError(error, 'CALL_ENDED')) {
        throw new SessionError('CALL_FAILED', 'The emulator has no meeting for that link (make one with emu.meetings.create())', {
          cause: error,
          acsCode: 'NotFound',
        });
      }
      throw error;
    }
    return this.#adopt(requireCallId(callId), sink, options);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#reconnectTimer?.cancel();
    this.#reconnectTimer = undefined;
    // Closing the socket makes the call service end this session's calls and ringing for the others.
    this.#closeSocket(CONNECTION_LOST);
  }

  /**
   * After the socket dropped (the emulator restarted), reconnects with growing waits so that the
   * session rings again without the app noticing. The calls that were live have ended as
   * `connectionLost`: the call service ended them too. A token without the voip scope stops it.
   */
  #scheduleReconnect(): void {
    if (this.#disposed || !this.#wanted || this.#reconnectTimer) return;
    const delay = RECONNECT_DELAYS_MS[Math.min(this.#reconnectAttempt, RECONNECT_DELAYS_MS.length - 1)] ?? 10_000;
    this.#reconnectAttempt++;
    this.#reconnectTimer = backgroundTimer(() => {
      this.#reconnectTimer = undefined;
      if (this.#disposed || this.#socket) return;
      this.connect(undefined).catch((error: unknown) => {
        if (isSessionError(error, 'FORBIDDEN', 'DISPOSED')) return;
        this.#scheduleReconnect();
      });
    }, delay);
  }

  async #open(signal: AbortSignal | undefined): Promise<void> {
    const url = new URL(CALL_SERVICE_PATH, this.#context.endpoint.replace(/\/?$/, '/'));
    url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
    const abort = new AbortController();
    this.#socketAbort = abort;
    const stop = () => abort.abort();
    this.#context.signal.addEventListener('abort', stop, { once: true });
    signal?.addEventListener('abort', stop, { once: true });
    let welcomed!: (value: void) => void;
    let refused!: (error: unknown) => void;
    const welcome = new Promise<void>((resolve, reject) => {
      welcomed = resolve;
      refused = reject;
    });
    // A socket that fails before the hello is reported by openCallSocket; this one may then go unread.
    welcome.catch(() => undefined);
    /** Whether this socket was welcomed (a connection that was up, not a refused attempt). */
    let live = false;
    try {
      const token = await this.#context.getToken(abort.signal);
      let socket: CallSocket | undefined;
      try {
        socket = await (this.#options.openSocket ?? openCallSocket)(
          url.href,
          {
            message: (data) => {
              if (typeof data !== 'string') return this.#frame(data);
              const message = parseServerMessage(data);
              if (message?.ev === 'welcome') {
                this.#maxMessageSize = message.maxMessageSize;
                live = true;
                welcomed();
              } else if (message) this.#handle(message);
            },
            close: (code) => {
              const error = closeError(code);
              refused(error);
              if (code === CallServiceCloseCodes.unauthorized) this.#context.tokenRejected();
              // A first connection refused before its welcome: the caller's rejection says it all, and
              // nothing will reconnect, so the session must not be left reconnecting for it.
              if (!live && !this.#wanted) return;
              if (socket !== undefined && this.#socket === socket && code === CallServiceCloseCodes.forbidden) {
                // The token has no voip scope: retrying cannot help. Stop, say why, and do not hold the
                // session in reconnecting for it; a later start/join/connect tries again.
                this.#wanted = false;
                this.#closeSocket(CONNECTION_LOST);
                this.#context.reportError(error, 'calling');
                this.#context.connectivity(true);
              } else if (socket !== undefined && this.#socket === socket) {
                // Until the socket is back no call can ring this session: the session is reconnecting.
                this.#context.connectivity(false, error);
                // A refused token ends what is left as ACS ends a call whose token went bad (495/4507).
                this.#closeSocket(code === CallServiceCloseCodes.unauthorized ? TOKEN_INVALID : CONNECTION_LOST);
                this.#scheduleReconnect();
              }
            },
          },
          { ca: this.#options.ca, signal: abort.signal },
        );
      } catch (error) {
        throw abort.signal.aborted
          ? new SessionError('ABORTED', 'Connecting to the call service was aborted', { cause: error })
          : new SessionError('CALLING_UNAVAILABLE', `Could not reach the emulator's call service at ${url.href}`, { cause: error, retryable: true });
      }
      this.#socket = socket;
      const hello: ClientMessage = { op: 'hello', token };
      if (this.#context.displayName !== undefined) hello.displayName = this.#context.displayName;
      socket.send(JSON.stringify(hello));
      await welcome;
    } catch (error) {
      this.#closeSocket(CONNECTION_LOST);
      throw error;
    } finally {
      this.#context.signal.removeEventListener('abort', stop);
      signal?.removeEventListener('abort', stop);
    }
  }

  #closeSocket(reason: CallEndReason): void {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#connecting = undefined;
    this.#socketAbort?.abort();
    this.#socketAbort = undefined;
    socket?.close(1000);
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new SessionError('CALLING_UNAVAILABLE', 'The connection to the call service closed', { retryable: true }));
    }
    this.#pending.clear();
    for (const call of [...this.#calls.values()]) call.end(reason);
    for (const incoming of [...this.#incoming.values()]) incoming.end(reason);
    this.#early.clear();
  }

  #adopt(callId: string, sink: ProviderCallSink, options: AcceptCallOptions): LocalCall {
    const call = new LocalCall(callId, sink, this, this.#options.dataChannel !== false);
    this.#calls.set(callId, call);
    const early = this.#early.get(callId);
    this.#early.delete(callId);
    if (early?.view) call.view(early.view);
    for (const frame of early?.frames ?? []) call.dataTransport?.deliver(frame.payload, frame.from, frame.ch);
    if (early?.ended) call.end(early.ended);
    else if (options.audio?.muted) void call.mute(true).catch((error: unknown) => this.#context.reportError(error, 'calling'));
    return call;
  }

  /** @internal For LocalCall and LocalIncoming. */
  request(message: Request, what: string): Promise<string | undefined> {
    return this.#request(message, what);
  }

  /** @internal */
  forget(callId: string): void {
    this.#calls.delete(callId);
  }

  /** @internal */
  get maxMessageSize(): number {
    return this.#maxMessageSize;
  }

  /** @internal */
  async sendFrame(frame: Uint8Array): Promise<void> {
    const socket = this.#socket;
    if (!socket) throw new SessionError('CALL_ENDED', 'The connection to the call service is closed');
    socket.send(frame);
    // Backpressure: a sender that outruns the socket waits here instead of filling memory.
    while (socket.bufferedAmount > HIGH_WATER && this.#socket === socket) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** @internal */
  acceptIncoming(incoming: LocalIncoming, options: AcceptCallOptions, sink: ProviderCallSink): Promise<ProviderCall> {
    if (options.video) return Promise.reject(noMedia('accept with video'));
    return this.#request({ op: 'accept', callId: incoming.id }, 'accept the call').then(() => {
      this.#incoming.delete(incoming.id);
      return this.#adopt(incoming.id, sink, options);
    });
  }

  /** @internal */
  async rejectIncoming(incoming: LocalIncoming): Promise<void> {
    await this.#request({ op: 'reject', callId: incoming.id }, 'decline the call');
  }

  #request(message: Request, what: string): Promise<string | undefined> {
    const socket = this.#socket;
    if (!socket) return Promise.reject(new SessionError('CALLING_UNAVAILABLE', 'The connection to the call service is closed', { retryable: true }));
    const req = this.#nextReq++;
    return new Promise<Extract<ServerMessage, { ev: 'result' }>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(req);
        reject(new SessionError('TIMEOUT', `The call service did not answer (${what})`, { retryable: true }));
      }, this.#options.requestTimeoutMs ?? 15_000);
      this.#pending.set(req, { resolve, reject, timer });
      socket.send(JSON.stringify({ ...message, req }));
    }).then((result) => {
      if (!result.error) return result.callId;
      const code =
        result.error.code === 'InvalidArgument' || result.error.code === 'Conflict'
          ? 'INVALID_ARGUMENT'
          : result.error.code === 'NotFound'
            ? 'CALL_ENDED'
            : 'CALL_FAILED';
      throw new SessionError(code, `Could not ${what}: ${result.error.message}`, { acsCode: result.error.code });
    });
  }

  #handle(message: ServerMessage): void {
    switch (message.ev) {
      case 'result': {
        const pending = this.#pending.get(message.req);
        if (!pending) return;
        this.#pending.delete(message.req);
        clearTimeout(pending.timer);
        pending.resolve(message);
        return;
      }
      case 'call': {
        const call = this.#calls.get(message.call.id);
        if (call) call.view(message.call);
        else this.#early.set(message.call.id, { ...this.#early.get(message.call.id), view: message.call });
        return;
      }
      case 'ended': {
        const reason = endReasonFromCodes(message.reason.code, message.reason.subCode);
        const call = this.#calls.get(message.callId);
        if (call) call.end(reason);
        else this.#early.set(message.callId, { ...this.#early.get(message.callId), ended: reason });
        return;
      }
      case 'incoming': {
        const caller: ResolvedPerson = {
          identifier: identifierFromRawId(message.caller.rawId),
          rawId: message.caller.rawId,
          displayName: message.caller.displayName,
        };
        const incoming = new LocalIncoming(message.callId, caller, this);
        this.#incoming.set(message.callId, incoming);
        this.#context.incoming(incoming);
        return;
      }
      case 'incomingEnded': {
        const incoming = this.#incoming.get(message.callId);
        this.#incoming.delete(message.callId);
        incoming?.end(endReasonFromCodes(message.reason.code, message.reason.subCode));
        return;
      }
      default:
        return;
    }
  }

  #frame(bytes: Uint8Array): void {
    const frame = decodeRelayFrame(bytes);
    if (!frame?.header.from) return;
    const { c: callId, from, ch } = frame.header;
    const call = this.#calls.get(callId);
    if (call) {
      call.dataTransport?.deliver(frame.payload, from, ch);
      return;
    }
    // The service relays only within calls this session is in: one whose result is still on its way.
    if (this.#options.dataChannel === false) return;
    const early = this.#early.get(callId) ?? {};
    early.frames ??= [];
    if (early.frames.length < EARLY_FRAMES_PER_CALL) early.frames.push({ payload: frame.payload, from, ch });
    this.#early.set(callId, early);
  }
}

/** One call on the local provider. */
class LocalCall implements ProviderCall {
  readonly id: string;
  readonly #sink: ProviderCallSink;
  readonly #provider: LocalProvider;
  #ended = false;
  readonly dataTransport: RelayTransport | undefined;

  constructor(id: string, sink: ProviderCallSink, provider: LocalProvider, dataChannel: boolean) {
    this.id = id;
    this.#sink = sink;
    this.#provider = provider;
    this.dataTransport = dataChannel ? new RelayTransport(id, provider) : undefined;
  }

  view(call: WireCall): void {
    if (this.#ended) return;
    const view: ProviderCallView = {
      state: call.state,
      isMuted: call.muted,
      isVideoOn: false,
      isScreenSharing: false,
      participants: call.participants.map((p) => ({
        rawId: p.rawId,
        displayName: p.displayName,
        state: p.state,
        isMuted: p.muted,
        isSpeaking: false,
      })),
    };
    this.#sink.update(view);
    this.dataTransport?.members(call.participants.filter((p) => p.state !== 'ringing').map((p) => p.rawId));
  }

  end(reason: CallEndReason): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#provider.forget(this.id);
    this.#sink.ended(reason);
    this.dataTransport?.close();
  }

  release(): void {
    this.#ended = true;
    this.#provider.forget(this.id);
    this.dataTransport?.close();
  }

  async mute(muted: boolean): Promise<void> {
    await this.#provider.request({ op: 'mute', callId: this.id, muted }, muted ? 'mute' : 'unmute');
  }
  async hold(held: boolean): Promise<void> {
    await this.#provider.request({ op: 'hold', callId: this.id, held }, held ? 'hold' : 'resume');
  }
  startVideo(): Promise<void> {
    return Promise.reject(noMedia('start video'));
  }
  stopVideo(): Promise<void> {
    return Promise.reject(noMedia('stop video'));
  }
  startScreenShare(): Promise<void> {
    return Promise.reject(noMedia('share the screen'));
  }
  stopScreenShare(): Promise<void> {
    return Promise.reject(noMedia('stop screen sharing'));
  }
  async sendDtmf(tone: string): Promise<void> {
    await this.#provider.request({ op: 'dtmf', callId: this.id, tone }, 'send DTMF');
  }
  async hangUp(forEveryone: boolean): Promise<void> {
    await this.#provider.request({ op: 'hangUp', callId: this.id, forEveryone }, 'hang up');
  }
  async removeParticipant(person: ResolvedPerson): Promise<void> {
    await this.#provider.request({ op: 'remove', callId: this.id, rawId: person.rawId }, 'remove the participant');
  }
  async addParticipant(person: ResolvedPerson, options: AddParticipantOptions): Promise<void> {
    const { kind } = person.identifier;
    if (kind !== 'communicationUser' && kind !== 'phoneNumber') {
      throw new SessionError('NOT_SUPPORTED', `The local provider rings ACS users and phone numbers only, not ${kind} identities`);
    }
    const request: Request = { op: 'add', callId: this.id, rawId: person.rawId };
    if (options.alternateCallerId !== undefined) request.alternateCallerId = options.alternateCallerId;
    await this.#provider.request(request, 'add the participant');
  }
}

/** A call ringing this session on the local provider. */
class LocalIncoming implements ProviderIncomingCall {
  readonly id: string;
  readonly caller: ResolvedPerson;
  readonly #provider: LocalProvider;
  readonly #endListeners: ((reason: CallEndReason) => void)[] = [];
  #ended = false;

  constructor(id: string, caller: ResolvedPerson, provider: LocalProvider) {
    this.id = id;
    this.caller = caller;
    this.#provider = provider;
  }

  accept(options: AcceptCallOptions, sink: ProviderCallSink): Promise<ProviderCall> {
    return this.#provider.acceptIncoming(this, options, sink);
  }

  reject(): Promise<void> {
    return this.#provider.rejectIncoming(this);
  }

  onEnded(listener: (reason: CallEndReason) => void): void {
    this.#endListeners.push(listener);
  }

  end(reason: CallEndReason): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const listener of this.#endListeners.splice(0)) listener(reason);
  }
}

function joinRequest(locator: CallLocator): Extract<Request, { op: 'join' }> {
  if ('groupId' in locator) return { op: 'join', kind: 'group', id: locator.groupId };
  if ('roomId' in locator) return { op: 'join', kind: 'room', id: locator.roomId };
  const threadId = 'meetingLink' in locator ? threadIdOfMeetingLink(locator.meetingLink) : undefined;
  if (threadId === undefined) {
    throw new SessionError(
      'NOT_SUPPORTED',
      'The local provider joins group calls, rooms and emulator meetings (a meeting link with its thread id, from emu.meetings.create()); other Teams meetings need the azure provider',
    );
  }
  return { op: 'join', kind: 'meeting', id: threadId };
}

function noMedia(what: string): SessionError {
  return new SessionError('NOT_SUPPORTED', `The local provider carries no media, so it cannot ${what}; use the azure provider in a browser`);
}

function closeError(code: number): SessionError {
  if (code === CallServiceCloseCodes.unauthorized) return new SessionError('UNAUTHORIZED', 'The call service refused the token');
  if (code === CallServiceCloseCodes.forbidden) return new SessionError('FORBIDDEN', 'The token does not grant the voip scope');
  return new SessionError('CALLING_UNAVAILABLE', `The call service closed the connection (${code})`, { retryable: true });
}

function parseServerMessage(text: string): ServerMessage | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && typeof (value as { ev?: unknown }).ev === 'string' ? (value as ServerMessage) : undefined;
  } catch {
    return undefined;
  }
}

function requireCallId(callId: string | undefined): string {
  if (callId === undefined) throw new SessionError('CALL_FAILED', 'The call service answered without a call id');
  return callId;
}
