import { describe, expect, it } from 'vitest';
import { ChangeFeed } from '../../../src/emulator/feed.js';
import { escapedJson, pushesFor } from '../../../src/emulator/notifications/pushes.js';
import { ackFrame, eventFrame, parseFrame } from '../../../src/emulator/notifications/socketio.js';
import { EmulatorState } from '../../../src/emulator/store/state.js';

describe('socket.io 0.9 frames', () => {
  it('parses client frames and acknowledges a ping with pong', () => {
    expect(parseFrame('5:3+::{"name":"ping"}')).toEqual({ type: 5, id: '3+', data: '{"name":"ping"}' });
    expect(parseFrame('2::')).toEqual({ type: 2, id: '', data: '' });
    expect(parseFrame('not a frame')).toBeUndefined();
    expect(ackFrame('3+', ['pong'])).toBe('6:::3+["pong"]');
    expect(ackFrame('4', [])).toBe('6:::4');
    expect(eventFrame(1, 'trouter.connected', [{ ttl: 1 }])).toBe('5:1::{"name":"trouter.connected","args":[{"ttl":1}]}');
  });
});

describe('escapedJson', () => {
  it('round-trips through unescape, non-Latin-1 characters included', () => {
    const value = { displayName: 'Zoë 🙂 %41 ü', topic: 'a;b' };
    const escaped = escapedJson(value);
    expect(escaped).not.toContain('"');
    // unescape is what the signaling client runs on these fields.
    expect(JSON.parse(unescape(escaped))).toEqual(value);
  });
});

describe('pushesFor', () => {
  const alice = '8:acs:r_alice';
  const bob = '8:acs:r_bob';

  function stateWithThread(): EmulatorState {
    const state = new EmulatorState();
    state.commitAll([
      { t: 'thread', thread: { id: 't1', topic: 'x', createdOn: 1, createdBy: bob, lastMessageOn: 1 } },
      { t: 'participant', threadId: 't1', participant: { rawId: alice } },
      { t: 'participant', threadId: 't1', participant: { rawId: bob } },
    ]);
    return state;
  }

  it('tells a removed participant of its own removal, and typing to everyone but the typist', () => {
    const state = stateWithThread();
    const changes: Parameters<typeof pushesFor>[0][] = [];
    const feed = new ChangeFeed();
    feed.subscribe((change) => changes.push(change));
    state.subscribe((change) => feed.publish({ kind: 'commit', ...change }));
    state.commitAll([
      { t: 'participantRemoved', threadId: 't1', rawId: alice },
      {
        t: 'message',
        threadId: 't1',
        message: {
          id: '5',
          type: 'participantRemoved',
          sequenceId: 5,
          version: '5',
          createdOn: 5,
          content: { participants: [{ rawId: alice }], initiator: bob },
        },
      },
    ]);
    const [removal] = changes.flatMap((change) => pushesFor(change, state));
    expect(removal?.recipients).toEqual([bob, alice]);
    expect(removal?.payload).toMatchObject({ eventId: 261, threadId: 't1' });

    const typing = pushesFor({ kind: 'typing', threadId: 't1', sender: bob, at: 7 }, state);
    expect(typing).toHaveLength(1);
    expect(typing[0]?.recipients).toEqual([]);
  });

  it('pushes an edit and a delete as 247 and 248 with the new version', () => {
    const state = stateWithThread();
    const base = { id: '10', type: 'text' as const, sequenceId: 3, createdOn: 10, sender: bob, content: { message: 'hi' } };
    const edited = pushesFor(
      {
        kind: 'commit',
        entries: [{ t: 'message', threadId: 't1', message: { ...base, version: '11', editedOn: 11, previousVersions: ['10'] } }],
        createdThreads: new Set(),
      },
      state,
    );
    expect(edited[0]?.payload).toMatchObject({ eventId: 247, groupId: 't1', messageId: '10', version: '11', messageBody: 'hi' });
    const deleted = pushesFor(
      { kind: 'commit', entries: [{ t: 'message', threadId: 't1', message: { ...base, version: '12', deletedOn: 12 } }], createdThreads: new Set() },
      state,
    );
    expect(deleted[0]?.payload).toMatchObject({ eventId: 248, messageId: '10', version: '12' });
  });
});
