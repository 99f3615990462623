/**
 * A minimal DER (ASN.1 Distinguished Encoding Rules) encoder: just the types an X.509 v3
 * certificate needs. Node's crypto can sign but cannot build certificates, and pulling in a
 * dependency for ~100 lines of TLV encoding is not worth the supply-chain surface.
 */

/** Universal and context tags used by X.509. */
const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  sequence: 0x30,
  set: 0x31,
  utcTime: 0x17,
  generalizedTime: 0x18,
} as const;

/**
 * Encodes one TLV (tag, length, value) with the definite-length form DER requires.
 *
 * @example
 * ```ts
 * tlv(0x04, Buffer.from('hi')); // <04 02 68 69>
 * ```
 */
export function tlv(tag: number, value: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(value.length), value]);
}

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/**
 * SEQUENCE of already-encoded elements.
 */
export function sequence(...items: Uint8Array[]): Buffer {
  return tlv(TAG.sequence, Buffer.concat(items));
}

/**
 * SET of already-encoded elements (X.509 names use one-element sets, so no sorting is needed).
 */
export function set(...items: Uint8Array[]): Buffer {
  return tlv(TAG.set, Buffer.concat(items));
}

/**
 * INTEGER from a small number or from big-endian unsigned bytes (serial numbers).
 */
export function integer(value: number | Uint8Array): Buffer {
  let bytes: Buffer;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError('integer() takes a non-negative safe integer');
    const out: number[] = [];
    for (let n = value; n > 0; n = Math.floor(n / 256)) out.unshift(n & 0xff);
    bytes = Buffer.from(out.length ? out : [0]);
  } else {
    let start = 0;
    // DER forbids redundant leading zeros...
    while (start < value.length - 1 && value[start] === 0) start++;
    bytes = Buffer.from(value.subarray(start));
    if (bytes.length === 0) bytes = Buffer.from([0]);
  }
  // ...but requires one when the high bit is set, or the value would read as negative.
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(TAG.integer, bytes);
}

/**
 * BOOLEAN (DER: true is 0xff).
 *
 * @example
 * ```ts
 * boolean(true); // <01 01 ff>
 * ```
 */
export function boolean(value: boolean): Buffer {
  return tlv(TAG.boolean, Buffer.from([value ? 0xff : 0x00]));
}

/**
 * NULL.
 *
 * @example
 * ```ts
 * nullValue(); // <05 00>
 * ```
 */
export function nullValue(): Buffer {
  return tlv(TAG.null, Buffer.alloc(0));
}

/**
 * OBJECT IDENTIFIER from dotted notation.
 *
 * @example
 * ```ts
 * oid('1.2.840.10045.4.3.2'); // ecdsa-with-SHA256
 * ```
 */
export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map((p) => {
    const n = Number(p);
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`bad OID component in ${dotted}`);
    return n;
  });
  const [first, second, ...rest] = parts;
  if (first === undefined || second === undefined) throw new RangeError(`OID needs two components: ${dotted}`);
  const bytes: number[] = [first * 40 + second];
  for (const n of rest) {
    // base-128, most significant group first, continuation bit on all but the last
    const groups: number[] = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return tlv(TAG.oid, Buffer.from(bytes));
}

/**
 * UTF8String.
 */
export function utf8String(value: string): Buffer {
  return tlv(TAG.utf8String, Buffer.from(value, 'utf8'));
}

/**
 * OCTET STRING.
 */
export function octetString(value: Uint8Array): Buffer {
  return tlv(TAG.octetString, value);
}

/**
 * BIT STRING with the given number of unused trailing bits in the last byte.
 */
export function bitString(value: Uint8Array, unusedBits = 0): Buffer {
  return tlv(TAG.bitString, Buffer.concat([Buffer.from([unusedBits]), value]));
}

/**
 * X.509 Time: UTCTime up to 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5).
 *
 * @example
 * ```ts
 * time(new Date('2030-01-01T00:00:00Z')); // UTCTime "300101000000Z"
 * ```
 */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-:T]/g, ''); // YYYYMMDDHHMMSS
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) return tlv(TAG.utcTime, Buffer.from(digits.slice(2) + 'Z', 'ascii'));
  return tlv(TAG.generalizedTime, Buffer.from(digits + 'Z', 'ascii'));
}

/**
 * Context-specific tag `[n]`: constructed (EXPLICIT wrapping) or primitive (IMPLICIT, e.g. SAN entries).
 *
 * @example
 * ```ts
 * contextTag(0, integer(2));                        // [0] EXPLICIT version
 * contextTag(2, Buffer.from('localhost'), false);   // dNSName
 * ```
 */
export function contextTag(n: number, value: Uint8Array, constructed = true): Buffer {
  return tlv((constructed ? 0xa0 : 0x80) | n, value);
}
