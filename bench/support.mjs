// Shared helpers for the benchmarks: compile a source module for measuring internals, and time loops.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles one src/ module (dependencies external) into .tmp/bench and imports it. */
export async function importSource(relativePath) {
  const outfile = join(root, '.tmp', 'bench', relativePath.replace(/[\\/]/g, '_').replace(/\.ts$/, '.mjs'));
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [join(root, relativePath)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    packages: 'external',
    minify: true,
    logLevel: 'silent',
  });
  return import(pathToFileURL(outfile).href);
}

/** Nanoseconds per call of `fn(iterations)`, best of `rounds` (the least disturbed run). */
export function bestNsPerOp(fn, iterations, rounds = 7) {
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    globalThis.gc?.();
    const start = process.hrtime.bigint();
    fn(iterations);
    const ns = Number(process.hrtime.bigint() - start) / iterations;
    best = Math.min(best, ns);
  }
  return best;
}

/** Like bestNsPerOp for an async loop. */
export async function bestNsPerOpAsync(fn, iterations, rounds = 7) {
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    globalThis.gc?.();
    const start = process.hrtime.bigint();
    await fn(iterations);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / iterations);
  }
  return best;
}
