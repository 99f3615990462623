// Runs in Chromium: session.calls on the azure provider with the real @azure/communication-calling,
// offline (every Microsoft host fails to resolve). The app hands the SDK over with loadSdk, so the
// page's bundle keeps it in a lazy chunk that must not be fetched before the first call API.
import { dataTransportOf } from '../../../src/calling/call.js';
import { createSession, isSessionError, type SessionEvent } from '../../../src/index.js';

export interface CallsRunInput {
  endpoint: string;
  token: string;
}

export interface CallsRunResult {
  /** Script URLs the page had loaded before the first call API. */
  scriptsBeforeCalls: string[];
  agentsCreated: number;
  agentsDisposed: number;
  clientsDisposed: number;
  connectError: string | undefined;
  events: string[];
  endReason: { kind: string; code: number; subCode: number } | undefined;
  dataChannel: { maxMessageSize: number; open: boolean };
  afterDispose: string | undefined;
}

async function runCalls({ endpoint, token }: CallsRunInput): Promise<CallsRunResult> {
  const counts = { agentsCreated: 0, agentsDisposed: 0, clientsDisposed: 0 };
  const loadSdk = async () => {
    const sdk = await import('@azure/communication-calling');
    // The SDK's own classes, counted: the test must see every agent disposed with the session.
    class CountedCallClient extends sdk.CallClient {
      override async createCallAgent(...args: Parameters<InstanceType<typeof sdk.CallClient>['createCallAgent']>) {
        const agent = await super.createCallAgent(...args);
        counts.agentsCreated++;
        const dispose = agent.dispose.bind(agent);
        agent.dispose = async () => {
          counts.agentsDisposed++;
          await dispose();
        };
        return agent;
      }
      override async dispose() {
        counts.clientsDisposed++;
        await super.dispose();
      }
    }
    return { ...sdk, CallClient: CountedCallClient };
  };
  const session = await createSession({ endpoint, token, displayName: 'Chromium', calling: { provider: 'azure', loadSdk } });
  const scriptsBeforeCalls = performance.getEntriesByType('resource').map((entry) => entry.name);
  const events: string[] = [];
  const stop = new AbortController();
  void (async () => {
    for await (const event of session.events({ signal: stop.signal })) events.push(describe(event));
  })();

  let connectError: string | undefined;
  await session.calls.connect().catch((error: unknown) => (connectError = isSessionError(error) ? error.code : String(error)));
  const call = await session.calls.join({ groupId: crypto.randomUUID() });
  // call.data stands on the SDK's DataChannel senders: their runtime maxMessageSize is read through.
  const dataChannel = { maxMessageSize: dataTransportOf(call).maxMessageSize, open: !call.data.closed };
  const ended = await session.waitFor('callEnded', { timeoutMs: 60_000 });
  await session.dispose();
  stop.abort();
  const afterDispose = await session.calls.connect().then(
    () => undefined,
    (error: unknown) => (isSessionError(error) ? error.code : String(error)),
  );
  const { kind, code, subCode } = ended.reason;
  return { scriptsBeforeCalls, ...counts, connectError, events, endReason: { kind, code, subCode }, dataChannel, afterDispose };
}

function describe(event: SessionEvent): string {
  switch (event.type) {
    case 'callStateChanged':
      return `callStateChanged:${event.state}`;
    case 'callEnded':
      return `callEnded:${event.reason.kind}`;
    default:
      return event.type;
  }
}

declare global {
  /** Set by this page; the test calls it through `page.evaluate`. */
  var runCalls: ((input: CallsRunInput) => Promise<CallsRunResult>) | undefined;
}

globalThis.runCalls = runCalls;
