import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatContext } from '../../../src/chat/context.js';
import { FakeChatService, fakeContext } from '../../support/fakeChat.js';

// The push chunk is loaded with import() on first use; a browser can fail to download it (e.g. after
// a redeploy). The session must say so and poll, not leave an unhandled rejection and no live source.
vi.mock('../../../src/chat/push-start.js', () => {
  throw new Error('Failed to fetch dynamically imported module: push-start.js');
});

const ME = '8:acs:r_me';

afterEach(() => {
  vi.useRealTimers();
});

describe("session.chat 'auto' when the push code cannot be loaded", () => {
  it('reports SERVICE_ERROR on chat:push and polls instead', async () => {
    const { ChatImpl } = await import('../../../src/chat/chat.js');
    const service = new FakeChatService();
    service.addThread('t1', [ME]);
    const harness = fakeContext(service, ME);
    const context: ChatContext = harness.context;
    const modes: string[] = [];
    const chat = new ChatImpl(context, {
      poll: { intervalMs: 1_000, idleIntervalMs: 8_000 },
      canPoll: () => true,
      windowSize: 50,
      realtime: { mode: 'auto', pushConnectTimeoutMs: 2_000 },
      onRealtime: (m) => modes.push(m),
    });
    chat.startLive();
    await vi.waitFor(() => expect(modes).toEqual(['poll']));
    expect(harness.errors.map((e) => e.code)).toEqual(['SERVICE_ERROR']);
    expect(chat.realtime).toBe('poll');
    harness.controller.abort();
  });
});
