import type { ChatContext } from './context.js';
import { ChatPush, type PushTarget } from './push.js';
import { PushRetry, type PushRetrySchedule } from './push-retry.js';
import { whenAborted } from './request.js';

/**
 * Starts the browser push source and keeps it coming back: `ChatPush` on the ACS client's
 * notifications, and a `PushRetry` that restarts them while they are down. `onConnection` hears
 * every connect and drop; resolves whether the first start connected within `timeoutMs`. All of it
 * stops when the context's signal aborts. Lives in the lazily loaded push chunk, not the main entry.
 * @internal
 */
export async function startPush(
  context: ChatContext,
  target: PushTarget,
  timeoutMs: number,
  onConnection: (connected: boolean) => void,
  schedule?: PushRetrySchedule,
): Promise<boolean> {
  // Set once the first start settled: until then a connect or drop is the first start's to report.
  let retry: PushRetry | undefined = undefined;
  const push = new ChatPush(context, target, (connected) => {
    if (connected) retry?.connected();
    else retry?.disconnected();
    onConnection(connected);
  });
  // Stopping first drops the client's listeners and its given-up socket, so a start never subscribes
  // twice. Only the first failure to start is reported; the retries' are logged.
  let first = true;
  const restart = async (): Promise<boolean> => {
    const report = first;
    first = false;
    await push.stop();
    return context.signal.aborted ? false : push.start(timeoutMs, { report });
  };
  const attempts = new PushRetry(context.signal, restart, () => push.connected, schedule);
  whenAborted(context.signal, () => void push.stop());
  const connected = await attempts.first();
  // Where the client has no realtime at all, another try cannot help.
  if (push.unsupported) return connected;
  retry = attempts;
  if (!connected) retry.disconnected();
  return connected;
}
