import { ChangeFeed } from '../../../src/emulator/feed.js';
import { describe, expect, it } from 'vitest';
import { JwtSigner } from '../../../src/emulator/auth/jwt.js';
import { appendMessage } from '../../../src/emulator/chat/append.js';
import { IdGenerator } from '../../../src/emulator/ids.js';
import type { EmulatorServices } from '../../../src/emulator/services.js';
import { loadOrCreateKeys } from '../../../src/emulator/store/keys.js';
import { EmulatorState } from '../../../src/emulator/store/state.js';

describe('appendMessage', () => {
  it('gives messages sent in the same millisecond strictly increasing createdOn within a thread', () => {
    const keys = loadOrCreateKeys(undefined);
    const services: EmulatorServices = {
      state: new EmulatorState(),
      keys,
      jwt: new JwtSigner(keys.tokenSecret),
      ids: new IdGenerator(keys.resourceId),
      feed: new ChangeFeed(),
    };
    const now = 1_700_000_000_000;
    services.state.commit({ t: 'thread', thread: { id: '19:a@thread.v2', topic: 't', createdOn: now, createdBy: '8:acs:r_a', lastMessageOn: now } });
    const thread = services.state.threads.get('19:a@thread.v2')!;
    const created = Array.from({ length: 5 }, (_, i) => appendMessage(services, thread, { type: 'text', content: { message: `m${i}` } }, now).createdOn);
    expect(created).toEqual([now, now + 1, now + 2, now + 3, now + 4]);
    expect(thread.record.lastMessageOn).toBe(now + 4);
    // A later clock reading wins again once it has caught up.
    expect(appendMessage(services, thread, { type: 'text', content: { message: 'later' } }, now + 100).createdOn).toBe(now + 100);
  });
});
