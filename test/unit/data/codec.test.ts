import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelOptions } from '../../../src/data/call-data.js';
import type { Codec } from '../../../src/data/codec.js';
import { closeAll, collectDataErrors, pair, pattern, settle } from './support.js';

afterEach(() => {
  closeAll();
});

async function roundTrip<T>(options: ChannelOptions<T>, values: T[], maxMessageSize = 128): Promise<T[]> {
  const [a, b] = pair({ maxMessageSize });
  const received: T[] = [];
  b.channel<T>('c', options).on('message', ({ value }) => received.push(value));
  const sender = a.channel<T>('c', options);
  for (const value of values) await sender.send(value);
  await settle();
  return received;
}

const point: Codec<{ x: number; y: number }> = {
  encode: ({ x, y }) => new Uint8Array(new Float64Array([x, y]).buffer),
  decode: (bytes) => {
    const [x = NaN, y = NaN] = new Float64Array(bytes.slice().buffer);
    return { x, y };
  },
};

describe('codecs', () => {
  it('json (the default) round-trips JSON values of any size', async () => {
    const values = [null, 0, -1.5, 'text', true, [], { nested: { list: [1, 'two', null] } }, { big: 'é🙂'.repeat(2_000) }];
    expect(await roundTrip({}, values)).toEqual(values);
    expect(await roundTrip({ codec: 'json' }, values)).toEqual(values);
  });

  it('text round-trips strings, including empty and non-ASCII', async () => {
    const values = ['', 'hello', 'é🙂中文', 'x'.repeat(10_000)];
    expect(await roundTrip({ codec: 'text' }, values)).toEqual(values);
  });

  it('binary round-trips bytes', async () => {
    const values = [new Uint8Array(0), Uint8Array.of(0, 255), pattern(5_000)];
    expect(await roundTrip({ codec: 'binary' }, values)).toEqual(values);
  });

  it('a custom codec round-trips its values', async () => {
    const values = [
      { x: 1.25, y: -3 },
      { x: 0, y: 1e300 },
    ];
    expect(await roundTrip({ codec: point, reliability: 'lossy' }, values)).toEqual(values);
  });

  it('refuses values a codec cannot encode with INVALID_ARGUMENT', async () => {
    const [a] = pair();
    await expect(a.channel('j').send(undefined)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(a.channel('j2').send({ n: 1n })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // @ts-expect-error the text codec sends strings
    await expect(a.channel<string>('t', { codec: 'text' }).send(5)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // @ts-expect-error the binary codec sends bytes
    await expect(a.channel<Uint8Array>('b', { codec: 'binary' }).send('x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const throwing: Codec<number> = {
      encode: () => {
        throw new Error('nope');
      },
      decode: () => 0,
    };
    await expect(a.channel('c', { codec: throwing }).send(1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // @ts-expect-error not a codec
    expect(() => a.channel('u', { codec: 'yaml' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('reports DATA_DECODE_FAILED when the remote sent what the codec cannot read, and carries on', async () => {
    const [a, b] = pair();
    const errors = collectDataErrors(b);
    const received: unknown[] = [];
    b.channel('mixed').on('message', ({ value }) => received.push(value));
    const wrong = a.channel<string>('mixed', { codec: 'text' });
    await wrong.send('not json {');
    await wrong.send('{"ok":true}');
    const bytes = a.channel<Uint8Array>('bad-utf8', { codec: 'binary' });
    b.channel('bad-utf8', { codec: 'text' });
    await bytes.send(Uint8Array.of(0xff, 0xfe));
    await settle();
    expect(received).toEqual([{ ok: true }]);
    expect(errors.map((e) => [e.error.code, e.from?.rawId])).toEqual([
      ['DATA_DECODE_FAILED', a.self.rawId],
      ['DATA_DECODE_FAILED', a.self.rawId],
    ]);
  });
});

describe('channels', () => {
  it('one open channel per topic; close frees the topic and ends iterators', async () => {
    const [a] = pair();
    const channel = a.channel('t');
    expect(() => a.channel('t')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const iterator = channel.messages();
    const next = iterator.next();
    channel.close();
    expect(await next).toEqual({ done: true, value: undefined });
    await expect(channel.send(1)).rejects.toMatchObject({ code: 'DISPOSED' });
    expect(a.channel('t').closed).toBe(false);
    expect(() => a.channel('')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    // @ts-expect-error not a reliability
    expect(() => a.channel('r', { reliability: 'fast' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('a throwing message listener does not stop the others', async () => {
    const [a, b] = pair();
    const channel = b.channel<number>('t');
    const got: number[] = [];
    const failures: string[] = [];
    channel.on('error', (e) => failures.push(e.error.code));
    channel.on('message', () => {
      throw new Error('listener bug');
    });
    channel.on('message', ({ value }) => got.push(value));
    await a.channel<number>('t').send(1);
    await settle();
    expect(got).toEqual([1]);
    expect(failures).toEqual(['LISTENER_FAILED']);
  });
});
