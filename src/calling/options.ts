import { type CallDataOptions, resolveCallDataOptions } from '../data/options.js';
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
  /**
   * `call.data`, the data-channel helper on every call: its limits ({@link CallDataOptions}), or
   * `false` to leave it out (its code is then never loaded and the ACS DataChannel is not opened).
   * Default `{}`: on, with the defaults.
   */
  data?: false | CallDataOptions | undefined;
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
  iceServers: readonly IceServer[] | undefined;
  ca: string | undefined;
  loadSdk: (() => Promise<object>) | undefined;
  /** The data helper's options, or `false` when `call.data` is off. */
  data: CallDataOptions | false;
}

const NAMES = ['auto', 'azure', 'local'];

/** Adds a problem for anything wrong with `calling`. @internal */
export function collectCallingProblems(calling: unknown, problems: OptionProblems): void {
  if (calling === undefined || calling === false || NAMES.includes(calling as string)) return;
  if (!isPlainObject(calling)) return problems.add(`calling must be 'auto', 'azure', 'local', false or an object, got ${show(calling)}`);
  problems.unknownKeys(calling, ['provider', 'iceServers', 'tlsOptions', 'loadSdk', 'data'], 'calling.');
  const { provider, iceServers, tlsOptions, loadSdk, data } = calling;
  const bad = (what: string, value: unknown) => problems.add(`calling.${what}, got ${show(value)}`);
  if (provider !== undefined && !NAMES.includes(provider as string)) bad("provider must be 'auto', 'azure' or 'local'", provider);
  if (loadSdk !== undefined && typeof loadSdk !== 'function') bad("loadSdk must be () => import('@azure/communication-calling')", loadSdk);
  if (data !== undefined && data !== false) {
    if (!isPlainObject(data)) bad('data must be false or an object', data);
    else {
      try {
        resolveCallDataOptions(data);
      } catch (error) {
        problems.add(`calling.data: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  if (tlsOptions !== undefined && !(isPlainObject(tlsOptions) && typeof tlsOptions['ca'] === 'string')) bad('tlsOptions must be { ca: string }', tlsOptions);
  const servers: unknown[] = Array.isArray(iceServers) ? iceServers : iceServers === undefined ? [] : [iceServers];
  servers.forEach((server, i) => {
    const urls: unknown = isPlainObject(server) ? server['urls'] : server;
    if (![urls].flat().every((url) => typeof url === 'string' && /^(turns?|stuns?):/.test(url)) || [urls].flat().length === 0) {
      bad(`iceServers[${i}].urls must be turn:, turns: or stun: URLs`, urls);
    }
  });
}

/** Settles the provider for an endpoint. @internal */
export function resolveCalling(calling: CallingSetting | undefined, endpoint: string, defaultCa?: string): ResolvedCalling {
  if (calling === false) return { provider: 'none', iceServers: undefined, ca: undefined, loadSdk: undefined, data: false };
  const options: CallingOptions = typeof calling === 'object' ? calling : { provider: calling ?? 'auto' };
  const name = options.provider ?? 'auto';
  const provider = name === 'auto' ? (isLoopback(endpoint) ? 'local' : 'azure') : name;
  return { provider, iceServers: options.iceServers, ca: options.tlsOptions?.ca ?? defaultCa, loadSdk: options.loadSdk, data: options.data ?? {} };
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
