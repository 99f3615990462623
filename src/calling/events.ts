import type { IncomingFile } from '../data/incoming-file.js';
import type { DataParticipant } from '../data/participant.js';
import type { SessionError } from '../errors.js';
import type { EventNames } from '../events/types.js';
import type { CallEndReason } from './end-reason.js';
import type { Call, CallParticipant, CallState, IncomingCall } from './types.js';

/**
 * A call was started, joined or accepted by this session.
 * @example
 * ```ts
 * session.on('callStarted', ({ call }) => showCallScreen(call));
 * ```
 */
export interface CallStartedEvent {
  /** Always `'callStarted'`. */
  readonly type: 'callStarted';
  /** The call. */
  readonly call: Call;
}

/**
 * A call moved to another state.
 * @example
 * ```ts
 * session.on('callStateChanged', ({ call, state }) => state === 'connected' && startTimer(call.id));
 * ```
 */
export interface CallStateChangedEvent {
  /** Always `'callStateChanged'`. */
  readonly type: 'callStateChanged';
  /** The call. */
  readonly call: Call;
  /** The new state. */
  readonly state: CallState;
  /** The state before. */
  readonly previous: CallState;
}

/**
 * A call ended; `reason` says why (also on `call.endReason`).
 * @example
 * ```ts
 * session.on('callEnded', ({ reason }) => reason.kind === 'declined' && showToast('Declined'));
 * ```
 */
export interface CallEndedEvent {
  /** Always `'callEnded'`. */
  readonly type: 'callEnded';
  /** The call, now `disconnected`. */
  readonly call: Call;
  /** Why it ended. */
  readonly reason: CallEndReason;
}

/**
 * Someone joined a call (or started being rung).
 * @example
 * ```ts
 * session.on('participantJoined', ({ participant }) => console.log(participant.displayName, 'joined'));
 * ```
 */
export interface ParticipantJoinedEvent {
  /** Always `'participantJoined'`. */
  readonly type: 'participantJoined';
  /** The call. */
  readonly call: Call;
  /** Who joined. */
  readonly participant: CallParticipant;
}

/**
 * Someone left a call.
 * @example
 * ```ts
 * session.on('participantLeft', ({ participant }) => console.log(participant.rawId, 'left'));
 * ```
 */
export interface ParticipantLeftEvent {
  /** Always `'participantLeft'`. */
  readonly type: 'participantLeft';
  /** The call. */
  readonly call: Call;
  /** Who left, as last seen. */
  readonly participant: CallParticipant;
}

/** What changed on a participant. */
export type ParticipantChange = 'state' | 'isMuted' | 'isSpeaking' | 'displayName';

/**
 * A participant's state, mute, speaking or name changed.
 * @example
 * ```ts
 * session.on('participantUpdated', ({ participant, changes }) => changes.includes('isMuted') && renderMute(participant));
 * ```
 */
export interface ParticipantUpdatedEvent {
  /** Always `'participantUpdated'`. */
  readonly type: 'participantUpdated';
  /** The call. */
  readonly call: Call;
  /** The participant now. */
  readonly participant: CallParticipant;
  /** The participant before. */
  readonly previous: CallParticipant;
  /** Which fields differ. */
  readonly changes: readonly ParticipantChange[];
}

/**
 * A call is ringing this session.
 * @example
 * ```ts
 * session.on('incomingCall', ({ incomingCall }) => incomingCall.accept());
 * ```
 */
export interface IncomingCallEvent {
  /** Always `'incomingCall'`. */
  readonly type: 'incomingCall';
  /** Answer or decline it. */
  readonly incomingCall: IncomingCall;
}

/**
 * A call stopped ringing this session without being accepted here: the caller cancelled, another
 * session answered, it was declined, or nobody answered.
 * @example
 * ```ts
 * session.on('incomingCallEnded', ({ incomingCall, reason }) => hideRinger(incomingCall.id, reason.kind));
 * ```
 */
export interface IncomingCallEndedEvent {
  /** Always `'incomingCallEnded'`. */
  readonly type: 'incomingCallEnded';
  /** The call that rang. */
  readonly incomingCall: IncomingCall;
  /** Why it stopped ringing. */
  readonly reason: CallEndReason;
}

/**
 * A remote started sending a file over a call's data channel (`call.data.sendFile`). The same
 * event as `call.data`'s `incomingFile`, with the call. A file is accepted when an `incomingFile`
 * listener exists on `call.data` or on the session (an all-events iterator alone does not accept
 * files: nobody might read them); otherwise the sender gets `TRANSFER_CANCELLED`.
 * @example
 * ```ts
 * session.on('incomingFile', async ({ call, file }) => save(file.name, await file.bytes()));
 * ```
 */
export interface CallIncomingFileEvent {
  /** Always `'incomingFile'`. */
  readonly type: 'incomingFile';
  /** The call the file came over. */
  readonly call: Call;
  /** The file being received: name, size, progress, `bytes()`, `stream()`, `cancel()`. */
  readonly file: IncomingFile;
}

/**
 * Data a remote sent over a call was dropped (malformed, incomplete, too large, undecodable). The
 * same event as `call.data`'s `dataError`, with the call. Nothing is thrown at the app for remote input.
 * @example
 * ```ts
 * session.on('dataError', ({ call, error, from }) => console.warn(call.id, error.code, from?.rawId));
 * ```
 */
export interface CallDataErrorEvent {
  /** Always `'dataError'`. */
  readonly type: 'dataError';
  /** The call the data came over. */
  readonly call: Call;
  /** What happened: `DATA_INVALID_FRAME`, `DATA_INCOMPLETE`, `DATA_TOO_LARGE`, `DATA_DECODE_FAILED`, … */
  readonly error: SessionError;
  /** Who sent the dropped data, when known. */
  readonly from: DataParticipant | undefined;
}

/**
 * The call events on the session stream, by name.
 * @example
 * ```ts
 * const log = <K extends keyof CallEvents>(e: CallEvents[K]) => console.log(e.type);
 * ```
 */
export interface CallEvents {
  /** A call was started, joined or accepted. */
  callStarted: CallStartedEvent;
  /** A call moved to another state. */
  callStateChanged: CallStateChangedEvent;
  /** A call ended. */
  callEnded: CallEndedEvent;
  /** Someone joined a call. */
  participantJoined: ParticipantJoinedEvent;
  /** Someone left a call. */
  participantLeft: ParticipantLeftEvent;
  /** A participant changed. */
  participantUpdated: ParticipantUpdatedEvent;
  /** A call is ringing this session. */
  incomingCall: IncomingCallEvent;
  /** A call stopped ringing this session. */
  incomingCallEnded: IncomingCallEndedEvent;
  /** A remote started sending a file over a call. */
  incomingFile: CallIncomingFileEvent;
  /** Data a remote sent over a call was dropped. */
  dataError: CallDataErrorEvent;
}

/**
 * Every call event name; the session's own list spreads it. An event added to {@link CallEvents}
 * must be added here too (it does not compile otherwise).
 * @internal
 */
export const CALL_EVENT_NAMES = {
  callStarted: true,
  callStateChanged: true,
  callEnded: true,
  participantJoined: true,
  participantLeft: true,
  participantUpdated: true,
  incomingCall: true,
  incomingCallEnded: true,
  incomingFile: true,
  dataError: true,
} as const satisfies EventNames<CallEvents>;
