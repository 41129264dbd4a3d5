import { type Server, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { RupError } from '../../../lib/errors.js';
import type { Tracker } from '../../../lib/tracker/tracker.js';
import { loginAction } from '../../../lib/web/actions/login.js';
import { logoutAction } from '../../../lib/web/actions/logout.js';
import { newAction } from '../../../lib/web/actions/new.js';
import { anonymousAccessRefusal } from '../../../lib/web/auth/anonymous-access.js';
import { webAuthMiddleware, webAuthOf } from '../../../lib/web/auth/middleware.js';
import { verifyCsrf } from '../../../lib/web/csrf.js';
import { readForm } from '../../../lib/web/upload.js';
import type { WebAction, WebRequest } from '../../../lib/web/web-types.js';

/** The tracker's address in the test trackers (`createTestTracker`); requests carry this Host. */
export const BASE_URL = 'http://tracker.example/demo/';
export const HOST = 'tracker.example';

const ACTIONS = new Map<string, WebAction>([loginAction, logoutAction, newAction].map((a) => [a.name, a]));
const PATH = /^([A-Za-z_](?:[A-Za-z0-9_]*[A-Za-z_])?)(\d*)$/;

/** One line of the CSRF log, as the harness collects it. */
export interface LogLine {
  level: 'error' | 'warning';
  message: string;
}

/**
 * A minimal Koa app standing in for the web-core handler, to drive
 * authentication, sessions, CSRF and the login/logout actions over real
 * HTTP on loopback. It uses the real middleware and the real checks in the
 * order the handler must use them: authenticate (middleware) → a refused
 * HTTP login answers at once → read the form → anonymous access → CSRF →
 * action. Pages are JSON: `{ user, errors, ok, csrf }`, where `csrf` is a
 * freshly issued token (what a rendered form would carry). The transport
 * variable REMOTE_USER comes from the `X-Test-Remote-User` header.
 */
export async function startAuthHarness(tracker: Tracker): Promise<{ port: number; log: LogLine[]; close(): Promise<void> }> {
  const log: LogLine[] = [];
  const app = new Koa();
  app.use(
    webAuthMiddleware(tracker, {
      environment: (ctx) => (ctx.get('x-test-remote-user') ? { REMOTE_USER: ctx.get('x-test-remote-user') } : undefined),
    }),
  );
  app.use(async (ctx) => {
    const auth = webAuthOf(ctx);
    if (auth.refusal) {
      ctx.status = auth.refusal.status;
      ctx.set(auth.refusal.headers);
      ctx.body = { user: auth.user.username, errors: [auth.refusal.message] };
      return;
    }
    const rest = ctx.path.startsWith('/demo/') ? ctx.path.slice('/demo/'.length) : '';
    const m = PATH.exec(rest);
    const form = await readForm(ctx.req, ctx.querystring, { maxBytes: 1 << 20 });
    const db = await tracker.open({ userid: auth.user.userid }, { checked: true });
    try {
      const actionName = form.get('@action')?.toLowerCase() ?? null;
      const target = { classname: m?.[1] ?? null, itemid: m?.[2] || null, filename: null, template: form.get('@template') ?? null };
      const refused = await anonymousAccessRefusal(db, auth.user, { action: actionName, ...target });
      if (refused) {
        ctx.status = 403;
        ctx.body = { user: auth.user.username, errors: [refused] };
        return;
      }
      const verdict = await verifyCsrf(
        tracker,
        { method: ctx.method, headers: ctx.headers, form, baseUrl: BASE_URL, userid: auth.user.userid, sessionId: auth.session.id },
        (level, message) => log.push({ level, message }),
      );
      if (!verdict.ok) {
        ctx.status = verdict.status;
        ctx.body = { user: auth.user.username, errors: [verdict.message] };
        return;
      }
      const req: WebRequest = {
        tracker,
        db,
        user: auth.user,
        session: auth.session,
        method: ctx.method,
        headers: ctx.headers,
        remoteAddress: ctx.ip,
        baseUrl: BASE_URL,
        basePath: '/demo/',
        target,
        form,
        messages: { ok: [], error: [] },
      };
      if (actionName) {
        const action = ACTIONS.get(actionName);
        if (!action) throw new RupError('RUP_ERR_VALUE', `No such action "${actionName}"`);
        const outcome = await action.run(req);
        if (outcome.kind === 'redirect') {
          ctx.status = 302;
          ctx.set('Location', outcome.location);
          return;
        }
        if (outcome.kind === 'render') {
          ctx.status = outcome.status ?? 200;
          if (outcome.headers) ctx.set(outcome.headers);
          ctx.body = { user: auth.user.username, errors: req.messages.error, ok: req.messages.ok };
          return;
        }
        ctx.status = outcome.status;
        ctx.body = outcome.body;
        return;
      }
      ctx.body = { user: auth.user.username, errors: [], ok: [], csrf: auth.csrf.issue() };
    } finally {
      await db.close();
    }
  });
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    log,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

/** A response as the tests look at it. */
export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the body is JSON, else the text. */
  body: any;
  /** The `Set-Cookie` values. */
  cookies: string[];
}

/**
 * Sends one request to the harness with exactly the headers given (plus
 * `Host: tracker.example` unless `host` is null). `form` is sent as an
 * urlencoded POST body.
 */
export function send(
  port: number,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; form?: Record<string, string> | [string, string][]; host?: string | null } = {},
): Promise<TestResponse> {
  const body = options.form ? new URLSearchParams(options.form as Record<string, string>).toString() : undefined;
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.host !== null) headers.Host = options.host ?? HOST;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers['Content-Length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        if ((res.headers['content-type'] ?? '').includes('json')) parsed = JSON.parse(text);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, cookies: res.headers['set-cookie'] ?? [] });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** `name=value` of the first cookie set with that name (for a `Cookie` header), or undefined. */
export function cookiePair(res: TestResponse, name: string): string | undefined {
  const cookie = res.cookies.find((c) => c.startsWith(`${name}=`));
  return cookie?.split(';')[0];
}

/** `Basic` credentials. */
export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
