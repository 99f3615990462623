import type {
  DataChannelMessage,
  DataChannelReceiver,
  DataChannelReceiverCreatedEvent,
  DataChannelSender,
  DataChannelSenderOpenOptions,
} from '@azure/communication-calling';
import type { CommunicationIdentifier, CommunicationIdentifierKind } from '@azure/communication-common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAcsDataTransport } from '../../../src/data/acs/acs-transport.js';
import type { DataChannelFeaturePort } from '../../../src/data/acs/ports.js';
import { createCallData } from '../../../src/data/call-data.js';
import type { TransportMessage } from '../../../src/data/transport.js';
import { pattern, sameBytes, settle } from './support.js';

class FakeSender implements DataChannelSender {
  readonly sends: Array<{ to: string[]; bytes: Uint8Array }> = [];
  participants: string[] = [];
  closed = false;
  failNext: unknown;
  constructor(
    readonly channelId: number,
    readonly options: DataChannelSenderOpenOptions,
    public maxMessageSize = 32_768,
  ) {}
  setParticipants(participants: CommunicationIdentifier[]): void {
    if (participants.length > 64) throw new Error('ACS allows at most 64 participants');
    this.participants = participants.map((p) => ('communicationUserId' in p ? p.communicationUserId : 'other'));
  }
  async sendMessage(data: Uint8Array): Promise<void> {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    if (data.length === 0 || data.length > this.maxMessageSize) throw new Error('bad size');
    this.sends.push({ to: [...this.participants], bytes: data });
  }
  close(): void {
    this.closed = true;
  }
}

class FakeReceiver implements DataChannelReceiver {
  readonly queue: DataChannelMessage[] = [];
  readonly listeners = { messageReady: new Set<() => void>(), close: new Set<() => void>() };
  private sequence = 0;
  constructor(
    readonly channelId: number,
    readonly senderParticipantIdentifier: CommunicationIdentifierKind,
  ) {}
  on(event: 'messageReady' | 'close', listener: () => void): void {
    this.listeners[event].add(listener);
  }
  off(event: 'messageReady' | 'close', listener: () => void): void {
    this.listeners[event].delete(listener);
  }
  readMessage(): DataChannelMessage | undefined {
    return this.queue.shift();
  }
  push(...frames: Uint8Array[]): void {
    for (const data of frames) this.queue.push({ sequenceNumber: this.sequence++, data });
    for (const listener of [...this.listeners.messageReady]) listener();
  }
  closeByRemote(): void {
    for (const listener of [...this.listeners.close]) listener();
  }
}

class FakeFeature implements DataChannelFeaturePort {
  readonly senders: FakeSender[] = [];
  readonly receiverListeners = new Set<DataChannelReceiverCreatedEvent>();
  maxMessageSize = 32_768;
  createDataChannelSender(options: DataChannelSenderOpenOptions): DataChannelSender {
    const sender = new FakeSender(options.channelId ?? 1024 + this.senders.length, options, this.maxMessageSize);
    this.senders.push(sender);
    return sender;
  }
  on(_event: 'dataChannelReceiverCreated', listener: DataChannelReceiverCreatedEvent): void {
    this.receiverListeners.add(listener);
  }
  off(_event: 'dataChannelReceiverCreated', listener: DataChannelReceiverCreatedEvent): void {
    this.receiverListeners.delete(listener);
  }
  remoteOpens(receiver: FakeReceiver): FakeReceiver {
    for (const listener of [...this.receiverListeners]) listener(receiver);
    return receiver;
  }
  sender(reliability: 'Durable' | 'Lossy'): FakeSender {
    return this.senders.find((s) => s.options.reliability === reliability)!;
  }
}

const ada: CommunicationIdentifierKind = { kind: 'communicationUser', communicationUserId: '8:acs:ada' };

afterEach(() => vi.useRealTimers());

describe('ACS DataChannel transport', () => {
  it('opens one sender per reliability on app channel ids below 1024, with the ACS bitrates', () => {
    const feature = new FakeFeature();
    const transport = createAcsDataTransport(feature);
    expect(feature.senders.map((s) => s.options)).toEqual([
      { channelId: 1000, reliability: 'Durable', priority: 'Normal', bitrateInKbps: 64 },
      { channelId: 1001, reliability: 'Lossy', priority: 'Normal', bitrateInKbps: 512 },
    ]);
    expect(transport.bitrateKbps).toEqual({ durable: 64, lossy: 512 });
    transport.close();
    expect(feature.senders.every((s) => s.closed)).toBe(true);
    expect(feature.receiverListeners.size).toBe(0);
  });

  it('listens for receivers at once and hands frames over from messages queued before and after', () => {
    const feature = new FakeFeature();
    const transport = createAcsDataTransport(feature);
    const got: TransportMessage[] = [];
    transport.onMessage((m) => got.push(m));
    const receiver = new FakeReceiver(1000, ada);
    receiver.queue.push({ sequenceNumber: 0, data: Uint8Array.of(1) }); // queued before we attached
    feature.remoteOpens(receiver);
    receiver.push(Uint8Array.of(2), Uint8Array.of(3));
    feature.remoteOpens(new FakeReceiver(1001, ada)).push(Uint8Array.of(4));
    feature.remoteOpens(new FakeReceiver(1500, ada)).push(Uint8Array.of(5)); // someone else's channel
    expect(got.map((m) => [m.bytes[0], m.from, m.reliability])).toEqual([
      [1, '8:acs:ada', 'durable'],
      [2, '8:acs:ada', 'durable'],
      [3, '8:acs:ada', 'durable'],
      [4, '8:acs:ada', 'lossy'],
    ]);
    transport.close();
  });

  it('keeps frames that arrive before anyone listens, up to earlyFrameLimit', () => {
    const feature = new FakeFeature();
    const transport = createAcsDataTransport(feature, { earlyFrameLimit: 2 });
    feature.remoteOpens(new FakeReceiver(1000, ada)).push(Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3));
    const got: number[] = [];
    transport.onMessage((m) => got.push(m.bytes[0]!));
    expect(got).toEqual([1, 2]);
    transport.close();
  });

  it('detaches a receiver when ACS closes it, and all receivers on close()', () => {
    const feature = new FakeFeature();
    const transport = createAcsDataTransport(feature);
    const first = feature.remoteOpens(new FakeReceiver(1000, ada));
    const second = feature.remoteOpens(new FakeReceiver(1001, ada));
    first.closeByRemote();
    expect(first.listeners.messageReady.size + first.listeners.close.size).toBe(0);
    expect(second.listeners.messageReady.size).toBe(1);
    transport.close();
    expect(second.listeners.messageReady.size + second.listeners.close.size).toBe(0);
  });

  it('sends to everyone with an empty participant list, and splits more than 64 recipients into several sends', async () => {
    const feature = new FakeFeature();
    const transport = createAcsDataTransport(feature);
    await transport.send(Uint8Array.of(1), { reliability: 'durable' });
    const many = Array.from({ length: 150 }, (_, i) => `8:acs:user${i}`);
    await transport.send(Uint8Array.of(2), { reliability: 'durable', to: many });
    await transport.send(Uint8Array.of(3), { reliability: 'lossy', to: ['8:acs:ada'] });
    const durable = feature.sender('Durable').sends;
    expect(durable.map((s) => s.to.length)).toEqual([0, 64, 64, 22]);
    expect(durable.slice(1).flatMap((s) => s.to)).toEqual(many);
    expect(feature.sender('Lossy').sends).toEqual([{ to: ['8:acs:ada'], bytes: Uint8Array.of(3) }]);
    transport.close();
  });

  it('keeps setParticipants and sendMessage paired when sends to different recipients overlap', async () => {
    const feature = new FakeFeature();
    const transport = createAcsDataTransport(feature);
    await Promise.all([
      transport.send(Uint8Array.of(1), { reliability: 'durable', to: ['8:acs:a'] }),
      transport.send(Uint8Array.of(2), { reliability: 'durable', to: ['8:acs:b'] }),
      transport.send(Uint8Array.of(3), { reliability: 'durable' }),
    ]);
    expect(feature.sender('Durable').sends.map((s) => [s.bytes[0], s.to])).toEqual([
      [1, ['8:acs:a']],
      [2, ['8:acs:b']],
      [3, []],
    ]);
    transport.close();
  });

  it("honours the senders' runtime maxMessageSize, and CallData splits values to fit it", async () => {
    const feature = new FakeFeature();
    feature.maxMessageSize = 500;
    const transport = createAcsDataTransport(feature);
    expect(transport.maxMessageSize).toBe(500);
    await expect(transport.send(new Uint8Array(501), { reliability: 'durable' })).rejects.toMatchObject({ code: 'DATA_TOO_LARGE' });
    await expect(transport.send(new Uint8Array(0), { reliability: 'durable' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const data = createCallData(transport, { bitrateKbps: { durable: 0 } });
    await data.channel<Uint8Array>('big', { codec: 'binary' }).send(pattern(5_000));
    const sends = feature.sender('Durable').sends;
    expect(sends.length).toBeGreaterThan(10);
    expect(sends.every((s) => s.bytes.length <= 500)).toBe(true);
    data.close();
  });

  it('maps a failed sendMessage to a SessionError and carries on with the next send', async () => {
    const feature = new FakeFeature();
    const transport = createAcsDataTransport(feature);
    feature.sender('Durable').failNext = Object.assign(new Error('not connected'), { code: 400, subCode: 1234 });
    await expect(transport.send(Uint8Array.of(1), { reliability: 'durable' })).rejects.toMatchObject({ name: 'SessionError', acsSubCode: 1234 });
    await expect(transport.send(Uint8Array.of(2), { reliability: 'durable' })).resolves.toBeUndefined();
    transport.close();
    await expect(transport.send(Uint8Array.of(3), { reliability: 'durable' })).rejects.toMatchObject({ code: 'DISPOSED' });
  });

  it('sends a keep-alive on a used sender before the 2-minute idle close, and drops keep-alives it receives', async () => {
    vi.useFakeTimers();
    const feature = new FakeFeature();
    const transport = createAcsDataTransport(feature, { keepAliveMs: 60_000 });
    const got: TransportMessage[] = [];
    transport.onMessage((m) => got.push(m));
    await vi.advanceTimersByTimeAsync(200_000);
    expect(feature.sender('Durable').sends).toEqual([]); // never used: nothing to keep alive
    await transport.send(Uint8Array.of(0x11, 0, 0, 0, 20, 0), { reliability: 'durable', to: ['8:acs:ada'] });
    await vi.advanceTimersByTimeAsync(59_999);
    expect(feature.sender('Durable').sends.length).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(feature.sender('Durable').sends[1]).toEqual({ to: [], bytes: Uint8Array.of(0x10) });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(feature.sender('Durable').sends.length).toBe(3);
    expect(feature.sender('Lossy').sends).toEqual([]);
    feature.remoteOpens(new FakeReceiver(1000, ada)).push(Uint8Array.of(0x10), Uint8Array.of(0x11, 0, 0, 0, 20, 0));
    expect(got.map((m) => m.bytes.length)).toEqual([6]);
    transport.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('validates its options', () => {
    const feature = new FakeFeature();
    for (const options of [
      { channelIds: { durable: 1024 } },
      { channelIds: { durable: 5, lossy: 5 } },
      { keepAliveMs: 120_000 },
      { bitrateKbps: { lossy: -1 } },
    ]) {
      expect(() => createAcsDataTransport(feature, options)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    }
    expect(feature.senders).toEqual([]);
    expect(feature.receiverListeners.size).toBe(0);
  });

  it('carries CallData traffic between two participants end to end', async () => {
    // Two fake features wired back to back: what one sender sends, the other side's receiver reads.
    const [adaFeature, graceFeature] = [new FakeFeature(), new FakeFeature()];
    const adaData = createCallData(createAcsDataTransport(adaFeature), { bitrateKbps: { durable: 0, lossy: 0 } });
    const graceData = createCallData(createAcsDataTransport(graceFeature), { bitrateKbps: { durable: 0, lossy: 0 } });
    const durable = graceFeature.remoteOpens(new FakeReceiver(1000, ada));
    const received: Uint8Array[] = [];
    graceData.channel<Uint8Array>('x', { codec: 'binary' }).on('message', ({ value, from }) => {
      expect(from.rawId).toBe('8:acs:ada');
      received.push(value);
    });
    const payload = pattern(100_000);
    await adaData.channel<Uint8Array>('x', { codec: 'binary' }).send(payload);
    durable.push(...adaFeature.sender('Durable').sends.map((s) => s.bytes));
    await settle();
    expect(received.length).toBe(1);
    expect(sameBytes(received[0], payload)).toBe(true);
    adaData.close();
    graceData.close();
  });
});
