import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/**
 * `heapUsed` right after full garbage collections, so that what it counts is what is still
 * reachable. Test workers do not run with `--expose-gc`; the flag is set at run time and the `gc`
 * function taken from a fresh context, where V8 installs it.
 */
export function heapUsedAfterGc(): number {
  if (!collect) {
    const exposed = globalThis.gc;
    if (typeof exposed === 'function') collect = () => void exposed();
    else {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    }
  }
  // Twice: the first pass may only run finalizers that free more on the second.
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}
