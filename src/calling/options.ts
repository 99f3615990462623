import type { OptionProblems } from '../internal/options.js';
import { isPlainObject, show } from '../internal/options.js';

/**
 * A TURN (or STUN) server for calls. The ACS Network Traversal service was retired on 31 March
 * 2024, so calls that must cross restrictive networks need your own TURN servers.
 * @example
 * ```ts
 * const turn: IceServer = { urls: ['turn:turn.example.com:3478'], username: 'u', credential: 'p' };
 * ```
 */
export interface IceServer {
  /** `turn:` / `turns:` / `stun:` URLs. */
  urls: string | readonly string[];
  /** The TURN user name. */
  username?: string | undefined;
  /** The TURN password. */
  credential?: string | undefined;
}

/**
 * Which provider carries `session.calls`:
 * - `'auto'` (default): `'local'` when the endpoint is on loopback (`localhost`, `127.0.0.0/8`,
 *   `::1`: that is the emulator; no ACS resource lives there), `'azure'` otherwise;
 * - `'azure'`: the real `@azure/communication-calling` SDK (browsers only);
 * - `'local'`: the emulator's call service (Node and browsers; no media).
 */
export type CallingProviderName = 'auto' | 'azure' | 'local';

/**
 * `createSession({ calling })` as an object.
 * @example
 * ```ts
 * await createSession({ endpoint, token, calling: { iceServers: [{ urls: 'turn:turn.example.com', username, credential }] } });
 * await createSession({ endpoint: emu.endpoint, token, calling: { provider: 'local', ...emulatorClientOptions(emu) } });
 * ```
 */
export interface CallingOptions {
  /** Which provider; default `'auto'`. */
  provider?: CallingProviderName | undefined;
  /** Your own TURN servers, given to the calling SDK as `networkConfiguration.turn` (azure provider). */
  iceServers?: readonly IceServer[] | undefined;
  /**
   * Loads `@azure/communication-calling` for the azure provider: pass `() => import('@azure/communication-calling')`
   * so that your bundler sees the SDK in your code and splits it into a lazy chunk. Without it the
   * provider imports the package by name at run time, hidden from bundlers (so a chat-only app never
   * bundles 7 MB it does not use): that works in Node ESM, with an import map, or in dev servers
   * that resolve bare names, but a production bundle needs this option.
   */
  loadSdk?: (() => Promise<object>) | undefined;
  /** A CA (PEM) to trust when the local provider connects from Node: the emulator's certificate (`emulatorClientOptions(emu)` has this shape). */
  tlsOptions?:
    | {
        /** The CA certificate (PEM) to trust. */
        ca: string;
      }
    | undefined;
}

/** The `calling` option of `createSession`: a provider name, `false` to turn calls off, or {@link CallingOptions}. */
export type CallingSetting = CallingProviderName | false | CallingOptions;

/** The calling option, checked and settled. @internal */
export interface ResolvedCalling {
  provider: 'azure' | 'local' | 'none';
  iceServers: { urls: string[]; username?: string; credential?: string }[] | undefined;
  ca: string | undefined;
  loadSdk: (() => Promise<object>) | undefined;
}

const NAMES = ['auto', 'azure', 'local'];

/** Adds a problem for anything wrong with `calling`. @internal */
export function collectCallingProblems(calling: unknown, problems: OptionProblems): void {
  if (calling === undefined || calling === false || NAMES.includes(calling as string)) return;
  if (!isPlainObject(calling)) {
    problems.add(`calling must be 'auto', 'azure', 'local', false or an object, got ${show(calling)}`);
    return;
  }
  problems.unknownKeys(calling, ['provider', 'iceServers', 'tlsOptions', 'loadSdk'], 'calling.');
  const { provider, iceServers, tlsOptions, loadSdk } = calling;
  if (loadSdk !== undefined && typeof loadSdk !== 'function')
    problems.add(`calling.loadSdk must be a function returning import('@azure/communication-calling'), got ${show(loadSdk)}`);
  if (provider !== undefined && !NAMES.includes(provider as string)) problems.add(`calling.provider must be 'auto', 'azure' or 'local', got ${show(provider)}`);
  if (iceServers !== undefined) {
    if (!Array.isArray(iceServers)) problems.add(`calling.iceServers must be an array, got ${show(iceServers)}`);
    else {
      iceServers.forEach((server: unknown, i) => {
        const urls = isPlainObject(server) ? server['urls'] : undefined;
        const list = typeof urls === 'string' ? [urls] : Array.isArray(urls) ? urls : [];
        if (list.length === 0 || !list.every((url) => typeof url === 'string' && /^(turns?|stuns?):/.test(url))) {
          problems.add(`calling.iceServers[${i}].urls must be turn:, turns: or stun: URLs, got ${show(urls)}`);
        }
      });
    }
  }
  if (tlsOptions !== undefined && !(isPlainObject(tlsOptions) && typeof tlsOptions['ca'] === 'string')) {
    problems.add(`calling.tlsOptions must be { ca: string }, got ${show(tlsOptions)}`);
  }
}

/** Settles the provider for an endpoint. @internal */
export function resolveCalling(calling: CallingSetting | undefined, endpoint: string, defaultCa?: string): ResolvedCalling {
  if (calling === false) return { provider: 'none', iceServers: undefined, ca: undefined, loadSdk: undefined };
  const options: CallingOptions = typeof calling === 'object' ? calling : { provider: calling ?? 'auto' };
  const name = options.provider ?? 'auto';
  const provider = name === 'auto' ? (isLoopback(endpoint) ? 'local' : 'azure') : name;
  const iceServers = options.iceServers?.map((server) => ({
    urls: typeof server.urls === 'string' ? [server.urls] : [...server.urls],
    ...(server.username !== undefined && { username: server.username }),
    ...(server.credential !== undefined && { credential: server.credential }),
  }));
  return { provider, iceServers, ca: options.tlsOptions?.ca ?? defaultCa, loadSdk: options.loadSdk };
}

/** Whether the endpoint's host is loopback: the emulator, never an ACS resource. @internal */
export function isLoopback(endpoint: string): boolean {
  let host: string;
  try {
    host = new URL(endpoint).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
