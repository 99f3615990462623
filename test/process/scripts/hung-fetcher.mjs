// The fetcher never answers (and holds nothing open): the fetch timeout must fire and the caller's
// catch run, instead of Node exiting with the top-level await unsettled.
import { createSession } from '../../../dist/index.js';

try {
  await createSession({
    endpoint: 'https://example.communication.azure.com',
    token: () => new Promise(() => undefined),
    initialTokenAttempts: 1,
    tokenRefresh: { fetchTimeoutMs: 300 },
  });
  console.log('connected?!');
} catch (error) {
  console.log(`caught ${error.code}: ${error.message}`);
}
