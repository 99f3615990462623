import type { ChatThread } from '../chat/types.js';
import { SessionError, isSessionError } from '../errors.js';
import { SnapshotStore } from '../events/snapshot-store.js';
import type { Unsubscribe } from '../events/types.js';
import { checkAlternateCallerId } from './caller-id.js';
import type { CallEndReason } from './end-reason.js';
import type { CallEvents, ParticipantChange } from './events.js';
import type { CallData, CallDataRelay } from '../data/call-data.js';
import type { DataTransport } from '../data/transport.js';
import type { PersonInput } from '../identifiers/identifier.js';
import { holdUntilReleased } from './held-transport.js';
import { identifierFromRawId, resolvePerson } from './person.js';
import type { ProviderCall, ProviderCallSink, ProviderCallView, ProviderParticipant } from './provider.js';
import type {
  AddParticipantOptions,
  Call,
  CallParticipant,
  CallParticipants,
  CallSnapshot,
  CallState,
  DtmfTone,
  HangUpOptions,
  StartVideoOptions,
} from './types.js';

/** Emits one call event on the session stream. @internal */
export type EmitCallEvent = (event: CallEvents[keyof CallEvents]) => void;

/** What a call needs from its owner. @internal */
export interface CallHost {
  emit: EmitCallEvent;
  reportError(error: unknown, source: string): void;
  /** The call ended: drop it from `list()`. */
  ended(call: CallImpl): void;
  /** Builds `call.data` over the provider's transport; absent when `calling.data` is `false`. */
  createData: ((transport: DataTransport, relay: CallDataRelay) => CallData) | undefined;
  /** Whether the session stream has an `incomingFile` listener (then files are accepted). */
  wantsFiles(): boolean;
  /** The session's chat thread for an id (undefined without chat). */
  chatThread?: ((threadId: string) => ChatThread | undefined) | undefined;
}

const DTMF = /^[0-9*#A-D]$/;

/**
 * The one `Call` implementation over any provider: keeps the snapshot, turns the provider's whole
 * views into `participantJoined/Left/Updated` and `callStateChanged` events, and guards the
 * controls. Views that arrive before the provider handed over its call are held until then, so the
 * first event anyone sees is `callStarted`.
 * @internal
 */
export class CallImpl implements Call {
  readonly #host: CallHost;
  readonly #store: SnapshotStore<CallSnapshot>;
  #provider: ProviderCall | undefined;
  #pendingView: ProviderCallView | undefined;
  #pendingEnd: CallEndReason | undefined;
  readonly #endedWaiters: (() => void)[] = [];
  #data: CallData | undefined;
  #dataError: SessionError | undefined;
  #releaseData: ReturnType<typeof setTimeout> | undefined;

  #chat: ChatThread | undefined;

  constructor(host: CallHost, direction: 'outgoing' | 'incoming', chat?: ChatThread) {
    this.#host = host;
    this.#chat = chat;
    this.#store = new SnapshotStore<CallSnapshot>(
      {
        id: '',
        state: 'connecting',
        direction,
        isMuted: false,
        isVideoOn: false,
        isScreenSharing: false,
        participants: Object.freeze({}),
        endReason: undefined,
      },
      (error) => host.reportError(new SessionError('LISTENER_FAILED', 'A call snapshot subscriber threw', { cause: error }), 'subscriber'),
    );
  }

  /** The sink to give the provider before it creates the call. */
  readonly sink: ProviderCallSink = {
    update: (view) => {
      if (this.#provider) this.#apply(view);
      else this.#pendingView = view;
    },
    ended: (reason) => {
      if (this.#provider) this.#end(reason);
      else this.#pendingEnd ??= reason;
    },
  };

  /** Hands over the provider's call: `callStarted`, then whatever arrived meanwhile. */
  attach(provider: ProviderCall): void {
    this.#provider = provider;
    this.#store.update({ id: provider.id });
    // Before `callStarted`, so its listeners can open channels; the transport has been listening
    // since the provider's call object existed.
    this.#openData(provider);
    this.#host.emit({ type: 'callStarted', call: this });
    const view = this.#pendingView;
    this.#pendingView = undefined;
    if (view) this.#apply(view);
    if (this.#pendingEnd) this.#end(this.#pendingEnd);
  }

  get id(): string {
    return this.#store.get().id;
  }
  get state(): CallState {
    return this.#store.get().state;
  }
  get direction(): 'outgoing' | 'incoming' {
    return this.#store.get().direction;
  }
  get participants(): CallParticipants {
    return this.#store.get().participants;
  }
  get isMuted(): boolean {
    return this.#store.get().isMuted;
  }
  get endReason(): CallEndReason | undefined {
    return this.#store.get().endReason;
  }

  /**
   * The call's chat thread (a meeting's), if it has one: from the meeting link at once, or from the
   * provider once it knows the thread (a Teams meeting joined by id and passcode, after connecting).
   */
  get chat(): ChatThread | undefined {
    if (this.#chat) return this.#chat;
    const threadId = this.#provider?.threadId;
    if (threadId) this.#chat = this.#host.chatThread?.(threadId);
    return this.#chat;
  }

  get data(): CallData {
    if (this.#data) return this.#data;
    throw (
      this.#dataError ??
      new SessionError(
        'NOT_SUPPORTED',
        this.#host.createData ? 'This call has no data channel' : 'call.data is off for this session (calling: { data: false })',
      )
    );
  }

  /**
   * The provider's frame carrier under `call.data`, for tests that send raw frames (see `dataTransportOf`).
   * @internal
   * @throws SessionError `NOT_SUPPORTED` when the provider has none built in; `CALL_ENDED`.
   */
  dataTransport(): DataTransport {
    const provider = this.#live('use the data channel');
    if (!provider.dataTransport) throw new SessionError('NOT_SUPPORTED', 'This calling provider has no built-in data transport');
    return provider.dataTransport;
  }

  subscribe = (onChange: () => void): Unsubscribe => {
    if (typeof onChange !== 'function') throw new SessionError('INVALID_ARGUMENT', 'subscribe() needs a callback function');
    return this.#store.subscribe(onChange);
  };

  getSnapshot = (): CallSnapshot => this.#store.get();

  mute(): Promise<void> {
    return this.#run('mute', (p) => p.mute(true));
  }
  unmute(): Promise<void> {
    return this.#run('unmute', (p) => p.mute(false));
  }
  startVideo(options: StartVideoOptions = {}): Promise<void> {
    return this.#run('start video', (p) => p.startVideo(options));
  }
  stopVideo(): Promise<void> {
    return this.#run('stop video', (p) => p.stopVideo());
  }
  startScreenShare(): Promise<void> {
    return this.#run('start screen sharing', (p) => p.startScreenShare());
  }
  stopScreenShare(): Promise<void> {
    return this.#run('stop screen sharing', (p) => p.stopScreenShare());
  }
  hold(): Promise<void> {
    return this.#run('hold', (p) => p.hold(true));
  }
  resume(): Promise<void> {
    return this.#run('resume', (p) => p.hold(false));
  }

  sendDtmf(tone: DtmfTone): Promise<void> {
    if (typeof tone !== 'string' || !DTMF.test(tone)) {
      return Promise.reject(new SessionError('INVALID_ARGUMENT', `sendDtmf() takes one tone of 0-9, *, #, A-D, got ${JSON.stringify(tone)}`));
    }
    return this.#run('send DTMF', (p) => p.sendDtmf(tone));
  }

  async removeParticipant(person: PersonInput): Promise<void> {
    const resolved = resolvePerson(person, 'participant');
    await this.#run('remove a participant', (p) => p.removeParticipant(resolved));
  }

  async addParticipant(person: PersonInput, options: AddParticipantOptions = {}): Promise<void> {
    const resolved = resolvePerson(person, 'participant');
    if (typeof options !== 'object' || options === null) throw new SessionError('INVALID_ARGUMENT', 'addParticipant() options must be an object');
    checkAlternateCallerId([resolved], options.alternateCallerId, 'Adding');
    if (this.participants[resolved.rawId]) throw new SessionError('INVALID_ARGUMENT', `${resolved.rawId} is in the call already`);
    const checked: AddParticipantOptions = options.alternateCallerId === undefined ? {} : { alternateCallerId: options.alternateCallerId };
    await this.#run('add a participant', (p) => p.addParticipant(resolved, checked));
  }

  async hangUp(options: HangUpOptions = {}): Promise<void> {
    const provider = this.#provider;
    if (!provider || this.state === 'disconnected') return;
    if (options.forEveryone !== undefined && typeof options.forEveryone !== 'boolean') {
      throw new SessionError('INVALID_ARGUMENT', 'hangUp({ forEveryone }) takes a boolean');
    }
    const ended = new Promise<void>((resolve) => this.#endedWaiters.push(resolve));
    this.#apply({ ...this.#viewNow(), state: 'disconnecting' });
    try {
      await provider.hangUp(options.forEveryone === true);
    } catch (error) {
      if (this.#ended()) return;
      throw callFailed('hang up', error);
    }
    // The provider reports the end itself; if it did not (yet), the hang-up is the reason.
    if (!this.#ended()) this.#end({ kind: 'hungUp', code: 0, subCode: 0, message: 'The call was hung up.' });
    await ended;
  }

  /** Ends the call locally (session dispose); no provider call. @internal */
  endLocally(reason: CallEndReason): void {
    this.#end(reason);
  }

  #openData(provider: ProviderCall): void {
    const transport = provider.dataTransport;
    const create = this.#host.createData;
    if (!transport || !create) {
      this.#dataError = provider.dataUnavailable;
      return;
    }
    const held = holdUntilReleased(transport);
    try {
      this.#data = create(held.transport, {
        wantsFiles: () => this.#host.wantsFiles(),
        incomingFile: (file) => this.#host.emit({ type: 'incomingFile', call: this, file }),
        dataError: (error, from) => this.#host.emit({ type: 'dataError', call: this, error, from }),
        // A throwing call.data listener nobody catches is the session's error.
        error: (error, source) => this.#host.reportError(error, source),
      });
    } catch (error) {
      // The call goes on without `call.data`; the getter says why.
      this.#dataError = isSessionError(error) ? error : new SessionError('NOT_SUPPORTED', 'The data channel could not be opened', { cause: error });
      this.#host.reportError(this.#dataError, 'call.data');
      return;
    }
    // What arrived before the app could listen waits until the task that made the call has run.
    this.#releaseData = setTimeout(() => {
      this.#releaseData = undefined;
      const dropped = held.release();
      if (dropped > 0) {
        this.#host.reportError(new SessionError('DATA_QUEUE_FULL', `${dropped} data frames arrived before the call started and were dropped`), 'call.data');
      }
    }, 0);
  }

  // A method, so TypeScript does not narrow the state across awaits.
  #ended(): boolean {
    return this.#store.get().state === 'disconnected';
  }

  #viewNow(): ProviderCallView {
    const s = this.#store.get();
    return { state: s.state, isMuted: s.isMuted, isVideoOn: s.isVideoOn, isScreenSharing: s.isScreenSharing, participants: Object.values(s.participants) };
  }

  #live(what: string): ProviderCall {
    if (!this.#provider) throw new SessionError('CALL_FAILED', `Cannot ${what}: the call has not started yet`);
    const state: CallState = this.state;
    if (state === 'disconnected' || state === 'disconnecting') throw new SessionError('CALL_ENDED', `Cannot ${what}: the call has ended`);
    return this.#provider;
  }

  async #run(what: string, operation: (provider: ProviderCall) => Promise<void>): Promise<void> {
    const provider = this.#live(what);
    try {
      await operation(provider);
    } catch (error) {
      throw callFailed(what, error);
    }
  }

  #apply(view: ProviderCallView): void {
    if (this.state === 'disconnected') return;
    const before = this.#store.get();
    const participants: Record<string, CallParticipant> = {};
    for (const p of view.participants) participants[p.rawId] = toParticipant(p, before.participants[p.rawId]);
    const next = Object.freeze(participants);
    this.#store.update({
      state: view.state,
      isMuted: view.isMuted,
      isVideoOn: view.isVideoOn,
      isScreenSharing: view.isScreenSharing,
      participants: sameParticipants(before.participants, next) ? before.participants : next,
    });
    const { emit } = this.#host;
    for (const [rawId, participant] of Object.entries(next)) {
      const previous = before.participants[rawId];
      if (!previous) emit({ type: 'participantJoined', call: this, participant });
      else if (previous !== participant) emit({ type: 'participantUpdated', call: this, participant, previous, changes: changesOf(previous, participant) });
    }
    for (const [rawId, participant] of Object.entries(before.participants)) {
      if (!next[rawId]) emit({ type: 'participantLeft', call: this, participant });
    }
    if (before.state !== view.state) emit({ type: 'callStateChanged', call: this, state: view.state, previous: before.state });
  }

  #end(reason: CallEndReason): void {
    const before = this.#store.get();
    if (before.state === 'disconnected') return;
    this.#store.update({ state: 'disconnected', endReason: reason, participants: Object.freeze({}), isVideoOn: false, isScreenSharing: false });
    // What waits on call.data (sends, requests, transfers) fails with CALL_ENDED, as every call
    // operation does from now on; the transport closes with it.
    clearTimeout(this.#releaseData);
    this.#data?.end(new SessionError('CALL_ENDED', `The call ended (${reason.kind})`));
    this.#provider?.release();
    this.#host.ended(this);
    this.#host.emit({ type: 'callStateChanged', call: this, state: 'disconnected', previous: before.state });
    this.#host.emit({ type: 'callEnded', call: this, reason });
    for (const resolve of this.#endedWaiters.splice(0)) resolve();
    this.#store.clear();
  }
}

function toParticipant(p: ProviderParticipant, previous: CallParticipant | undefined): CallParticipant {
  if (
    previous &&
    previous.state === p.state &&
    previous.isMuted === p.isMuted &&
    previous.isSpeaking === p.isSpeaking &&
    previous.displayName === p.displayName
  ) {
    return previous;
  }
  return Object.freeze({
    identifier: previous?.identifier ?? identifierFromRawId(p.rawId),
    rawId: p.rawId,
    displayName: p.displayName,
    state: p.state,
    isMuted: p.isMuted,
    isSpeaking: p.isSpeaking,
  });
}

function sameParticipants(a: CallParticipants, b: CallParticipants): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

function changesOf(a: CallParticipant, b: CallParticipant): ParticipantChange[] {
  return (['state', 'isMuted', 'isSpeaking', 'displayName'] as const).filter((key) => a[key] !== b[key]);
}

function callFailed(what: string, error: unknown): SessionError {
  if (isSessionError(error)) return error;
  return new SessionError('CALL_FAILED', `Could not ${what}`, { cause: error });
}

/**
 * The frame carrier under a call's `call.data`: tests send raw frames through it.
 * @internal
 * @throws SessionError `INVALID_ARGUMENT` for an object that is not a session's call; `NOT_SUPPORTED`; `CALL_ENDED`.
 */
export function dataTransportOf(call: Call): DataTransport {
  if (!(call instanceof CallImpl)) throw new SessionError('INVALID_ARGUMENT', 'Not a call of an acs-session session');
  return call.dataTransport();
}
