import { existsSync, mkdirSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type BrowserContextOptions, type Page, chromium } from 'playwright-core';
import type { Database } from '../../../lib/hyperdb/database.js';
import { DateTime } from '../../../lib/hyperdb/date.js';
import { createTrackerApp } from '../../../lib/web/app.js';
import { sessionCookieName } from '../../../lib/web/session/cookie.js';
import type { RecordData } from '../../../lib/web/session/session-store.js';
import { sessionServices } from '../../../lib/web/session/session-services.js';
import { repoRoot } from '../../support/paths.js';
import { type TestTracker, createTestTracker } from '../../support/trackers.js';

/**
 * What the browser tests need: Debian's headless Chromium driven by
 * playwright-core, a classic tracker served by the real request handler
 * (`createTrackerApp`, with its real login) on loopback, and a place for
 * screenshots (`test-output/screenshots/`, git-ignored).
 */

/** Where Debian's chromium package puts the browser (.ci/run installs it). */
export const CHROMIUM = '/usr/bin/chromium';

/** Screenshots of the pages, for people to look at after a run. */
export const SCREENSHOTS = join(repoRoot, 'test-output', 'screenshots');

/**
 * Launches headless Chromium. Each launch runs with a fresh, temporary
 * user data directory (playwright's default), so no profile state
 * carries over between runs.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Why the browser tests cannot run here, or null when they can. */
export function browserUnavailable(): string | null {
  return existsSync(CHROMIUM) ? null : `Debian's chromium is not installed at ${CHROMIUM} (.ci/run installs the "chromium" package)`;
}

/** A classic tracker on loopback with the user demo/demo (id 3) and a few issues. */
export interface BrowserTracker {
  tt: TestTracker;
  /** The tracker's base URL, `http://127.0.0.1:<port>/demo/`. */
  base: string;
  close(): Promise<void>;
}

/** Issue titles the tracker starts with (issues 1 to 3). */
export const SEED_TITLES = ['Login page is slow', 'Typo on the search page', 'Crash when the title is empty'];

/** Starts the tracker; `[tracker] web` is its loopback address, so cookies and Origin checks match. */
export async function startBrowserTracker(): Promise<BrowserTracker> {
  let handler: Parameters<typeof createServer>[1] = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server: Server = createServer((req, res) => handler!(req, res));
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  const base = `http://127.0.0.1:${port}/demo/`;
  // Every test logs in afresh: the login rate limit (3 a minute per name by default) is off here.
  const tt = await createTestTracker({ template: 'classic', settings: { tracker_web: base, web_login_attempts_min: '0' } });
  try {
    const db = await tt.tracker.open({ userid: '1' }, { checked: false });
    const demo = await db.getclass('user').create({ username: 'demo', password: await db.encodePassword('demo'), address: 'demo@example.com', realname: 'Demo User', roles: 'User' });
    for (const [n, title] of SEED_TITLES.entries()) {
      const msg = await db.getclass('msg').create({ content: `Reported: ${title.toLowerCase()}.`, author: demo, date: DateTime.now() });
      await db.getclass('issue').create({ title, priority: String(n + 2), status: '1', messages: [msg] });
    }
    await db.commit();
    await db.close();
    handler = createTrackerApp(tt.tracker).callback();
  } catch (err) {
    server.close();
    await tt.cleanup();
    throw err;
  }
  return {
    tt,
    base,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await tt.cleanup();
    },
  };
}

/** Runs `fn` on the tracker's database as the admin, unchecked, and closes it. */
export async function inDb<T>(tracker: BrowserTracker, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await tracker.tt.tracker.open({ userid: '1' }, { checked: false });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/**
 * What the tracker's session store holds for the browser context's
 * session cookie: null when the context has no cookie or the store no
 * such session (after a logout).
 */
export async function storedSession(tracker: BrowserTracker, context: BrowserContext): Promise<RecordData | null> {
  const name = sessionCookieName(tracker.tt.tracker.name, false);
  const cookie = (await context.cookies(tracker.base)).find((c) => c.name === name);
  if (!cookie) return null;
  const services = sessionServices(tracker.tt.tracker);
  return (await services.backend.sessions.get(cookie.value, services.now()))?.data ?? null;
}

/**
 * Keeps what goes wrong on a page, for asserting there is nothing: script
 * errors, Content-Security-Policy violations, and stylesheets, scripts or
 * images that fail to load. (Pages answered with an error status on
 * purpose, such as a form sent back with its error, are not counted.)
 */
export function watchConsole(page: Page, into: string[]): void {
  page.on('console', (msg) => {
    const text = msg.text();
    if (/^Failed to load resource/.test(text)) return; // counted below, for subresources only
    if (msg.type() === 'error' || /Content Security Policy|Refused to/i.test(text)) into.push(`${page.url()}: ${text}`);
  });
  page.on('pageerror', (err) => into.push(`${page.url()}: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 400 && res.request().resourceType() !== 'document') into.push(`${res.url()}: ${res.status()}`);
  });
  page.on('requestfailed', (req) => {
    const reason = req.failure()?.errorText ?? 'failed';
    // A load the browser gave up because the page moved on is no fault of the page.
    if (req.resourceType() !== 'document' && reason !== 'net::ERR_ABORTED') into.push(`${req.url()}: ${reason}`);
  });
}

/** Evaluates JavaScript in the page (written as text: these tests compile without the DOM's types). */
export function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}

/** The id of the focused element ('' when none has one). */
export function focusedId(page: Page): Promise<string> {
  return inPage(page, `document.activeElement ? document.activeElement.id : ''`);
}

/** The text of the chosen option of a `<select>`. */
export function selectedText(page: Page, selector: string): Promise<string> {
  return inPage(page, `document.querySelector(${JSON.stringify(selector)}).selectedOptions[0].text`);
}

/** Saves a full-page screenshot as `test-output/screenshots/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * Presses Tab until the focused element matches `selector` (at most
 * `limit` presses): proof that a keyboard reaches it. Throws when it is
 * not reached.
 */
export async function tabTo(page: Page, selector: string, limit = 80): Promise<void> {
  const focused = `document.activeElement !== null && document.activeElement.matches(${JSON.stringify(selector)})`;
  for (let i = 0; i < limit; i++) {
    if (await inPage<boolean>(page, focused)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`the keyboard does not reach ${selector} within ${limit} tabs`);
}

/** The browser context options of the tests: a wide screen in light mode unless told otherwise. */
export function contextOptions(extra: BrowserContextOptions = {}): BrowserContextOptions {
  return { viewport: { width: 1280, height: 900 }, colorScheme: 'light', reducedMotion: 'reduce', acceptDownloads: true, ...extra };
}

/** Relative luminance of a CSS `rgb()`/`rgba()` colour (WCAG 2). */
export function luminance(color: string): number {
  const [r, g, b] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG contrast ratio of two CSS colours. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
