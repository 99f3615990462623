import { randomBytes } from 'node:crypto';
import { SessionError } from '../../errors.js';
import { isPlainObject, show } from '../../internal/options.js';
import { nextMessage } from '../chat/append.js';
import { findUser } from '../identity/users.js';
import type { EmulatorServices } from '../services.js';
import type { UserRecord } from '../store/model.js';

/**
 * A meeting the emulator made: the link to join its call with and the id of its chat thread.
 *
 * @example
 * ```ts
 * const { meetingLink, threadId } = emu.meetings.create({ organizer: ada });
 * const call = await session.calls.join({ meetingLink });
 * await call.chat?.send('hello'); // the thread `threadId`
 * ```
 */
export interface EmulatorMeeting {
  /** A Teams-style join link (`https://teams.microsoft.com/l/meetup-join/19%3ameeting_…%40thread.v2/0?context=…`); never fetched. */
  readonly meetingLink: string;
  /** The meeting's chat thread, `19:meeting_…@thread.v2`, as a Teams meeting link carries it. */
  readonly threadId: string;
}

/**
 * Options of `emu.meetings.create()`.
 *
 * @example
 * ```ts
 * emu.meetings.create({ organizer: '8:acs:…', topic: 'Stand-up' });
 * ```
 */
export interface CreateMeetingOptions {
  /** The organizer: an ACS user of this emulator (identifier or raw id); the thread's first member. */
  organizer:
    | {
        /** The organizer's raw id, `8:acs:…`. */
        communicationUserId: string;
      }
    | string;
  /** The chat thread's topic; default `'Meeting'`. */
  topic?: string | undefined;
}

/**
 * Meetings for the local calling provider: a meeting is a call keyed by its chat thread. Joining
 * its call adds the joiner to the thread, as a Teams meeting does for ACS users (so `call.chat` works).
 *
 * @example
 * ```ts
 * const { meetingLink } = emu.meetings.create({ organizer: ada });
 * ```
 */
export interface EmulatorMeetings {
  /**
   * Creates a meeting: its chat thread (with the organizer in it) and its join link.
   * @throws SessionError `INVALID_ARGUMENT` for an organizer that is not a live user of this emulator.
   */
  create(options: CreateMeetingOptions): EmulatorMeeting;
}

const MEETING_THREAD = /^19:meeting_[A-Za-z0-9_-]+@thread\.v2$/;

/** Whether `threadId` names a meeting of this emulator. @internal */
export function isMeeting(services: EmulatorServices, threadId: string): boolean {
  return MEETING_THREAD.test(threadId) && services.state.threads.has(threadId);
}

/** Creates a meeting (its thread, committed like any thread). @internal */
export function createMeeting(services: EmulatorServices, options: unknown, now: number): EmulatorMeeting {
  if (!isPlainObject(options)) throw new SessionError('INVALID_ARGUMENT', `emulator.meetings.create() takes { organizer, topic? }, got ${show(options)}`);
  const { organizer, topic = 'Meeting' } = options;
  const organizerId = typeof organizer === 'string' ? organizer : isPlainObject(organizer) ? organizer['communicationUserId'] : undefined;
  if (typeof organizerId !== 'string') {
    throw new SessionError('INVALID_ARGUMENT', `emulator.meetings.create(): organizer must be a { communicationUserId } or a raw id, got ${show(organizer)}`);
  }
  if (typeof topic !== 'string' || topic.length === 0 || topic.length > 250) {
    throw new SessionError('INVALID_ARGUMENT', `emulator.meetings.create(): topic must be 1–250 characters, got ${show(topic)}`);
  }
  let user: UserRecord;
  try {
    user = findUser(services, organizerId);
  } catch (error) {
    throw new SessionError('INVALID_ARGUMENT', `emulator.meetings.create(): ${organizerId} is not a user of this emulator`, { cause: error });
  }
  const threadId = `19:meeting_${randomBytes(18).toString('base64url')}@thread.v2`;
  const added = nextMessage(services, undefined, { type: 'participantAdded', content: { participants: [{ rawId: user.id }], initiator: user.id } }, now);
  const topicSet = nextMessage(services, added, { type: 'topicUpdated', content: { topic, initiator: user.id } }, now);
  services.state.commitAll([
    { t: 'thread', thread: { id: threadId, topic, createdOn: now, createdBy: user.id, lastMessageOn: now } },
    { t: 'participant', threadId, participant: { rawId: user.id } },
    { t: 'message', threadId, message: added },
    { t: 'message', threadId, message: topicSet },
  ]);
  const context = JSON.stringify({ Tid: services.keys.resourceId, Oid: user.id });
  const meetingLink = `https://teams.microsoft.com/l/meetup-join/${encodeURIComponent(threadId)}/0?context=${encodeURIComponent(context)}`;
  return Object.freeze({ meetingLink, threadId });
}

/** Adds someone who joined the meeting's call to its chat thread (once). @internal */
export function admitToMeeting(services: EmulatorServices, threadId: string, rawId: string, displayName: string | undefined, now: number): void {
  const thread = services.state.threads.get(threadId);
  if (!thread || thread.participants.has(rawId)) return;
  const participant = displayName === undefined ? { rawId } : { rawId, displayName };
  const last = thread.messages[thread.messages.length - 1];
  services.state.commitAll([
    { t: 'participant', threadId, participant },
    {
      t: 'message',
      threadId,
      message: nextMessage(services, last, { type: 'participantAdded', content: { participants: [participant], initiator: rawId } }, now),
    },
  ]);
}
