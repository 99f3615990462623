/**
 * Whether this runs in a browser page (a `window` with a `document`). The ACS chat package has
 * realtime notifications only there. @internal
 */
export function isBrowserPage(): boolean {
  return typeof globalThis === 'object' && 'window' in globalThis && 'document' in globalThis;
}
