import { CallData, type CallDataRelay } from '../data/call-data.js';
import { resolveCallDataOptions, type CallDataOptions } from '../data/options.js';
import type { DataTransport } from '../data/transport.js';

/** Builds one call's `call.data` over its provider's transport. @internal */
export type CreateCallData = (transport: DataTransport, relay: CallDataRelay) => CallData;

/**
 * The data helper as `session.calls` uses it: loaded with `import()` beside the first call (it is
 * most of the code a calling app downloads, and `calling: { data: false }` never loads it), with
 * the session's options checked once, at that first call, rather than on every call.
 * @internal
 * @throws SessionError `INVALID_OPTIONS` for bad `calling.data` limits.
 */
export function prepareCallData(options: CallDataOptions): CreateCallData {
  resolveCallDataOptions(options);
  return (transport, relay) => new CallData(transport, options, relay);
}
