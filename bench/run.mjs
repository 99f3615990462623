// Runs every bench/*.bench.mjs in turn, each in a process of its own (see below). Each module's default export is
// `async (report) => void`; `report(name, { value, unit, baseline?, ratio?, target? })`
// prints one line, so every benchmark shows its baseline measured in the same run.
import { spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const files = (await readdir(here)).filter((f) => f.endsWith('.bench.mjs') && (!only || f.includes(only))).sort();

let failed = 0;
const report = (name, r) => {
  const parts = [`${name}: ${format(r.value)} ${r.unit}`];
  if (r.baseline !== undefined) parts.push(`baseline ${format(r.baseline)} ${r.unit}`);
  if (r.ratio !== undefined) parts.push(`ratio ${r.ratio.toFixed(2)}x`);
  if (r.target !== undefined) {
    const ok = r.ratio !== undefined ? r.ratio <= r.target : r.value <= r.target;
    if (!ok) failed++;
    parts.push(`target <= ${r.target}${r.ratio !== undefined ? 'x' : ` ${r.unit}`} ${ok ? 'OK' : 'MISSED'}`);
  }
  console.log('  ' + parts.join(' | '));
};

if (files.length === 1 || process.env.BENCH_IN_PROCESS === '1') {
  for (const file of files) {
    console.log(`\n${file}`);
    const mod = await import(pathToFileURL(join(here, file)).href);
    await mod.default(report);
  }
  console.log(failed ? `\n${failed} target(s) missed` : '\nall targets met');
  process.exitCode = failed ? 1 : 0;
} else {
  // Each file in a fresh process: a bench that runs after another inherits its heap, its GC state
  // and V8's deoptimized code (the data bench ran 3-4x slower after the chat bench), which measures
  // the order of the files, not the code.
  let missed = 0;
  for (const file of files) {
    const run = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), file], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    });
    const lines = run.stdout.split('\n').filter((line) => line !== 'all targets met' && !/^\d+ target\(s\) missed$/.test(line));
    process.stdout.write(lines.join('\n').replace(/\n+$/, '') + '\n');
    if (run.status !== 0) missed++;
  }
  console.log(missed ? `\ntargets missed in ${missed} file(s)` : '\nall targets met');
  process.exitCode = missed ? 1 : 0;
}

function format(n) {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(3);
}
