import type { ChatThread } from '../chat/types.js';
import { SessionError, abortedError, disposedError } from '../errors.js';
import { raceWithSignal } from '../internal/abort.js';
import { describeError, logger } from '../internal/logger.js';
import { CallImpl, type EmitCallEvent } from './call.js';
import { checkAlternateCallerId } from './caller-id.js';
import type { CreateCallData } from './call-data-binding.js';
import { createCallingProvider } from './create-provider.js';
import { endReasonFromCodes } from './end-reason.js';
import type { ResolvedCalling } from './options.js';
import { threadIdOfMeetingLink, validateLocator } from './locator.js';
import type { PersonInput } from '../identifiers/identifier.js';
import { type ResolvedPerson, resolvePerson } from './person.js';
import type { CallingProvider, ProviderCall, ProviderCallSink, ProviderContext, ProviderIncomingCall } from './provider.js';
import type { AcceptCallOptions, Call, CallLocator, IncomingCall, JoinCallOptions, SessionCalls, StartCallOptions } from './types.js';

/** What `session.calls` is built from; the session passes it, nothing here imports the session. @internal */
export interface SessionCallsConfig {
  /** The calling option, settled; the provider is created from it on first use. */
  calling: ResolvedCalling;
  /** Creates the provider; default {@link createCallingProvider}. Tests pass their own. */
  createProvider?: ((context: ProviderContext) => Promise<CallingProvider>) | undefined;
  context: Omit<ProviderContext, 'incoming' | 'signal'>;
  emit: EmitCallEvent;
  /** The session's chat thread handle for a call's thread id; `undefined` when chat is off. */
  chatThread?: ((threadId: string) => ChatThread | undefined) | undefined;
  /** Whether the session stream has a listener for `type` (files are accepted only then). */
  hasListener(type: 'incomingFile'): boolean;
}

const MAX_TARGETS = 64;

/**
 * `session.calls`: starts the provider lazily, keeps the live calls and the ringing ones, and
 * ends them all at dispose.
 * @internal
 */
export class SessionCallsImpl implements SessionCalls {
  readonly provider: 'azure' | 'local' | 'none';
  readonly #config: SessionCallsConfig;
  readonly #calls = new Set<CallImpl>();
  readonly #incoming = new Map<string, IncomingCallImpl>();
  readonly #lifetime = new AbortController();
  #providerPromise: Promise<CallingProvider> | undefined;
  #dataPromise: Promise<CreateCallData | undefined> | undefined;
  #disposed = false;

  constructor(config: SessionCallsConfig) {
    this.provider = config.calling.provider;
    this.#config = config;
  }

  async connect(options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    await this.#connected(options.signal);
  }

  async start(people: readonly PersonInput[], options: StartCallOptions = {}): Promise<Call> {
    if (!Array.isArray(people) || people.length === 0 || people.length > MAX_TARGETS) {
      throw new SessionError('INVALID_ARGUMENT', `start() takes an array of 1 to ${MAX_TARGETS} people`);
    }
    const targets = people.map((person) => resolvePerson(person, 'call target'));
    checkStartOptions(targets, options);
    const [provider, data] = await Promise.all([this.#connected(options.signal), this.#dataHelper()]);
    return this.#open('outgoing', options.signal, data, (sink) => provider.start(targets, options, sink));
  }

  async join(locator: CallLocator, options: JoinCallOptions = {}): Promise<Call> {
    const checked = validateLocator(locator);
    const [provider, data] = await Promise.all([this.#connected(options.signal), this.#dataHelper()]);
    // A meeting's chat thread id is in its link (as with Teams meetings).
    const threadId = 'meetingLink' in checked ? threadIdOfMeetingLink(checked.meetingLink) : undefined;
    const chat = threadId === undefined ? undefined : this.#config.chatThread?.(threadId);
    return this.#open('outgoing', options.signal, data, (sink) => provider.join(checked, options, sink), chat);
  }

  list(): readonly Call[] {
    return [...this.#calls].filter((call) => call.id !== '');
  }

  incoming(): readonly IncomingCall[] {
    return [...this.#incoming.values()];
  }

  /** Ends every call (events still go out), then releases the provider. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const call of [...this.#calls]) call.endLocally(endReasonFromCodes(0, 0));
    this.#incoming.clear();
    this.#lifetime.abort();
    const providerPromise = this.#providerPromise;
    this.#providerPromise = undefined;
    if (!providerPromise) return;
    try {
      await (await providerPromise).dispose();
    } catch {
      // It never came up; nothing to release.
    }
  }

  #connected(signal: AbortSignal | undefined): Promise<CallingProvider> {
    if (this.#disposed) return Promise.reject(disposedError('The session'));
    if (this.provider === 'none') {
      return Promise.reject(new SessionError('CALLING_DISABLED', 'Calling is turned off for this session (calling: false)'));
    }
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    // Started now, awaited when a call object is made.
    void this.#dataHelper();
    if (!this.#providerPromise) {
      const attempt = this.#createAndConnect();
      this.#providerPromise = attempt;
      // A failed start is not cached: the next call tries again.
      attempt.catch(() => {
        if (this.#providerPromise === attempt) this.#providerPromise = undefined;
      });
    }
    return raceWithSignal(this.#providerPromise, signal, () => abortedError(signal ?? {}));
  }

  /**
   * The data helper's code, loaded beside the provider on the first call API (so it is there when
   * a call object appears), or `undefined` with `calling: { data: false }`. Never rejects: when the
   * code cannot be loaded (a chunk that fails to download), calls go on and `call.data` throws why.
   * A failed load is not cached.
   */
  #dataHelper(): Promise<CreateCallData | undefined> {
    const options = this.#config.calling.data;
    if (options === false) return Promise.resolve(undefined);
    if (!this.#dataPromise) {
      const attempt = import('./call-data-binding.js')
        .then(({ prepareCallData }) => prepareCallData(options))
        .catch((error: unknown): CreateCallData => {
          if (this.#dataPromise === attempt) this.#dataPromise = undefined;
          logger.warning(`calls: the data helper could not be loaded: ${describeError(error)}`);
          const unavailable = new SessionError('CALLING_UNAVAILABLE', 'The data-channel code could not be loaded; call.data is unavailable on this call', {
            cause: error,
          });
          return () => {
            throw unavailable;
          };
        });
      this.#dataPromise = attempt;
    }
    return this.#dataPromise;
  }

  async #createAndConnect(): Promise<CallingProvider> {
    logger.info(`calls: starting the ${this.provider} provider`);
    const create = this.#config.createProvider ?? ((context: ProviderContext) => createCallingProvider(this.#config.calling, context));
    const provider = await create({
      ...this.#config.context,
      signal: this.#lifetime.signal,
      incoming: (call) => this.#ring(call),
    });
    if (this.#disposed) {
      await provider.dispose();
      throw disposedError('The session');
    }
    try {
      // Not the lifetime signal: a dispose meanwhile makes the provider refuse with DISPOSED.
      await provider.connect(undefined);
    } catch (error) {
      logger.warning(`calls: the ${this.provider} provider did not come up: ${describeError(error)}`);
      await provider.dispose();
      throw this.#disposed ? disposedError('The session') : error;
    }
    if (this.#disposed) {
      await provider.dispose();
      throw disposedError('The session');
    }
    return provider;
  }

  async #open(
    direction: 'outgoing' | 'incoming',
    signal: AbortSignal | undefined,
    createData: CreateCallData | undefined,
    create: (sink: ProviderCallSink) => Promise<ProviderCall>,
    chat?: ChatThread,
  ): Promise<Call> {
    const call = new CallImpl(
      {
        createData,
        wantsFiles: () => this.#config.hasListener('incomingFile'),
        chatThread: this.#config.chatThread,
        emit: (event) => this.#config.emit(event),
        reportError: (error, source) => this.#config.context.reportError(error, source),
        ended: (ended) => {
          this.#calls.delete(ended);
          const reason = ended.endReason;
          logger.info(`calls: call ${ended.id} ended: ${reason?.kind} (${reason?.code}/${reason?.subCode})`);
        },
      },
      direction,
      chat,
    );
    this.#calls.add(call);
    let providerCall: ProviderCall;
    try {
      providerCall = await create(call.sink);
    } catch (error) {
      this.#calls.delete(call);
      throw error;
    }
    if (this.#disposed) {
      await providerCall.hangUp(false).catch(() => undefined);
      providerCall.release();
      throw disposedError('The session');
    }
    call.attach(providerCall);
    if (signal?.aborted) {
      await call.hangUp().catch(() => undefined);
      throw abortedError(signal);
    }
    return call;
  }

  #ring(provided: ProviderIncomingCall): void {
    if (this.#disposed) return;
    const incoming: IncomingCallImpl = new IncomingCallImpl(provided, (options) => this.#accept(incoming, options));
    this.#incoming.set(provided.id, incoming);
    provided.onEnded((reason) => {
      if (this.#incoming.get(provided.id) !== incoming) return;
      this.#incoming.delete(provided.id);
      this.#config.emit({ type: 'incomingCallEnded', incomingCall: incoming, reason });
    });
    this.#config.emit({ type: 'incomingCall', incomingCall: incoming });
  }

  async #accept(incoming: IncomingCallImpl, options: AcceptCallOptions): Promise<Call> {
    if (this.#disposed) throw disposedError('The session');
    if (this.#incoming.get(incoming.id) !== incoming) throw new SessionError('CALL_ENDED', 'The call is no longer ringing this session');
    const data = await this.#dataHelper();
    if (this.#disposed) throw disposedError('The session');
    const call = await this.#open('incoming', undefined, data, (sink) => incoming.provided.accept(options, sink));
    this.#incoming.delete(incoming.id);
    return call;
  }
}

class IncomingCallImpl implements IncomingCall {
  readonly id: string;
  readonly caller: IncomingCall['caller'];
  readonly provided: ProviderIncomingCall;
  readonly #accept: (options: AcceptCallOptions) => Promise<Call>;
  #answered = false;

  constructor(provided: ProviderIncomingCall, accept: (options: AcceptCallOptions) => Promise<Call>) {
    this.id = provided.id;
    this.provided = provided;
    const { identifier, rawId, displayName } = provided.caller;
    this.caller = Object.freeze({ identifier, rawId, displayName });
    this.#accept = accept;
  }

  accept(options: AcceptCallOptions = {}): Promise<Call> {
    if (this.#answered) return Promise.reject(new SessionError('CALL_ENDED', 'This incoming call was already answered or declined'));
    this.#answered = true;
    return this.#accept(options);
  }

  async reject(): Promise<void> {
    if (this.#answered) throw new SessionError('CALL_ENDED', 'This incoming call was already answered or declined');
    this.#answered = true;
    await this.provided.reject();
  }
}

function checkStartOptions(targets: readonly ResolvedPerson[], options: StartCallOptions): void {
  if (typeof options !== 'object' || options === null) throw new SessionError('INVALID_ARGUMENT', 'start() options must be an object');
  checkAlternateCallerId(targets, options.alternateCallerId, 'Calling');
  if (new Set(targets.map((t) => t.rawId)).size !== targets.length) throw new SessionError('INVALID_ARGUMENT', 'start() was given the same person twice');
}
