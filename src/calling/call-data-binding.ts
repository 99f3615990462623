import { CallData, type CallDataRelay } from '../data/call-data.js';
import type { CallDataOptions } from '../data/options.js';
import type { DataTransport } from '../data/transport.js';

/** Builds one call's `call.data` over its provider's transport. @internal */
export type CreateCallData = (transport: DataTransport, relay: CallDataRelay) => CallData;

/**
 * The data helper as `session.calls` uses it: loaded with `import()` beside the first call (it is
 * most of the code a calling app downloads, and `calling: { data: false }` never loads it). The
 * options were checked by `createSession` already.
 * @internal
 */
export function prepareCallData(options: CallDataOptions): CreateCallData {
  return (transport, relay) => new CallData(transport, options, relay);
}
