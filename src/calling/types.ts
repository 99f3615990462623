import type { ChatThread } from '../chat/types.js';
import type { CallData } from '../data/call-data.js';
import type { Unsubscribe } from '../events/types.js';
import type { CallEndReason } from './end-reason.js';
import type { Identifier, PersonInput } from '../identifiers/identifier.js';

/**
 * Where a call is, as ACS names it (camelCase): `connecting` → `ringing` (an outgoing call waiting
 * for an answer) → `connected` ⇄ `localHold` / `remoteHold` → `disconnecting` → `disconnected`
 * (final); `inLobby` and `earlyMedia` for Teams meetings and PSTN.
 */
export type CallState =
  'none' | 'connecting' | 'ringing' | 'earlyMedia' | 'connected' | 'localHold' | 'remoteHold' | 'inLobby' | 'disconnecting' | 'disconnected';

/** Where a remote participant is, as ACS names it (camelCase). */
export type ParticipantState = 'idle' | 'connecting' | 'ringing' | 'earlyMedia' | 'connected' | 'hold' | 'inLobby' | 'disconnected';

/**
 * A remote participant of a call, as an immutable snapshot.
 * @example
 * ```ts
 * for (const p of Object.values(call.participants)) console.log(p.displayName ?? p.rawId, p.state, p.isMuted);
 * ```
 */
export interface CallParticipant {
  /** Who it is, with `kind` and `rawId`. */
  readonly identifier: Identifier;
  /** The raw id; the key in `call.participants`. */
  readonly rawId: string;
  /** The name the participant gave, if any. */
  readonly displayName: string | undefined;
  /** Where the participant is in the call. */
  readonly state: ParticipantState;
  /** Whether their microphone is muted. */
  readonly isMuted: boolean;
  /** Whether they are speaking now (always `false` on the local provider: it carries no media). */
  readonly isSpeaking: boolean;
}

/** The participants of a call, keyed by raw id. */
export type CallParticipants = Readonly<Record<string, CallParticipant>>;

/**
 * The immutable snapshot of a call: what `call.getSnapshot()` returns, a new object only when
 * something changed.
 * @example
 * ```tsx
 * const { state, participants, isMuted } = useSyncExternalStore(call.subscribe, call.getSnapshot);
 * ```
 */
export interface CallSnapshot {
  /** The call id ACS assigned. */
  readonly id: string;
  /** Where the call is. */
  readonly state: CallState;
  /** Whether this side started the call or answered it. */
  readonly direction: 'outgoing' | 'incoming';
  /** Whether this side's microphone is muted. */
  readonly isMuted: boolean;
  /** Whether this side sends video. */
  readonly isVideoOn: boolean;
  /** Whether this side shares its screen. */
  readonly isScreenSharing: boolean;
  /** Everyone else in the call (or being rung), keyed by raw id. */
  readonly participants: CallParticipants;
  /** Why the call ended, once it is `disconnected`. */
  readonly endReason: CallEndReason | undefined;
}

/**
 * Options of `call.hangUp()`.
 * @example
 * ```ts
 * await call.hangUp({ forEveryone: true });
 * ```
 */
export interface HangUpOptions {
  /** End the call for every participant, not only leave it. */
  forEveryone?: boolean | undefined;
}

/**
 * Options of `call.addParticipant()`.
 * @example
 * ```ts
 * await call.addParticipant({ phoneNumber: '+15551234567' }, { alternateCallerId: '+15550001111' });
 * ```
 */
export interface AddParticipantOptions {
  /** The ACS-owned phone number (E.164) shown to a phone being added; required for phone numbers. */
  alternateCallerId?: string | undefined;
}

/**
 * Options of `call.startVideo()`.
 * @example
 * ```ts
 * await call.startVideo({ cameraId: cameras[1].id });
 * ```
 */
export interface StartVideoOptions {
  /** The camera to use (a device id from the calling SDK's device manager). Default: the first camera. */
  cameraId?: string | undefined;
}

/** A DTMF tone: `0`–`9`, `*`, `#`, `A`–`D`. */
export type DtmfTone = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'A' | 'B' | 'C' | 'D';

/**
 * One call: state, participants, controls, and the external-store pair for UIs. Its changes are
 * also events on the session stream (`callStateChanged`, `participantJoined`, …).
 *
 * @example
 * ```ts
 * const call = await session.calls.join({ groupId });
 * await call.mute();
 * call.subscribe(() => render(call.getSnapshot()));
 * await call.hangUp();
 * console.log(call.endReason?.kind); // 'hungUp'
 * ```
 */
export interface Call {
  /** The call id ACS assigned. */
  readonly id: string;
  /** Where the call is. */
  readonly state: CallState;
  /** Whether this side started the call or answered it. */
  readonly direction: 'outgoing' | 'incoming';
  /** Everyone else, keyed by raw id. */
  readonly participants: CallParticipants;
  /** Whether this side's microphone is muted. */
  readonly isMuted: boolean;
  /** Why the call ended, once it is `disconnected`. */
  readonly endReason: CallEndReason | undefined;
  /**
   * The call's chat, when it has one: a meeting joined by `{ meetingLink }` (the link carries the
   * thread id, `19:meeting_…@thread.v2`) gives the session's `ChatThread` for it (the same as
   * `session.chat.thread(id)`) at once; a Teams meeting joined by `{ meetingId, passcode }` (azure)
   * gives it once the calling SDK knows the thread id (after connecting). `undefined` for other
   * calls and when chat is off (`chat: false`).
   * @example
   * ```ts
   * const call = await session.calls.join({ meetingLink });
   * await call.chat?.send('Joined from the app');
   * ```
   */
  readonly chat: ChatThread | undefined;
  /**
   * Any payload over this call: typed channels by topic, chunking past the 32 KB frame limit, RPC
   * and files with progress (see {@link CallData}). The ACS DataChannel on the azure provider, the
   * emulator's relay on the local one. It listens from the moment the call object exists; what a
   * remote sends before `start()`/`join()`/`accept()` has returned to you is held (up to 1 024
   * frames) and handed over a task later, so handlers, channels and file listeners registered right
   * after that `await` miss nothing. It closes when the call ends; closing it yourself ends data on
   * this call for good. Errors thrown by its listeners that nobody catches on it arrive as the
   * session's `error` event.
   * @throws SessionError `NOT_SUPPORTED` when the session was created with `calling: { data: false }`
   * or the calling SDK would not open a DataChannel on this call; `CALLING_UNAVAILABLE` when the
   * data code could not be loaded.
   * @example
   * ```ts
   * const cursor = call.data.channel<{ x: number; y: number }>('cursor', { reliability: 'lossy' });
   * cursor.on('message', ({ value, from }) => moveCursor(from.rawId, value));
   * await cursor.send({ x: 10, y: 20 });
   * ```
   */
  readonly data: CallData;
  /**
   * Mutes this side's microphone.
   * @throws SessionError `CALL_ENDED` after the call ended; `CALL_FAILED` when the provider refused.
   */
  mute(): Promise<void>;
  /**
   * Unmutes this side's microphone.
   * @throws SessionError `CALL_ENDED`, `CALL_FAILED`.
   */
  unmute(): Promise<void>;
  /**
   * Starts sending video.
   * @throws SessionError `NOT_SUPPORTED` on the local provider (no media); `CALL_ENDED`, `CALL_FAILED`.
   */
  startVideo(options?: StartVideoOptions): Promise<void>;
  /**
   * Stops sending video.
   * @throws SessionError `NOT_SUPPORTED` on the local provider; `CALL_ENDED`, `CALL_FAILED`.
   */
  stopVideo(): Promise<void>;
  /**
   * Starts sharing the screen.
   * @throws SessionError `NOT_SUPPORTED` on the local provider; `CALL_ENDED`, `CALL_FAILED`.
   */
  startScreenShare(): Promise<void>;
  /**
   * Stops sharing the screen.
   * @throws SessionError `NOT_SUPPORTED` on the local provider; `CALL_ENDED`, `CALL_FAILED`.
   */
  stopScreenShare(): Promise<void>;
  /**
   * Puts the call on hold (state `localHold`).
   * @throws SessionError `CALL_ENDED`, `CALL_FAILED`.
   */
  hold(): Promise<void>;
  /**
   * Takes the call off hold.
   * @throws SessionError `CALL_ENDED`, `CALL_FAILED`.
   */
  resume(): Promise<void>;
  /**
   * Sends a DTMF tone (to a phone participant).
   * @throws SessionError `INVALID_ARGUMENT` for anything but one tone; `CALL_ENDED`, `CALL_FAILED`.
   */
  sendDtmf(tone: DtmfTone): Promise<void>;
  /**
   * Leaves the call, or ends it for everyone. Resolves once the call is `disconnected`; calling it
   * again, or after the call ended, does nothing.
   * @throws SessionError `CALL_FAILED` when the provider refused.
   */
  hangUp(options?: HangUpOptions): Promise<void>;
  /**
   * Removes a participant from the call.
   * @throws SessionError `INVALID_ARGUMENT` for something that is not a person; `CALL_ENDED`; `CALL_FAILED`.
   */
  removeParticipant(person: PersonInput): Promise<void>;
  /**
   * Rings one more person into the running call: an ACS user (every session of theirs rings), a
   * phone number (with `alternateCallerId`, as in `start`) or a Teams user (azure). Resolves once the
   * service took the request; they appear in `participants` (state `ringing`/`connecting`, then
   * `connected`) with `participantJoined`, and leave again if they decline or do not answer.
   * @example
   * ```ts
   * await call.addParticipant('8:acs:…');
   * await call.addParticipant({ phoneNumber: '+15551234567' }, { alternateCallerId: '+15550001111' });
   * ```
   * @throws SessionError `INVALID_ARGUMENT` for something that is not a person, a phone number without
   * `alternateCallerId`, someone already in the call; `NOT_SUPPORTED` for an identity the provider
   * cannot ring; `CALL_ENDED`; `CALL_FAILED` (e.g. nobody could be reached).
   */
  addParticipant(person: PersonInput, options?: AddParticipantOptions): Promise<void>;
  /** Calls `onChange` (with no arguments) whenever `getSnapshot()` would return a new object. */
  subscribe(onChange: () => void): Unsubscribe;
  /** The current {@link CallSnapshot}; the same object until something changes. */
  getSnapshot(): CallSnapshot;
}

/**
 * A call ringing this session: the payload of the `incomingCall` event.
 * @example
 * ```ts
 * session.on('incomingCall', async ({ incomingCall }) => {
 *   if (await confirm(`${incomingCall.caller.displayName} is calling`)) await incomingCall.accept();
 *   else await incomingCall.reject();
 * });
 * ```
 */
export interface IncomingCall {
  /** The id of the call being offered. */
  readonly id: string;
  /** Who is calling. */
  readonly caller: {
    /** The caller's identifier, with `kind` and `rawId`. */
    readonly identifier: Identifier;
    /** The caller's raw id. */
    readonly rawId: string;
    /** The name the caller gave, if any. */
    readonly displayName: string | undefined;
  };
  /**
   * Answers: resolves with the connected {@link Call}.
   * @throws SessionError `CALL_ENDED` when the call stopped ringing (answered elsewhere, cancelled);
   * `CALL_FAILED`.
   */
  accept(options?: AcceptCallOptions): Promise<Call>;
  /**
   * Declines; the caller's call ends as `declined`.
   * @throws SessionError `CALL_ENDED` when the call stopped ringing; `CALL_FAILED`.
   */
  reject(): Promise<void>;
}

/**
 * Options of `incomingCall.accept()`.
 * @example
 * ```ts
 * await incomingCall.accept({ audio: { muted: true } });
 * ```
 */
export interface AcceptCallOptions {
  /** Send video from the start (azure provider only). */
  video?: boolean | undefined;
  /** Audio settings; `{ muted: true }` joins muted. */
  audio?:
    | {
        /** Start with the microphone muted. */
        muted?: boolean | undefined;
      }
    | undefined;
}

/**
 * Options of `session.calls.start()`.
 * @example
 * ```ts
 * await session.calls.start([{ phoneNumber: '+15551234567' }], { alternateCallerId: '+15550001111' });
 * ```
 */
export interface StartCallOptions extends AcceptCallOptions {
  /** The ACS-owned phone number (E.164) shown to a phone callee; required when calling phone numbers. */
  alternateCallerId?: string | undefined;
  /** Gives up waiting (rejects with `ABORTED`); a call that started meanwhile is hung up. */
  signal?: AbortSignal | undefined;
}

/**
 * Options of `session.calls.join()`.
 * @example
 * ```ts
 * await session.calls.join({ groupId }, { audio: { muted: true } });
 * ```
 */
export interface JoinCallOptions extends AcceptCallOptions {
  /** Gives up waiting (rejects with `ABORTED`); a call that started meanwhile is hung up. */
  signal?: AbortSignal | undefined;
}

/**
 * What `session.calls.join()` joins: a group call by its GUID, a room, or a Teams meeting.
 * @example
 * ```ts
 * await session.calls.join({ groupId: crypto.randomUUID() });
 * await session.calls.join({ meetingLink: 'https://teams.microsoft.com/l/meetup-join/…' });
 * ```
 */
export type CallLocator =
  | {
      /** A group call's id: a GUID that everyone joining uses. */
      readonly groupId: string;
    }
  | {
      /** An ACS room's id (made with the Rooms API). */
      readonly roomId: string;
    }
  | {
      /** A Teams meeting join link (azure provider only). */
      readonly meetingLink: string;
    }
  | {
      /** A Teams meeting id (azure provider only). */
      readonly meetingId: string;
      /** The Teams meeting passcode. */
      readonly passcode: string;
    };

/**
 * `session.calls`: start, join and list calls; incoming calls arrive as `incomingCall` events once
 * `connect()` (or any start/join) brought the calling provider up.
 * @example
 * ```ts
 * await session.calls.connect(); // ring this session from now on
 * session.on('incomingCall', ({ incomingCall }) => incomingCall.accept());
 * const call = await session.calls.start(['8:acs:…']);
 * ```
 */
export interface SessionCalls {
  /** Which provider carries the calls: `'azure'`, `'local'`, or `'none'` when calling is off. */
  readonly provider: 'azure' | 'local' | 'none';
  /**
   * Brings the calling provider up (the Azure `CallAgent`, or the emulator socket), so that incoming
   * calls ring this session. `start` and `join` do it themselves. Idempotent.
   * @throws SessionError `CALLING_DISABLED`, `CALLING_UNSUPPORTED_RUNTIME`, `CALLING_UNAVAILABLE`,
   * `UNAUTHORIZED`, `DISPOSED`, `ABORTED`.
   */
  connect(options?: { signal?: AbortSignal | undefined }): Promise<void>;
  /**
   * Calls one or more people: ACS users, phone numbers (with `alternateCallerId`), Teams users.
   * Resolves as soon as the call exists (state `connecting`/`ringing`); watch `callStateChanged`
   * or `call.subscribe` for `connected`, and `callEnded` for declined / not answered.
   * @throws SessionError `INVALID_ARGUMENT`, `NOT_SUPPORTED`, `CALL_FAILED`, and those of `connect()`.
   */
  start(people: readonly PersonInput[], options?: StartCallOptions): Promise<Call>;
  /**
   * Joins a group call, a room or a Teams meeting.
   * @throws SessionError `INVALID_ARGUMENT`, `NOT_SUPPORTED` (Teams meetings on the local provider),
   * `CALL_FAILED`, and those of `connect()`.
   */
  join(locator: CallLocator, options?: JoinCallOptions): Promise<Call>;
  /** The calls that have not ended, oldest first. */
  list(): readonly Call[];
  /** The calls ringing this session now. */
  incoming(): readonly IncomingCall[];
}
