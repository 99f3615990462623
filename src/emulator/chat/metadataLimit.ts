import { httpErrors } from '../errors.js';

/** Thread and participant metadata may total "up to 1KB" (REST spec 2025-03-15). */
export const MAX_METADATA_BYTES = 1024;

/**
 * The size the limit is measured in: UTF-8 bytes of every key plus every value. The spec does
 * not say how it counts; this is the reading that does not charge for JSON punctuation.
 *
 * @example
 * ```ts
 * metadataBytes({ team: 'core' }); // 8
 * ```
 */
export function metadataBytes(metadata: Readonly<Record<string, string>>): number {
  let bytes = 0;
  for (const [key, value] of Object.entries(metadata)) bytes += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8');
  return bytes;
}

/**
 * Throws 400 when thread or participant metadata exceeds {@link MAX_METADATA_BYTES}. For a
 * PATCH, pass the merged result: the limit applies to what would be stored.
 */
export function checkMetadataSize(metadata: Readonly<Record<string, string>> | undefined, target: string): void {
  if (metadata === undefined) return;
  const bytes = metadataBytes(metadata);
  if (bytes > MAX_METADATA_BYTES) {
    throw httpErrors.badRequest(`${target} is ${bytes} bytes; at most ${MAX_METADATA_BYTES} bytes of keys and values are allowed.`, target);
  }
}
