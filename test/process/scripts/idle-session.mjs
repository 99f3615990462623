// A connected session the script forgets: its proactive refresh (due in 50 minutes) must not keep
// Node alive.
import { createSession } from '../../../dist/index.js';

const session = await createSession({ endpoint: 'https://example.communication.azure.com', token: async () => process.env.ACS_TEST_TOKEN });
console.log(`connected as ${session.user.rawId}, state ${session.state}`);
