import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '../../..');

/**
 * Bundles browser page scripts (with the browser builds of the Azure packages they import) into a
 * fresh folder under .tmp, with index.html beside them, and returns that folder.
 */
export async function bundlePages(entries: string[]): Promise<string> {
  const outdir = join(root, '.tmp', 'browser-pages');
  mkdirSync(outdir, { recursive: true });
  // index.html loads every page script, so every one is built, not only the caller's `entries`: on a
  // fresh clone the others were missing and Chromium reported them as failed requests.
  const pagesDir = join(root, 'test', 'browser', 'pages');
  const all = readdirSync(pagesDir).filter((file) => file.endsWith('-page.ts'));
  for (const entry of entries) if (!all.includes(entry)) throw new Error(`no browser page ${entry}`);
  await build({
    entryPoints: all.map((entry) => join(pagesDir, entry)),
    outdir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  copyFileSync(join(root, 'test', 'browser', 'pages', 'index.html'), join(outdir, basename('index.html')));
  return outdir;
}
