import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where Debian's package puts Chromium; override with CHROMIUM_PATH. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Network safety (DESIGN.md §5): every host but loopback fails to resolve, WebRTC may not use
 * non-proxied UDP, and Chromium's own background traffic is off. The suite additionally runs in a
 * loopback-only network namespace when started as root (see run.mjs).
 */
export const SAFE_CHROMIUM_ARGS = [
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
  '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-gpu',
];

/**
 * Launches headless Debian Chromium with the safety flags. Fails loudly when Chromium is missing:
 * a browser suite that quietly skips would hide every failure it exists to catch.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}. Install it with 'apt-get install -y chromium' (or set CHROMIUM_PATH).`);
  }
  const args = [...SAFE_CHROMIUM_ARGS];
  // Chromium's sandbox cannot start as root; the network namespace is the isolation there.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args, timeout: 30_000 });
}
