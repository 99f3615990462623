import { createClientLogger, type AzureLogger } from '@azure/logger';
import { isSessionError } from '../errors.js';

/**
 * The diagnostics logger of acs-session, on the Azure SDK logger: `AZURE_LOG_LEVEL=info` (Node) or
 * `setLogLevel('verbose')` from `@azure/logger` turns it on, and `AzureLogger.log` redirects it, as
 * for every Azure client library. Lines name the area first (`token:`, `session:`, `chat:`).
 *
 * Never pass it a token, key, connection string or a foreign error message (a token fetcher's
 * error may quote the token it failed with): log codes, reasons, expiry times and raw user ids,
 * and use {@link describeError} for failures.
 * @internal
 */
export const logger: AzureLogger = createClientLogger('acs-session');

/**
 * What may be logged of a failure: its `SessionError` code and whether it is retryable, or the
 * class name of anything else; never a message, which may carry secrets from outside.
 * @internal
 */
export function describeError(error: unknown): string {
  if (isSessionError(error)) return `${error.code}${error.retryable ? ' (retryable)' : ''}`;
  if (error instanceof Error) return error.name;
  return typeof error;
}
