import { createClientLogger } from '@azure/logger';

/**
 * The token service's diagnostics, under the `acs-session` namespace of `@azure/logger` (enable
 * with `AZURE_LOG_LEVEL=info` or `setLogLevel('info')`). Lines name users by their ACS id and
 * never carry a token, an access key or a connection string.
 * @internal
 */
export const serverLogger = createClientLogger('acs-session');
