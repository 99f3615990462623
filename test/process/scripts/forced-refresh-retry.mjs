// A forced refresh whose fetch fails rejects; a getToken() after it waits for the backed-off retry,
// and Node must stay alive for that retry.
import { createSession } from '../../../dist/index.js';

let calls = 0;
const session = await createSession({
  endpoint: 'https://example.communication.azure.com',
  token: async () => {
    calls++;
    if (calls === 2) throw new Error('token service unavailable');
    return process.env.ACS_TEST_TOKEN;
  },
  tokenRefresh: { retry: { initialDelayMs: 300, jitter: 0 } },
});
try {
  await session.tokens.forceRefresh('rejected');
} catch (error) {
  console.log(`forced refresh failed with ${error.code}`);
}
const info = await session.tokens.getToken();
console.log(`got a token after ${calls} fetches, expires ${info.expiresOn.toISOString()}, state ${session.state}`);
await session.dispose();
