import { SessionError } from '../errors.js';
import type { CallLocator } from './types.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks what `join()` was given: exactly one of `{ groupId }` (a GUID, as ACS requires),
 * `{ roomId }`, `{ meetingLink }` (an https URL) or `{ meetingId, passcode }`.
 * @internal
 */
export function validateLocator(locator: CallLocator): CallLocator {
  const bad = (why: string) => new SessionError('INVALID_ARGUMENT', `join() ${why}`);
  if (typeof locator !== 'object' || locator === null) throw bad('takes { groupId } | { roomId } | { meetingLink } | { meetingId, passcode }');
  const keys = Object.keys(locator).sort().join(',');
  const value = locator as Record<string, unknown>;
  const nonEmpty = (key: string) => typeof value[key] === 'string' && value[key].trim() !== '';
  switch (keys) {
    case 'groupId':
      if (typeof value['groupId'] !== 'string' || !GUID.test(value['groupId'])) throw bad('needs groupId to be a GUID (crypto.randomUUID())');
      return { groupId: value['groupId'] };
    case 'roomId':
      if (!nonEmpty('roomId')) throw bad('needs a non-empty roomId');
      return { roomId: value['roomId'] as string };
    case 'meetingLink':
      if (!nonEmpty('meetingLink') || !/^https:\/\//.test(value['meetingLink'] as string)) throw bad('needs meetingLink to be an https URL');
      return { meetingLink: value['meetingLink'] as string };
    case 'meetingId,passcode':
      if (!nonEmpty('meetingId') || !nonEmpty('passcode')) throw bad('needs a non-empty meetingId and passcode');
      return { meetingId: value['meetingId'] as string, passcode: value['passcode'] as string };
    default:
      throw bad(`takes exactly one of { groupId } | { roomId } | { meetingLink } | { meetingId, passcode }, got keys ${keys || '(none)'}`);
  }
}

const THREAD_ID = /^19:[^/?#\s]+@thread\.(v2|skype)$/;

/**
 * The chat thread id a Teams meeting link carries (`…/meetup-join/19%3ameeting_…%40thread.v2/0?…`),
 * or `undefined` when the link has none.
 * @internal
 * @example
 * ```ts
 * threadIdOfMeetingLink('https://teams.microsoft.com/l/meetup-join/19%3ameeting_N2E%40thread.v2/0'); // '19:meeting_N2E@thread.v2'
 * ```
 */
export function threadIdOfMeetingLink(meetingLink: string): string | undefined {
  let segments: string[];
  try {
    segments = new URL(meetingLink).pathname.split('/');
  } catch {
    return undefined;
  }
  const at = segments.indexOf('meetup-join');
  const encoded = at === -1 ? undefined : segments[at + 1];
  if (encoded === undefined) return undefined;
  let threadId: string;
  try {
    threadId = decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
  return THREAD_ID.test(threadId) ? threadId : undefined;
}
