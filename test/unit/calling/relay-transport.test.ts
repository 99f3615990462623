import { describe, expect, it } from 'vitest';
import { RelayTransport } from '../../../src/calling/local/relay-transport.js';

const link = { maxMessageSize: 32_768, sendFrame: async () => undefined };
const bytes = (n: number) => new Uint8Array([n]);

describe('local relay transport', () => {
  it('keeps frames that arrive before call.data listens (the socket can deliver them in the same tick as the call), bounded', () => {
    const transport = new RelayTransport('call-1', link);
    for (let i = 0; i < 300; i++) transport.deliver(bytes(i % 256), '8:acs:r_grace', i % 2 === 0 ? 1 : 2);
    const got: { first: number; from: string; reliability: string }[] = [];
    transport.onMessage((m) => got.push({ first: m.bytes[0]!, from: m.from, reliability: m.reliability }));
    expect(got).toHaveLength(256);
    expect(got[0]).toEqual({ first: 0, from: '8:acs:r_grace', reliability: 'durable' });
    expect(got[1]).toEqual({ first: 1, from: '8:acs:r_grace', reliability: 'lossy' });
    transport.deliver(bytes(7), '8:acs:r_alan', 1);
    expect(got.at(-1)).toEqual({ first: 7, from: '8:acs:r_alan', reliability: 'durable' });
    // A second listener does not get the early frames again.
    const second: number[] = [];
    transport.onMessage((m) => second.push(m.bytes[0]!));
    expect(second).toEqual([]);
  });

  it('drops the early frames at close', () => {
    const transport = new RelayTransport('call-1', link);
    transport.deliver(bytes(1), '8:acs:r_grace', 1);
    transport.close();
    const got: unknown[] = [];
    transport.onMessage((m) => got.push(m));
    expect(got).toEqual([]);
  });
});
