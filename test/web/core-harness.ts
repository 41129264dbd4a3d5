import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingHttpHeaders, type Server, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type TrackerAppOptions, createTrackerApp } from '../../lib/web/app.js';
import type { WebLogger } from '../../lib/web/error-funnel.js';
import { anonymousUserId, emptySession, noCsrfGuard } from '../../lib/web/web-hooks.js';
import { Tracker } from '../../lib/tracker/tracker.js';
import { repoRoot, testFixtures } from '../support/paths.js';
import { type BackendName, createTestTracker } from '../support/trackers.js';

/** The fixture templates of these tests, plus the shipped `_generic.*` templates. */
export const FIXTURE_HTML = join(testFixtures, 'web-core/html');

/** Puts the fixture templates (and the shipped _generic templates) in a tracker home's html directory. */
export function installFixtureTemplates(home: string): void {
  const html = join(home, 'html');
  rmSync(html, { recursive: true, force: true });
  cpSync(FIXTURE_HTML, html, { recursive: true });
  const shipped = join(repoRoot, 'templates/classic/html');
  for (const name of readdirSync(shipped)) if (name.startsWith('_generic.')) cpSync(join(shipped, name), join(html, name), { dereference: true });
}

/** A logger keeping what it is told. */
export function memoryLogger(): WebLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, error: (m) => lines.push(`error: ${m}`), warn: (m) => lines.push(`warn: ${m}`) };
}

/**
 * Test stand-in for the session middleware (the authenticate seam): the
 * `X-Test-User` header names the user; without it the request is anonymous.
 */
export const headerAuthenticate: NonNullable<TrackerAppOptions['authenticate']> = async (ctx, tracker) => {
  const name = ctx.get('x-test-user');
  if (!name) return { user: { userid: await anonymousUserId(tracker), username: 'anonymous', anonymous: true }, session: emptySession() };
  const db = await tracker.open({ userid: '1' }, { checked: false });
  try {
    const userid = await db.getclass('user').lookup(name);
    return { user: { userid, username: name, anonymous: false }, session: emptySession() };
  } finally {
    await db.close();
  }
};

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request with the path sent exactly as given (no URL normalisation, unlike fetch). */
export function rawRequest(port: number, method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** A form body and its headers. */
export function formBody(fields: Record<string, string | string[]>): { body: string; headers: Record<string, string> } {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
  const body = params.toString();
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } };
}

export interface CoreServer {
  home: string;
  tracker: Tracker;
  port: number;
  logger: WebLogger & { lines: string[] };
  /** A request to the tracker (paths relative to its base `/demo/`). */
  get(path: string, headers?: Record<string, string>): Promise<RawResponse>;
  post(path: string, fields: Record<string, string | string[]>, headers?: Record<string, string>): Promise<RawResponse>;
  request(method: string, path: string, options?: { headers?: Record<string, string>; body?: string }): Promise<RawResponse>;
  close(): Promise<void>;
}

/**
 * A classic tracker with the fixture templates, served by its app on a
 * loopback port. `[tracker] web` is http://tracker.example/demo/, so the
 * app lives at /demo/. These tests are about URLs, pages and action
 * dispatch: the user comes from the `X-Test-User` header and no CSRF
 * token is asked for (unless `app` says otherwise). Authentication and
 * CSRF are tested with the app's defaults in app-harness.ts.
 */
export async function startCoreServer(
  options: {
    backend?: BackendName;
    settings?: Record<string, string>;
    app?: TrackerAppOptions;
    /** Changes schema.js (the tracker is opened again afterwards). */
    schema?: (text: string) => string;
    /** Runs before the app is created: add extensions, files, data. */
    prepare?: (tracker: Tracker, home: string) => Promise<void> | void;
  } = {},
): Promise<CoreServer> {
  const tt = await createTestTracker({ backend: options.backend, settings: options.settings });
  installFixtureTemplates(tt.home);
  let tracker = tt.tracker;
  if (options.schema) {
    const file = join(tt.home, 'schema.js');
    writeFileSync(file, options.schema(readFileSync(file, 'utf8')));
    await tracker.close();
    tracker = await Tracker.open(tt.home);
  }
  const cleanup = async () => {
    await tracker.close();
    await tt.cleanup();
  };
  if (options.prepare) await options.prepare(tracker, tt.home);
  const logger = memoryLogger();
  let server: Server;
  try {
    const app = createTrackerApp(tracker, { authenticate: headerAuthenticate, csrf: noCsrfGuard, logger, ...options.app });
    server = createServer(app.callback());
  } catch (err) {
    await cleanup();
    throw err;
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const request = (method: string, path: string, opts: { headers?: Record<string, string>; body?: string } = {}) =>
    rawRequest(port, method, `/demo/${path}`, opts);
  return {
    home: tt.home,
    tracker,
    port,
    logger,
    get: (path, headers) => request('GET', path, { headers }),
    post: (path, fields, headers) => {
      const { body, headers: h } = formBody(fields);
      return request('POST', path, { body, headers: { ...h, ...headers } });
    },
    request,
    async close() {
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      await cleanup();
    },
  };
}

/** Creates issues as the admin (unchecked), returning their ids. */
export async function createIssues(tracker: Tracker, count: number, values: (n: number) => Record<string, unknown> = (n) => ({ title: `issue number ${n}` })): Promise<string[]> {
  const db = await tracker.open({ userid: '1' }, { checked: false });
  try {
    const ids: string[] = [];
    for (let n = 1; n <= count; n++) ids.push(await db.getclass('issue').create(values(n)));
    await db.commit();
    return ids;
  } finally {
    await db.close();
  }
}
