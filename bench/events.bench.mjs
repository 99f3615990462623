// Event dispatch through the typed stream (listener isolation, typed payloads) against raw
// eventemitter3 with the same listeners, in the same run.
import EventEmitter from 'eventemitter3';
import { bestNsPerOp, importSource } from './support.mjs';

const { EventStream } = await importSource('src/events/event-stream.ts');
const ITERATIONS = 2_000_000;

export default async function (report) {
  for (const listeners of [1, 3]) {
    let sink = 0;
    const raw = new EventEmitter();
    const typed = new EventStream('The bench stream', { ping: true, error: true });
    for (let i = 0; i < listeners; i++) {
      raw.on('ping', (e) => (sink += e.n));
      typed.on('ping', (e) => (sink += e.n));
    }
    const payload = { type: 'ping', n: 1 };
    const rawLoop = (n) => {
      for (let i = 0; i < n; i++) raw.emit('ping', payload);
    };
    const typedLoop = (n) => {
      for (let i = 0; i < n; i++) typed.emit(payload);
    };
    // Warm both paths up before measuring, then interleave so drift hits both alike.
    rawLoop(200_000);
    typedLoop(200_000);
    let baseline = Infinity;
    let value = Infinity;
    for (let i = 0; i < 3; i++) {
      baseline = Math.min(baseline, bestNsPerOp(rawLoop, ITERATIONS, 3));
      value = Math.min(value, bestNsPerOp(typedLoop, ITERATIONS, 3));
    }
    report(`dispatch, ${listeners} listener${listeners > 1 ? 's' : ''} (typed stream vs raw eventemitter3)`, {
      value,
      baseline,
      unit: 'ns/event',
      ratio: value / baseline,
      target: 1.3,
    });
    if (sink === 0) throw new Error('listeners did not run');
  }
}
