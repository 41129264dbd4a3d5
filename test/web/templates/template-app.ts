import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DateTime } from '../../../lib/hyperdb/date.js';
import type { Tracker } from '../../../lib/tracker/tracker.js';
import { createTrackerApp } from '../../../lib/web/app.js';
import type { WebLogger } from '../../../lib/web/error-funnel.js';
import { type Authenticate, noCsrfGuard } from '../../../lib/web/web-hooks.js';
import { type TestTracker, createTestTracker } from '../../support/trackers.js';

/**
 * A tracker made from a shipped template, served by the real request
 * handler (`createTrackerApp`) on loopback, for testing the pages the
 * templates render. Who makes a request is said by an `X-Test-User`
 * header (a user id; anonymous without it), through the app's
 * `authenticate` seam: these tests are about the pages, not about
 * logging in, which the browser tests cover. The CSRF seam is the
 * guard that checks nothing and hands out the token "0", so forms can be
 * posted as the page holds them.
 */
export interface TemplateApp {
  tt: TestTracker;
  tracker: Tracker;
  /** The tracker's base URL on loopback, ending in `/demo/`. */
  base: string;
  /** What the handler logged (errors and warnings), for asserting that pages rendered cleanly. */
  logged: string[];
  /** GET a page as the user (id) or anonymous (null). */
  get(path: string, userid?: string | null): Promise<{ status: number; html: string; location: string | null }>;
  /** POST a multipart form as the user; files are `[field, filename, type, content]`. */
  post(
    path: string,
    fields: ReadonlyArray<readonly [string, string]>,
    userid: string | null,
    files?: ReadonlyArray<readonly [string, string, string, string]>,
  ): Promise<{ status: number; html: string; location: string | null }>;
  close(): Promise<void>;
}

/** Users every template app has besides admin (1) and anonymous (2): demo (3, role User). */
export const DEMO_USER = '3';

const userAuth: Authenticate = async (ctx, tracker) => {
  const header = ctx.get('x-test-user');
  const db = await tracker.open({ userid: '1' }, { checked: false });
  try {
    const userid = header || (await db.getclass('user').lookup('anonymous'));
    const username = (await db.getclass('user').get(userid, 'username')) as string;
    return {
      user: { userid, username, anonymous: username === 'anonymous' },
      session: { id: null, get: () => undefined, set: () => undefined, destroy: async () => undefined },
    };
  } finally {
    await db.close();
  }
};

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** Starts a tracker from `template` with the demo user and, for classic, `issues` issues with a message each. */
export async function startTemplateApp(template: 'classic' | 'minimal', issues = 0): Promise<TemplateApp> {
  let handler: Parameters<typeof createServer>[1] = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handler!(req, res));
  const port = await listen(server);
  const base = `http://127.0.0.1:${port}/demo/`;
  const tt = await createTestTracker({ template, settings: { tracker_web: base } });
  const db = await tt.tracker.open({ userid: '1' }, { checked: false });
  await db.getclass('user').create({ username: 'demo', password: await db.encodePassword('demo'), address: 'demo@example.com', roles: 'User' });
  for (let n = 1; n <= issues; n++) {
    const msg = await db.getclass('msg').create({ content: `Message of issue ${n}: see http://example.com/${n}`, author: DEMO_USER, date: DateTime.now() });
    await db.getclass('issue').create({ title: `Issue number ${n}`, status: String((n % 8) + 1), priority: String((n % 5) + 1), messages: [msg], assignedto: n % 2 ? DEMO_USER : null });
  }
  await db.commit();
  await db.close();
  const logged: string[] = [];
  const logger: WebLogger = { error: (m) => logged.push(`error: ${m}`), warn: (m) => logged.push(`warning: ${m}`) };
  handler = createTrackerApp(tt.tracker, { authenticate: userAuth, csrf: noCsrfGuard, logger }).callback();

  const send = async (path: string, init: RequestInit, userid: string | null | undefined) => {
    const headers = new Headers(init.headers);
    if (userid) headers.set('x-test-user', userid);
    const res = await fetch(base + path, { ...init, headers, redirect: 'manual' });
    return { status: res.status, html: await res.text(), location: res.headers.get('location') };
  };
  return {
    tt,
    tracker: tt.tracker,
    base,
    logged,
    get: (path, userid = null) => send(path, {}, userid),
    post(path, fields, userid, files = []) {
      const body = new FormData();
      for (const [name, value] of fields) body.append(name, value);
      for (const [name, filename, type, content] of files) body.append(name, new Blob([content], { type }), filename);
      return send(path, { method: 'POST', body }, userid);
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await tt.cleanup();
    },
  };
}
