import { disposedError, SessionError } from '../errors.js';
import type { SessionCallsConfig, SessionCallsImpl } from './calls.js';
import type { PersonInput } from '../identifiers/identifier.js';
import type { Call, CallLocator, IncomingCall, JoinCallOptions, SessionCalls, StartCallOptions } from './types.js';

/**
 * `session.calls` as every session gets it: a small facade that loads the calls implementation
 * (call objects, event diffing, end reasons) with `import()` on the first call API, so a chat-only
 * app neither downloads nor evaluates it. Until then there are no calls to list.
 * @internal
 */
export class LazySessionCalls implements SessionCalls {
  readonly provider: 'azure' | 'local' | 'none';
  readonly #config: SessionCallsConfig;
  #loading: Promise<SessionCallsImpl> | undefined;
  #loaded: SessionCallsImpl | undefined;
  #disposed = false;

  constructor(config: SessionCallsConfig) {
    this.provider = config.calling.provider;
    this.#config = config;
  }

  async connect(options?: { signal?: AbortSignal | undefined }): Promise<void> {
    return (await this.#load()).connect(options);
  }

  async start(people: readonly PersonInput[], options?: StartCallOptions): Promise<Call> {
    return (await this.#load()).start(people, options);
  }

  async join(locator: CallLocator, options?: JoinCallOptions): Promise<Call> {
    return (await this.#load()).join(locator, options);
  }

  list(): readonly Call[] {
    return this.#loaded?.list() ?? [];
  }

  incoming(): readonly IncomingCall[] {
    return this.#loaded?.incoming() ?? [];
  }

  /** Ends every call synchronously (their `callEnded` still goes out), then releases the provider. */
  dispose(): Promise<void> {
    this.#disposed = true;
    if (this.#loaded) return this.#loaded.dispose();
    // Still loading: no call can exist yet; release whatever comes.
    return this.#loading ? this.#loading.then((impl) => impl.dispose()).catch(() => undefined) : Promise.resolve();
  }

  #load(): Promise<SessionCallsImpl> {
    if (this.#disposed) return Promise.reject(disposedError('The session'));
    if (this.provider === 'none') {
      return Promise.reject(new SessionError('CALLING_DISABLED', 'Calling is turned off for this session (calling: false)'));
    }
    this.#loading ??= import('./calls.js').then(({ SessionCallsImpl: Impl }) => {
      const impl = new Impl(this.#config);
      this.#loaded = impl;
      if (this.#disposed) {
        void impl.dispose();
        throw disposedError('The session');
      }
      return impl;
    });
    return this.#loading;
  }
}
