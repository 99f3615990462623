import { SessionError } from '../errors.js';

/**
 * Turns channel values into bytes and back. `decode` may throw on bytes it cannot read: the
 * message is then dropped and reported as a `dataError` (`DATA_DECODE_FAILED`).
 * @example
 * ```ts
 * const point: Codec<{ x: number; y: number }> = {
 *   encode: ({ x, y }) => new Uint8Array(new Float32Array([x, y]).buffer),
 *   decode: (bytes) => {
 *     const [x = 0, y = 0] = new Float32Array(bytes.slice().buffer);
 *     return { x, y };
 *   },
 * };
 * const cursor = data.channel('cursor', { reliability: 'lossy', codec: point });
 * ```
 */
export interface Codec<T> {
  /** Encodes one value. Throwing rejects the `send` with `INVALID_ARGUMENT`. */
  encode(value: T): Uint8Array;
  /** Decodes what `encode` made on the remote. */
  decode(bytes: Uint8Array): T;
}

/**
 * The built-in codecs by name: `json` (any JSON value, the default), `text` (strings, UTF-8),
 * `binary` (`Uint8Array` as is).
 * @example
 * ```ts
 * data.channel<string>('chat', { codec: 'text' });
 * ```
 */
export type CodecName = 'json' | 'text' | 'binary';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * @internal A built-in codec whose bytes are the UTF-8 of a string: the channel asks it for that
 * string and writes it straight into the frame (one allocation) instead of calling `encode`.
 */
export interface TextCodec<T> extends Codec<T> {
  /** The string whose UTF-8 `encode` returns; throws as `encode` does. */
  toText(value: T): string;
}

/** @internal Typed `unknown` in: it checks its input at run time, as JavaScript callers may send anything. */
export const textCodec: TextCodec<unknown> = {
  toText(value) {
    if (typeof value !== 'string') throw new SessionError('INVALID_ARGUMENT', 'The text codec sends strings only');
    return value;
  },
  encode(value) {
    return encoder.encode(textCodec.toText(value));
  },
  decode: (bytes) => decoder.decode(bytes),
};

/** @internal */
export const jsonCodec: TextCodec<unknown> = {
  toText(value) {
    const text = JSON.stringify(value);
    // JSON.stringify(undefined) and functions give undefined: nothing the remote could parse.
    if (text === undefined) throw new SessionError('INVALID_ARGUMENT', 'The json codec sends JSON values only (got undefined or a function)');
    return text;
  },
  encode(value) {
    return encoder.encode(jsonCodec.toText(value));
  },
  decode: (bytes) => JSON.parse(decoder.decode(bytes)) as unknown,
};

/** @internal Whether `codec` is one of the built-in text codecs (a user codec is never treated as one). */
export function isTextCodec<T>(codec: Codec<T>): codec is TextCodec<T> {
  return codec === (textCodec as Codec<unknown>) || codec === (jsonCodec as Codec<unknown>);
}

/** @internal Typed `unknown` in: it checks its input at run time, as JavaScript callers may send anything. */
export const binaryCodec: Codec<unknown> = {
  encode(value) {
    if (!(value instanceof Uint8Array)) throw new SessionError('INVALID_ARGUMENT', 'The binary codec sends Uint8Array values only');
    return value;
  },
  decode: (bytes) => bytes,
};

/** @internal */
export function resolveCodec<T>(codec: CodecName | Codec<T> | undefined): Codec<T> {
  switch (codec) {
    case undefined:
    case 'json':
      return jsonCodec as Codec<T>;
    case 'text':
      return textCodec as Codec<T>;
    case 'binary':
      return binaryCodec as Codec<T>;
    default:
      if (typeof codec === 'object' && codec !== null && typeof codec.encode === 'function' && typeof codec.decode === 'function') return codec;
      throw new SessionError('INVALID_ARGUMENT', `Unknown codec ${String(codec)}: use 'json', 'text', 'binary' or { encode, decode }`);
  }
}
