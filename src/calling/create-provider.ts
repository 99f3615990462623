import { SessionError } from '../errors.js';
import type { ResolvedCalling } from './options.js';
import type { CallingProvider, ProviderContext } from './provider.js';

/**
 * Loads the chosen provider with `import()`, so neither is evaluated before the first call API is
 * used, and the Azure one (which itself loads `@azure/communication-calling` only when it connects)
 * is never reached in Node.
 * @internal
 * @throws SessionError `CALLING_UNSUPPORTED_RUNTIME` for azure without WebRTC (Node, SSR, workers).
 */
export async function createCallingProvider(calling: ResolvedCalling, context: ProviderContext): Promise<CallingProvider> {
  if (calling.provider === 'local') {
    const { LocalProvider } = await import('./local/local-provider.js');
    return new LocalProvider(context, { ca: calling.ca, dataChannel: calling.data !== false });
  }
  if (!hasWebRtc()) {
    throw new SessionError(
      'CALLING_UNSUPPORTED_RUNTIME',
      "Azure calls need a browser with WebRTC; @azure/communication-calling cannot run here (Node, SSR or a worker). Use calling: 'local' against the emulator, or calling: false.",
    );
  }
  const { AzureProvider } = await import('./azure/azure-provider.js');
  // The SDK takes `urls` as an array only.
  const iceServers = calling.iceServers?.map((server) => ({
    urls: [server.urls].flat(),
    ...(server.username !== undefined && { username: server.username }),
    ...(server.credential !== undefined && { credential: server.credential }),
  }));
  return new AzureProvider(context, { iceServers, loadSdk: calling.loadSdk, dataChannel: calling.data !== false });
}

function hasWebRtc(): boolean {
  const scope = globalThis as { RTCPeerConnection?: unknown; window?: unknown; document?: unknown };
  return typeof scope.RTCPeerConnection === 'function' && scope.window !== undefined && scope.document !== undefined;
}
