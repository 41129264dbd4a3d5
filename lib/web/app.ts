import type { IncomingMessage, ServerResponse } from 'node:http';
import Koa, { type Context, type Middleware } from 'koa';
import { RupError } from '../errors.js';
import { Tracker } from '../tracker/tracker.js';
import { ActionRegistry, BUILTIN_ACTIONS } from './action-registry.js';
import { sessionAuthenticate } from './auth/request-auth.js';
import { tokenCsrfGuard } from './csrf-guard.js';
import { type WebLogger, funnelError, stderrLogger, withAdminReports } from './error-funnel.js';
import { fallbackErrorHtml } from './page-renderer.js';
import { type PageFlowServices, handlePage, redirect } from './page-flow.js';
import { TemplateSet } from './render/template-set.js';
import { applySecurityHeaders } from './security-headers.js';
import { StaticFiles } from './static-files.js';
import { ReadCache } from './view/read-cache.js';
import { PageCache } from './render/page-cache.js';
import { parseTrackerPath } from './url-scheme.js';
import type { Authenticate, CsrfGuard } from './web-hooks.js';
import type { WebAction } from './web-types.js';

/**
 * One tracker's web interface as one Koa application (ARCHITECTURE.md,
 * decision 1). `app.callback()` is the plain Node `(req, res)` listener
 * every transport uses (standalone server, multi-tracker router, CGI,
 * FastCGI, embedding); nothing here knows which one it runs under.
 *
 * Per request: security headers; the base path (requests outside it are
 * 404, the base without its slash is redirected); Roundup's URL scheme
 * (url-scheme.ts); static files straight from disk; only HEAD, GET and
 * POST (405 with `Allow` otherwise); then the page flow (page-flow.ts):
 * user (session cookie, HTTP Basic, REMOTE_USER), context, anonymous
 * access, CSRF, action, page, with every failure through the error funnel.
 *
 * What is worked out once, when the app is created: the templates
 * (compiled and checked: a broken one stops the app with every problem
 * listed), the static directories, the action registry (a bad extension
 * action stops it too), the base URL and path.
 */

export interface TrackerAppOptions {
  /**
   * The path the tracker is mounted at (`/demo/`), when the transport
   * mounts it somewhere other than the path of `[tracker] web`.
   */
  basePath?: string;
  /** The tracker's absolute base URL; by default `[tracker] web` (moved to `basePath` when that is given). */
  baseUrl?: string;
  /**
   * Who a request acts as; by default the tracker's own authentication
   * (session cookie, HTTP Basic and REMOTE_USER with `[web] http_auth`).
   */
  authenticate?: Authenticate;
  /**
   * Variables the transport vouches for (CGI's `REMOTE_USER`), used by the
   * default authentication when `[web] http_auth` is on. Never request headers.
   */
  environment?: (ctx: Context) => Readonly<Record<string, string | undefined>> | undefined;
  /** The CSRF guard; by default `@csrf` tokens bound to user and session, with the configured header checks. */
  csrf?: CsrfGuard;
  /** Actions besides the built-in ones; an action of the same name replaces the built-in one. */
  actions?: readonly WebAction[];
  /** The REST and XML-RPC handlers, used when `[web] enable_rest` / `enable_xmlrpc` are on. */
  apis?: { rest?: Middleware; xmlrpc?: Middleware };
  /** Where errors are logged; standard error by default. Server faults are also mailed to the admin unless `[web] debug` is on. */
  logger?: WebLogger;
  /** Trust `X-Forwarded-*` headers (set only behind a trusted proxy). */
  proxy?: boolean;
}

const ALLOWED_METHODS = ['HEAD', 'GET', 'POST'];

function withSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

/** The base URL and path of the app: `[tracker] web`, or the mount point. */
function basesOf(tracker: Tracker, options: TrackerAppOptions): { baseUrl: string; basePath: string } {
  const web = withSlash(String(options.baseUrl ?? tracker.config.TRACKER_WEB));
  const webPath = new URL(web).pathname;
  const basePath = withSlash(options.basePath ?? webPath);
  if (!basePath.startsWith('/')) throw new RupError('RUP_ERR_CONFIG', `the mount point "${basePath}" must start with /`);
  const baseUrl = basePath === webPath ? web : new URL(basePath, web).href;
  return { baseUrl, basePath };
}

/** Path segments that would walk up or stay in place (`.`, `..`, also percent-encoded). */
function hasDotSegment(path: string): boolean {
  return path.split('/').some((segment) => {
    let decoded = segment;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return true;
    }
    return segment === '.' || segment === '..' || decoded === '.' || decoded === '..';
  });
}

/** Sends the built-in page for an error status (no templates, no database). */
function plainError(ctx: Context, status: number, title: string, message: string): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-cache');
  ctx.body = fallbackErrorHtml({ status, title, message });
}

/**
 * The Koa application of one opened tracker.
 * @throws RupError RUP_ERR_TEMPLATE listing every broken template;
 *   RUP_ERR_PLUGIN for an extension action that is not an action.
 */
export function createTrackerApp(tracker: Tracker, options: TrackerAppOptions = {}): Koa {
  const { baseUrl, basePath } = basesOf(tracker, options);
  const config = tracker.config;
  const templatesDir = String(config.TEMPLATES);
  const templates = TemplateSet.load(templatesDir);
  const staticFiles = new StaticFiles((config.STATIC_FILES as string[] | null) ?? [], templatesDir);
  const logger = withAdminReports(options.logger ?? stderrLogger(tracker.name), tracker);
  const services: PageFlowServices = {
    tracker,
    templates,
    csrf: options.csrf ?? tokenCsrfGuard(tracker, logger),
    extensionUtils: tracker.extensions.utils,
    logger,
    readCache: new ReadCache(),
    pageCache: new PageCache(),
    actions: new ActionRegistry(BUILTIN_ACTIONS, options.actions ?? [], tracker.extensions.actions),
    authenticate: options.authenticate ?? sessionAuthenticate({ baseUrl, basePath, environment: options.environment }),
    baseUrl,
    basePath,
  };
  const apis = {
    rest: config.WEB_ENABLE_REST === true && options.apis?.rest !== undefined,
    xmlrpc: config.WEB_ENABLE_XMLRPC === true && options.apis?.xmlrpc !== undefined,
  };

  const app = new Koa({ proxy: options.proxy ?? false });
  // Errors never reach Koa's default handler (it would print them): the funnel has them all.
  app.silent = true;
  app.use(async (ctx, next) => {
    applySecurityHeaders({ has: (name) => ctx.res.hasHeader(name), set: (name, value) => ctx.set(name, value) });
    try {
      await next();
    } catch (err) {
      const info = funnelError(err, logger, `${ctx.method} ${ctx.url}`);
      plainError(ctx, info.status, info.title, info.message);
    }
    applySecurityHeaders({ has: (name) => ctx.res.hasHeader(name), set: (name, value) => ctx.set(name, value) });
  });
  app.use(async (ctx) => {
    const path = ctx.path;
    if (withSlash(path) === basePath && !path.endsWith('/')) {
      redirect(ctx, `${basePath}${ctx.querystring ? `?${ctx.querystring}` : ''}`);
      ctx.status = 301;
      return;
    }
    if (!path.startsWith(basePath) || hasDotSegment(path)) {
      plainError(ctx, 404, 'Not found', 'There is no such page.');
      return;
    }
    const route = parseTrackerPath(path.slice(basePath.length), apis);
    if (route.kind === 'api') {
      const handler = route.api === 'rest' ? options.apis!.rest! : options.apis!.xmlrpc!;
      await handler(ctx, async () => undefined);
      return;
    }
    if (!ALLOWED_METHODS.includes(ctx.method)) {
      ctx.set('Allow', 'HEAD, GET, POST');
      plainError(ctx, 405, 'Method not allowed', `The method ${ctx.method} is not allowed here.`);
      return;
    }
    if (route.kind === 'static') {
      const file = ctx.method === 'POST' ? null : staticFiles.resolve(route.segments);
      if (ctx.method === 'POST') {
        ctx.set('Allow', 'HEAD, GET');
        plainError(ctx, 405, 'Method not allowed', 'Static files can only be fetched.');
      } else if (file === null) {
        plainError(ctx, 404, 'Not found', 'There is no such file.');
      } else {
        const answer = staticFiles.serve(file, ctx.method, ctx.headers);
        ctx.status = answer.status;
        ctx.set(answer.headers);
        if (answer.body !== null) ctx.body = answer.body;
      }
      return;
    }
    await handlePage(ctx, route, services);
  });
  return app;
}

/**
 * Opens the tracker at `home` and returns its web interface as a plain
 * Node `(req, res)` listener (`http.createServer(await createTrackerHandler(home))`).
 */
export async function createTrackerHandler(home: string, options: TrackerAppOptions = {}): Promise<(req: IncomingMessage, res: ServerResponse) => void> {
  const tracker = await Tracker.open(home);
  try {
    return createTrackerApp(tracker, options).callback();
  } catch (err) {
    await tracker.close();
    throw err;
  }
}
