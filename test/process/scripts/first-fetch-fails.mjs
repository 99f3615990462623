// The first fetch fails; createSession must connect on the backed-off retry instead of letting
// Node exit with the top-level await unsettled (exit code 13).
import { createSession } from '../../../dist/index.js';

let calls = 0;
const session = await createSession({
  endpoint: 'https://example.communication.azure.com',
  token: async () => {
    calls++;
    if (calls === 1) throw new Error('token service unavailable');
    return process.env.ACS_TEST_TOKEN;
  },
  tokenRefresh: { retry: { initialDelayMs: 300, jitter: 0 } },
});
console.log(`connected after ${calls} fetches as ${session.user.rawId}`);
await session.dispose();
