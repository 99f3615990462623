import { timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets (keys, signatures) in time that does not depend on where they differ, so a
 * caller cannot guess one byte by byte from response times. Only the length can leak, and every
 * value compared here has a public, fixed length.
 * @internal
 */
export function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
