import { SessionError } from '../errors.js';
import type { DataReliability } from './transport.js';

/**
 * The data helper's limits: `createCallData(transport, options)` in `acs-session/data`, and
 * `createSession({ calling: { data: options } })` for `call.data`. Every limit has a default that suits an ACS call.
 * @example
 * ```ts
 * const data = createCallData(transport, { maxMessageBytes: 4 * 1024 * 1024, rpcTimeoutMs: 5_000 });
 * ```
 */
export interface CallDataOptions {
  /** The largest value (encoded) a channel sends or accepts, in bytes. Default 16 MiB. */
  maxMessageBytes?: number | undefined;
  /** Incomplete multi-frame messages kept per sender; past it the oldest is dropped. Default 16. */
  maxPartialMessages?: number | undefined;
  /** How long an incomplete multi-frame message is kept after its last chunk, per reliability. Default durable 30 000 ms, lossy 5 000 ms. */
  reassemblyTimeoutMs?: Partial<Record<DataReliability, number>> | undefined;
  /** Bytes that may wait in each send queue (see `DATA_QUEUE_FULL`). Default 32 MiB. */
  maxQueuedBytes?: number | undefined;
  /**
   * Pacing caps in kbit/s per reliability; 0 turns pacing off. Default: what the transport reports
   * (ACS: durable 64, lossy 512), none for transports without a cap.
   */
  bitrateKbps?: Partial<Record<DataReliability, number>> | undefined;
  /** Default `timeoutMs` of `request()`. Default 15 000. */
  rpcTimeoutMs?: number | undefined;
  /** The largest file accepted from a remote, in bytes. Default 256 MiB. */
  maxFileBytes?: number | undefined;
  /** Files received at once (all senders); more are refused. Default 16. */
  maxIncomingFiles?: number | undefined;
  /** A received file that gets no data for this long fails with `DATA_INCOMPLETE`. Default 60 000 ms. */
  fileIdleTimeoutMs?: number | undefined;
}

/** @internal */
export interface ResolvedCallDataOptions {
  readonly maxMessageBytes: number;
  readonly maxPartialMessages: number;
  readonly reassemblyTimeoutMs: Readonly<Record<DataReliability, number>>;
  readonly maxQueuedBytes: number;
  readonly bitrateKbps: Partial<Record<DataReliability, number>> | undefined;
  readonly rpcTimeoutMs: number;
  readonly maxFileBytes: number;
  readonly maxIncomingFiles: number;
  readonly fileIdleTimeoutMs: number;
}

const MiB = 1024 * 1024;

/** @internal Validates every option at once; `INVALID_OPTIONS` lists every problem. */
export function resolveCallDataOptions(options: CallDataOptions = {}): ResolvedCallDataOptions {
  const problems: string[] = [];
  const positive = (name: string, value: number | undefined, fallback: number, integer = true): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
      problems.push(`${name} must be a positive ${integer ? 'integer' : 'number'} (got ${String(value)})`);
    }
    return value;
  };
  const bitrate = options.bitrateKbps;
  if (bitrate !== undefined) {
    for (const [key, value] of Object.entries(bitrate)) {
      if (key !== 'durable' && key !== 'lossy') problems.push(`bitrateKbps.${key} is not a reliability`);
      else if (value !== undefined && (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)))
        problems.push(`bitrateKbps.${key} must be 0 or a positive number`);
    }
  }
  const resolved: ResolvedCallDataOptions = {
    maxMessageBytes: positive('maxMessageBytes', options.maxMessageBytes, 16 * MiB),
    maxPartialMessages: positive('maxPartialMessages', options.maxPartialMessages, 16),
    reassemblyTimeoutMs: {
      durable: positive('reassemblyTimeoutMs.durable', options.reassemblyTimeoutMs?.durable, 30_000, false),
      lossy: positive('reassemblyTimeoutMs.lossy', options.reassemblyTimeoutMs?.lossy, 5_000, false),
    },
    maxQueuedBytes: positive('maxQueuedBytes', options.maxQueuedBytes, 32 * MiB),
    bitrateKbps: bitrate,
    rpcTimeoutMs: positive('rpcTimeoutMs', options.rpcTimeoutMs, 15_000, false),
    maxFileBytes: positive('maxFileBytes', options.maxFileBytes, 256 * MiB),
    maxIncomingFiles: positive('maxIncomingFiles', options.maxIncomingFiles, 16),
    fileIdleTimeoutMs: positive('fileIdleTimeoutMs', options.fileIdleTimeoutMs, 60_000, false),
  };
  if (problems.length > 0) throw new SessionError('INVALID_OPTIONS', `Invalid call data options: ${problems.join('; ')}`);
  return resolved;
}
