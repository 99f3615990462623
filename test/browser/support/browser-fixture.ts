import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../../src/emulator/index.js';
import { bundlePages } from './bundle.js';
import { launchChromium } from './chromium.js';
import { type StaticServer, serveStatic } from './static-server.js';

/** What a browser test file needs started before its tests. */
export interface BrowserFixtureOptions {
  /** Page scripts under test/browser/pages to bundle (every page is built; see bundlePages). Default: all. */
  pages?: string[];
  /** A build of its own instead of `pages`: resolves the folder to serve (e.g. an ESM build with lazy chunks). */
  bundle?: () => Promise<string>;
  /** Options for the in-process emulator (port 0, loopback HTTPS by default). */
  emulatorOptions?: EmulatorOptions;
}

/** How to open a page. */
export interface NewPageOptions {
  /** Prefixes every diagnostic line, so that a two-page failure says which page. */
  name?: string;
  /** The page to open, relative to the page origin. Default `index.html`; `null` opens nothing. */
  path?: string | null;
}

/** A page with everything it said or failed at recorded, so that a failing test explains itself. */
export interface WatchedPage {
  readonly page: Page;
  /** Failed requests, page errors, console lines and responses, in order, prefixed with the page name. */
  readonly diagnostics: string[];
  /** Every URL the page requested, in order. */
  readonly requested: string[];
  /** Failed requests and uncaught page errors: a test that expects none asserts this is empty. */
  failures(): string[];
  /** Uncaught page errors only (for pages whose SDK tries unreachable hosts on its own). */
  pageErrors(): string[];
}

/** A started emulator, page server and headless Chromium for one test file. */
export interface BrowserFixture {
  readonly emu: Emulator;
  /** The page origin, `http://localhost:<port>` (not the emulator's: every chat request is cross-origin). */
  readonly baseUrl: string;
  readonly browser: Browser;
  /** One context for all pages, trusting the emulator's self-signed certificate. */
  readonly context: BrowserContext;
  /** Opens a watched page (at `index.html` unless told otherwise). */
  newPage(options?: NewPageOptions): Promise<WatchedPage>;
  /** Closes pages, context, browser, page server and emulator; safe to call twice. */
  close(): Promise<void>;
}

const FAILED = 'request failed: ';
const PAGE_ERROR = 'page error: ';

/**
 * Starts what every browser test file needs: the emulator in-process (HTTPS on 127.0.0.1, port 0),
 * the bundled pages served from http://localhost, and Chromium with the network-safety flags of
 * DESIGN.md §5 (see launchChromium, which fails loudly when Chromium is missing). When any part
 * fails to start, the parts already started are closed before the error is rethrown.
 */
export async function startBrowserFixture(options: BrowserFixtureOptions = {}): Promise<BrowserFixture> {
  const teardown: (() => Promise<unknown>)[] = [];
  const closeAll = async (): Promise<void> => {
    // Last started, first closed; one failing close does not keep the others open.
    const errors: unknown[] = [];
    for (const step of teardown.splice(0).reverse()) await step().catch((error: unknown) => errors.push(error));
    if (errors.length > 0) throw new AggregateError(errors, 'browser fixture teardown failed');
  };
  try {
    const build = options.bundle ?? (() => bundlePages(options.pages ?? []));
    const [dir, emu] = await Promise.all([
      build(),
      startEmulator(options.emulatorOptions).then((started) => {
        teardown.push(() => started.close());
        return started;
      }),
    ]);
    const server: StaticServer = await serveStatic(dir);
    teardown.push(() => server.close());
    const browser = await launchChromium();
    teardown.push(() => browser.close());
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    teardown.push(() => context.close());
    return {
      emu,
      baseUrl: server.origin,
      browser,
      context,
      newPage: (pageOptions) => openWatchedPage(context, server.origin, pageOptions),
      close: closeAll,
    };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
}

async function openWatchedPage(context: BrowserContext, baseUrl: string, { name, path = 'index.html' }: NewPageOptions = {}): Promise<WatchedPage> {
  const page = await context.newPage();
  const prefix = name ? `${name}: ` : '';
  const diagnostics: string[] = [];
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  page.on('requestfailed', (request) => diagnostics.push(`${prefix}${FAILED}${request.method()} ${request.url()}: ${request.failure()?.errorText}`));
  page.on('pageerror', (error) => diagnostics.push(`${prefix}${PAGE_ERROR}${error.message}`));
  page.on('console', (message) => diagnostics.push(`${prefix}console.${message.type()}: ${message.text()}`));
  page.on('response', (response) => diagnostics.push(`${prefix}${response.status()} ${response.request().method()} ${response.url().split('?')[0]}`));
  const watched: WatchedPage = {
    page,
    diagnostics,
    requested,
    failures: () => diagnostics.filter((line) => line.startsWith(`${prefix}${FAILED}`) || line.startsWith(`${prefix}${PAGE_ERROR}`)),
    pageErrors: () => diagnostics.filter((line) => line.startsWith(`${prefix}${PAGE_ERROR}`)),
  };
  if (path !== null) await page.goto(`${baseUrl}/${path}`, { timeout: 15_000 });
  return watched;
}

/** Rejects with `explain()` when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, explain: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(explain())), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
