// Every fetch fails: the caller's catch must run with TOKEN_FETCH_FAILED, then Node exits normally.
import { createSession } from '../../../dist/index.js';

let calls = 0;
try {
  await createSession({
    endpoint: 'https://example.communication.azure.com',
    token: async () => {
      calls++;
      throw new Error('token service unavailable');
    },
    initialTokenAttempts: 3,
    tokenRefresh: { retry: { initialDelayMs: 100, jitter: 0 } },
  });
  console.log('connected?!');
} catch (error) {
  console.log(`caught ${error.code} after ${calls} fetches`);
}
