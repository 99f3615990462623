/**
 * `acs-session/emulator` — a local Azure Communication Services emulator (Node only): identity,
 * user tokens, the Chat REST API and the SMS send API over HTTPS, for the real
 * `@azure/communication-identity`, `@azure/communication-chat` and `@azure/communication-sms`
 * clients. See docs/emulator.md and docs/sms.md.
 *
 * @packageDocumentation
 */
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { AddressInfo, Socket } from 'node:net';
import { isIPv6 } from 'node:net';
import { SessionError } from '../errors.js';
import { startCallService } from './calling/call-service.js';
import { createMeeting, type EmulatorMeetings } from './calling/meetings.js';
import { SimulatedPhones } from './calling/phones.js';
import { registerPhoneRoutes } from './calling/phone-routes.js';
import { checkKey, registerAdminRoutes, registerSmsAdminRoutes } from './admin.js';
import { type EmulatorOptions, validateEmulatorOptions } from './options.js';
import { JwtSigner } from './auth/jwt.js';
import { registerMessageRoutes } from './chat/messages.js';
import { registerParticipantRoutes } from './chat/participants.js';
import { registerReceiptRoutes } from './chat/receipts.js';
import { registerThreadRoutes } from './chat/threads.js';
import { EmulatorClock } from './clock.js';
import { ChangeFeed } from './feed.js';
import { FaultInjector } from './faults.js';
import { createEmulatorIdentity, type EmulatorIdentity } from './identity/helpers.js';
import { registerIdentityRoutes } from './identity/routes.js';
import { IdGenerator } from './ids.js';
import { registerNotificationAdminRoutes, registerNotificationRoutes } from './notifications/routes.js';
import { NotificationService } from './notifications/service.js';
import { Router } from './router.js';
import { createRequestListener } from './server.js';
import { SmsInbox } from './sms/inbox.js';
import { registerSmsRoutes } from './sms/routes.js';
import type { EmulatorServices } from './services.js';
import { type Journal, openJournal } from './store/journal.js';
import { loadOrCreateKeys } from './store/keys.js';
import { type DataDirLock, lockDataDir } from './store/lock.js';
import { EmulatorState } from './store/state.js';

export { FaultInjector, parseFaultSpec } from './faults.js';
export type { FaultHandle, FaultRule } from './faults.js';
export type { CreateMeetingOptions, EmulatorMeeting, EmulatorMeetings } from './calling/meetings.js';
export { SimulatedPhones } from './calling/phones.js';
export type { PhoneCall } from './calling/phones.js';
export { createSelfSignedCertificate } from './tls/certificate.js';
export type { EmulatorIdentity, EmulatorToken, EmulatorUser, IssueTokenOptions } from './identity/helpers.js';
export type { TokenScope } from './identity/tokens.js';
export type { CertificateOptions, CertificatePair } from './tls/certificate.js';
export type { EmulatorOptions } from './options.js';
export { SmsInbox } from './sms/inbox.js';
export type { SentSms, SmsFilter } from './sms/inbox.js';

/**
 * Control of the emulator's chat notification service (the trouter socket the browser `ChatClient`
 * gets pushes on), for tests of realtime fallback.
 *
 * @example
 * ```ts
 * emulator.notifications.setAvailable(false); // drop every socket, refuse reconnects
 * // … clients fall back to polling …
 * emulator.notifications.setAvailable(true);
 * ```
 */
export interface EmulatorNotifications {
  /** Open notification sockets. */
  readonly socketCount: number;
  /** `false` drops every open socket and refuses new ones (503) until set `true` again. */
  setAvailable(available: boolean): void;
}

/**
 * Control of the emulator's call service (the WebSocket the local calling provider talks to), for
 * tests of what a session does when it drops.
 *
 * @example
 * ```ts
 * emulator.callService.setAvailable(false); // drop every call socket, refuse reconnects
 * await session.waitForState('reconnecting');
 * emulator.callService.setAvailable(true);   // the provider reconnects by itself
 * ```
 */
export interface EmulatorCallService {
  /** Open call-service sockets. */
  readonly socketCount: number;
  /** `false` drops every open socket (their calls end) and refuses new ones (503) until set `true` again. */
  setAvailable(available: boolean): void;
}

/**
 * The number the emulated resource owns when `phoneNumbers` is not given (a fictional 555 number).
 *
 * @example
 * ```ts
 * await sms.send({ from: DEFAULT_EMULATOR_PHONE_NUMBER, to: ['+14255550199'], message: 'hi' });
 * ```
 */
export const DEFAULT_EMULATOR_PHONE_NUMBER = '+14255550100';

/**
 * A running emulator. Besides its endpoint and connection string for the Azure clients, it hands
 * out users and tokens itself ({@link EmulatorIdentity}), so a test or an example needs no
 * identity client.
 *
 * @example
 * ```ts
 * const emu: Emulator = await startEmulator();
 * const user = emu.createUser();
 * const { token, expiresOn } = emu.issueToken(user, ['chat']);
 * console.log(emu.endpoint, expiresOn);
 * await emu.close();
 * ```
 */
export interface Emulator extends EmulatorIdentity {
  /** `https://127.0.0.1:<port>/` — the ACS endpoint to give clients. */
  readonly endpoint: string;
  /** `endpoint=…;accesskey=…`, for `CommunicationIdentityClient` and token services. */
  readonly connectionString: string;
  /** The self-signed TLS certificate (PEM) clients must trust. */
  readonly certificate: string;
  /** The bound port. */
  readonly port: number;
  /** The emulated resource id (the `<resourceId>` in `8:acs:<resourceId>_<uuid>`). */
  readonly resourceId: string;
  /** Fault injection: the next N requests matching a route fail or wait. */
  readonly faults: FaultInjector;
  /** The simulated PSTN phones that calls to `{ phoneNumber }` ring; answer them here. */
  readonly phones: SimulatedPhones;
  /** How many calls the call service holds now (for tests and leak checks). */
  readonly activeCallCount: number;
  /** The call service (local calling provider); see {@link EmulatorCallService}. */
  readonly callService: EmulatorCallService;
  /** Meetings for the local calling provider: a join link and a chat thread that joiners are added to. */
  readonly meetings: EmulatorMeetings;
  /** The phone numbers the resource owns (SMS `from`), from {@link EmulatorOptions.phoneNumbers}. */
  readonly phoneNumbers: readonly string[];
  /** The SMS sent through the emulator, for tests to read (also served at `GET /_emulator/sms`). */
  readonly sms: SmsInbox;
  /** The chat notification service (realtime push to browser `ChatClient`s); see {@link EmulatorNotifications}. */
  readonly notifications: EmulatorNotifications;
  /**
   * Moves the emulator's clock forward by `ms` (token expiry, timestamps). Clients keep their own
   * clock, so a token they still consider valid can be expired here.
   */
  advanceClock(ms: number): void;
  /**
   * Stops listening, drops open connections (including requests waiting on a fault delay), closes
   * the data files and releases the data-dir lock. Idempotent.
   */
  close(): Promise<void>;
  /** Same as {@link Emulator.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts the emulator: HTTPS with a generated self-signed certificate (SAN localhost,
 * 127.0.0.1, ::1 and `host`), the identity API (HMAC-signed), user tokens, the Chat REST API, CORS and
 * fault injection, and the call service (WebSocket) that the local calling provider talks to.
 *
 * @example
 * ```ts
 * import { startEmulator } from 'acs-session/emulator';
 *
 * const emu = await startEmulator({ port: 0 });
 * const user = emu.createUser();
 * const { token } = emu.issueToken(user, ['chat']);
 * // The HTTP identity API serves the real CommunicationIdentityClient too:
 * // new CommunicationIdentityClient(emu.connectionString, emulatorClientOptions(emu))
 * await emu.close();
 * ```
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  validateEmulatorOptions(options);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  // The lock comes first: even the key/certificate files must not be rewritten under a live emulator.
  const lock: DataDirLock | undefined = options.dataDir === undefined ? undefined : lockDataDir(options.dataDir);
  let journal: Journal | undefined;
  try {
    return await listen(options, host, port, lock, (opened) => (journal = opened));
  } catch (error) {
    journal?.close();
    lock?.release();
    throw error;
  }
}

async function listen(
  options: EmulatorOptions,
  host: string,
  port: number,
  lock: DataDirLock | undefined,
  onJournal: (journal: Journal) => void,
): Promise<Emulator> {
  const keys = loadOrCreateKeys(options.dataDir, options.accessKey, host);
  const state = new EmulatorState();
  const ids = new IdGenerator(keys.resourceId);
  let journal: Journal | undefined;
  if (options.dataDir !== undefined) {
    journal = openJournal(options.dataDir, state);
    onJournal(journal);
    for (const thread of state.threads.values()) for (const m of thread.messages) ids.observeMessageId(m.version);
  }

  const feed = new ChangeFeed();
  state.subscribe((change) => feed.publish({ kind: 'commit', ...change }));
  const services: EmulatorServices = { state, keys, jwt: new JwtSigner(keys.tokenSecret), ids, feed };
  const clock = new EmulatorClock();
  let origin = '';
  const notifications = new NotificationService(
    services,
    () => clock.now(),
    () => origin,
  );
  const faults = new FaultInjector();
  const router = new Router();
  registerIdentityRoutes(router, services);
  registerThreadRoutes(router, services);
  registerMessageRoutes(router, services);
  registerParticipantRoutes(router, services);
  registerReceiptRoutes(router, services);
  registerNotificationRoutes(router, notifications);
  const phoneNumbers = Object.freeze([...(options.phoneNumbers ?? [DEFAULT_EMULATOR_PHONE_NUMBER])]);
  const sms = new SmsInbox();
  registerSmsRoutes(router, services, phoneNumbers, sms);
  registerAdminRoutes(router, faults, keys.accessKey);
  const phones = new SimulatedPhones();
  registerPhoneRoutes(router, phones, keys.accessKey);
  registerSmsAdminRoutes(router, sms, keys.accessKey);
  registerNotificationAdminRoutes(router, notifications, (ctx) => checkKey(ctx, keys.accessKey));

  const requests = createRequestListener({
    router,
    faults,
    now: () => clock.now(),
    origin: () => origin,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    ...(options.onError && { onError: options.onError }),
  });
  const server = createServer({ cert: keys.certificate.cert, key: keys.certificate.key }, requests.listener);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  // A broken TLS handshake or HTTP parse error must never take the process down.
  server.on('tlsClientError', () => undefined);
  // closeAllConnections() only knows sockets that finished the TLS handshake and reached HTTP;
  // one still handshaking (or a raw TCP connect that never starts) would keep server.close()
  // waiting until a timeout, holding the journal and the data-dir lock. So track every socket.
  const sockets = new Set<Socket>();
  const calls = startCallService({ services, phones, now: () => clock.now(), ringTimeoutMs: options.calling?.ringTimeoutMs ?? 30_000 });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  // One dispatcher for every WebSocket service, by path: each handler takes its own paths and
  // declines the rest; a path nobody takes is refused.
  const upgradeHandlers: ((req: IncomingMessage, socket: Duplex, head: Buffer) => boolean)[] = [
    (req, socket, head) => calls.handleUpgrade(req, socket, head),
    (req, socket, head) => notifications.handleUpgrade(req, socket, head),
  ];
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    if (!upgradeHandlers.some((handle) => handle(req, socket, head))) socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  origin = `https://${publicHost(host)}:${address.port}`;
  const endpoint = `${origin}/`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      // First, so no delayed request wakes up to a closed journal and no timer outlives close().
      requests.close();
      calls.close();
      notifications.close();
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    }).finally(() => {
      journal?.close();
      lock?.release();
    });
    return closing;
  };

  const identity = createEmulatorIdentity(
    services,
    () => clock.now(),
    () => closing !== undefined,
  );
  return {
    ...identity,
    endpoint,
    connectionString: `endpoint=${endpoint};accesskey=${keys.accessKey}`,
    certificate: keys.certificate.cert,
    port: address.port,
    resourceId: keys.resourceId,
    faults,
    phones,
    get activeCallCount() {
      return calls.registry.size;
    },
    meetings: {
      create: (meetingOptions) => {
        if (closing !== undefined) throw new SessionError('DISPOSED', 'emulator.meetings.create() was called after close()');
        return createMeeting(services, meetingOptions, clock.now());
      },
    },
    callService: {
      get socketCount() {
        return calls.socketCount;
      },
      setAvailable: (available) => calls.setAvailable(available),
    },
    phoneNumbers,
    sms,
    notifications: {
      get socketCount() {
        return notifications.socketCount;
      },
      setAvailable: (available) => notifications.setAvailable(available),
    },
    advanceClock: (ms) => {
      clock.advance(ms);
      calls.checkTokens();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * Client options that make an Azure SDK client trust the emulator's certificate.
 *
 * @example
 * ```ts
 * const options: EmulatorClientOptions = emulatorClientOptions(emu);
 * ```
 */
export interface EmulatorClientOptions {
  /** Consumed by `@azure/core-rest-pipeline` (Node): the trusted CA for this client's requests. */
  tlsOptions: {
    /** The emulator's certificate (PEM), trusted as the only CA for this client. */
    ca: string;
  };
}

/**
 * Options to spread into `ChatClient` / `ChatThreadClient` / `CommunicationIdentityClient`
 * options so they trust the emulator's self-signed certificate in Node without
 * `NODE_EXTRA_CA_CERTS`. It uses the pipeline's `tlsOptions`, which applies to that client only
 * (nothing global changes) and replaces the default CA list for it — right for a local endpoint.
 *
 * @example
 * ```ts
 * const chat = new ChatClient(emu.endpoint, new AzureCommunicationTokenCredential(token), emulatorClientOptions(emu));
 * const thread = chat.getChatThreadClient(threadId); // inherits the options
 * ```
 */
export function emulatorClientOptions(emulator: Pick<Emulator, 'certificate'>): EmulatorClientOptions {
  return { tlsOptions: { ca: emulator.certificate } };
}

function publicHost(host: string): string {
  // Wildcard binds are reached through loopback; IPv6 literals need brackets in URLs.
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return isIPv6(host) ? `[${host}]` : host;
}
