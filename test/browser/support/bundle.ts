import { copyFileSync, mkdirSync } from 'node:fs';
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
  await build({
    entryPoints: entries.map((entry) => join(root, 'test', 'browser', 'pages', entry)),
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
