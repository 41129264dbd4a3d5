import type { Context } from 'koa';
import { RupError } from '../errors.js';
import type { Database } from '../hyperdb/database.js';
import type { Tracker } from '../tracker/tracker.js';
import { insideTracker, requestedAction, runAction } from './action-dispatch.js';
import type { ActionRegistry } from './action-registry.js';
import { serveDownload } from './download.js';
import { funnelError } from './error-funnel.js';
import { type RenderServices, renderErrorPage, renderPage } from './page-renderer.js';
import { readForm } from './upload.js';
import type { Route } from './url-scheme.js';
import { type Authenticate, type RequestIdentity, anonymousOnly } from './web-hooks.js';
import type { ActionOutcome, WebRequest, WebTarget } from './web-types.js';
import { SubmittedForm } from './form/form-data.js';
import { RequestCache } from './view/read-cache.js';
import { PageCache, type RenderedPage } from './render/page-cache.js';

/**
 * One request for a page or a download, end to end (Roundup's
 * inner_main): who is asking, what the URL names, the anonymous-access
 * rule, the CSRF check, the action, the page; one unit of work, committed
 * when the request succeeds and rolled back otherwise; every failure
 * through the error funnel.
 */

/** What the page flow needs from its tracker app. */
export interface PageFlowServices extends RenderServices {
  tracker: Tracker;
  actions: ActionRegistry;
  authenticate: Authenticate;
  baseUrl: string;
  basePath: string;
}

type PageRoute = Extract<Route, { kind: 'page' | 'download' | 'not-found' }>;

function targetOf(route: PageRoute, form: SubmittedForm): WebTarget {
  const view = form.get('@template');
  if (route.kind === 'page') {
    const fallback = route.itemid !== null ? 'item' : route.classname !== null ? 'index' : 'home';
    return { classname: route.classname, itemid: route.itemid, filename: null, template: view ?? fallback };
  }
  if (route.kind === 'download') return { classname: route.classname, itemid: route.itemid, filename: route.filename, template: null };
  return { classname: null, itemid: null, filename: null, template: view ?? 'home' };
}

/** Roundup's dynamic-page headers: HTML, never cached. */
function setPageHeaders(ctx: Context): void {
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-cache');
  ctx.set('Expires', new Date(Date.now() - 1000).toUTCString());
}

/**
 * Roundup's check_anonymous_access: the anonymous user without Web Access
 * may only log in and register (and see the registration page).
 */
async function checkAnonymousAccess(req: WebRequest, action: string | null): Promise<void> {
  if (!req.user.anonymous || action === 'login' || action === 'register') return;
  const db = req.db;
  if (req.target.classname === 'user' && req.target.template === 'register' && (await db.hasPermission('Register', 'user'))) return;
  if (!(await db.hasPermission('Web Access'))) {
    throw new RupError('RUP_ERR_PERMISSION', 'Anonymous users are not allowed to use the web interface');
  }
}

/** Checks that the class and item the URL names exist (404 otherwise). */
async function checkTarget(db: Database, route: PageRoute, cache: RequestCache): Promise<void> {
  if (route.kind === 'not-found') throw new RupError('RUP_ERR_NO_SUCH_CLASS', `There is no page "${route.what}"`);
  const { classname, itemid } = route;
  if (classname === null) return;
  if (!db.schema.hasClass(classname)) throw new RupError('RUP_ERR_NO_SUCH_CLASS', `There is no class called "${classname}"`);
  if (itemid !== null) await cache.prime(classname, [itemid]);
  if (itemid !== null && !(await db.system().getclass(classname).hasnode(itemid))) {
    throw new RupError('RUP_ERR_NO_SUCH_ITEM', `${classname}${itemid} does not exist`);
  }
}

/** An error the funnel shows as it is: a refused login (401), with its message. */
function loginRefused(message: string, status: number): Error {
  return Object.assign(new Error(message), { status, expose: true });
}

/**
 * Handles a page, download or unknown-path request. The session is
 * stored once the request's unit of work has ended (it writes in
 * transactions of its own), before the response is sent.
 */
export async function handlePage(ctx: Context, route: PageRoute, services: PageFlowServices): Promise<void> {
  const { tracker } = services;
  // A failing authentication still gets a page: as the anonymous user, through the funnel.
  let identity: RequestIdentity;
  let refused: unknown = null;
  try {
    identity = await services.authenticate(ctx, tracker);
  } catch (err) {
    refused = err;
    identity = await anonymousOnly(ctx, tracker);
  }
  if (identity.refusal) {
    ctx.set({ ...identity.refusal.headers });
    refused = loginRefused(identity.refusal.message, identity.refusal.status);
  }
  const db = await tracker.open({ userid: identity.user.userid }, { checked: true });
  const req: WebRequest = {
    tracker,
    db,
    user: identity.user,
    session: identity.session,
    method: ctx.method,
    headers: ctx.headers,
    remoteAddress: ctx.ip,
    baseUrl: services.baseUrl,
    basePath: services.basePath,
    target: targetOf(route, new SubmittedForm()),
    form: new SubmittedForm(),
    messages: { ok: [], error: [] },
  };
  try {
    await services.csrf.prepare();
    await respond(ctx, route, services, req, refused);
  } finally {
    await db.close();
  }
  if (identity.complete) for (const cookie of await identity.complete()) ctx.append('Set-Cookie', cookie);
}

/** The request's answer, in its unit of work: committed when it succeeds, rolled back otherwise. */
async function respond(ctx: Context, route: PageRoute, services: PageFlowServices, first: WebRequest, refused: unknown): Promise<void> {
  const { tracker } = services;
  const db = first.db;
  let req = first;
  try {
    if (refused !== null) throw refused;
    const form = await readForm(ctx.req, ctx.querystring, { maxBytes: tracker.config.WEB_MAX_UPLOAD_SIZE as number });
    req = { ...req, form, target: targetOf(route, form) };
    let cache = await services.readCache.begin(db);
    const pageKey = keptPageKey(ctx, route, req);
    const kept = pageKey === null ? undefined : services.pageCache.get(cache.dataVersion, pageKey);
    if (kept) {
      sendPage(ctx, 200, kept, req, services);
      return;
    }
    if (db.schema.hasClass('user')) await cache.prime('user', [req.user.userid]);
    await checkTarget(db, route, cache);
    const ok = form.get('@ok_message');
    const error = form.get('@error_message');
    if (ok) req.messages.ok.push(ok);
    if (error) req.messages.error.push(error);
    const actionName = requestedAction(form);
    await checkAnonymousAccess(req, actionName);

    if (route.kind === 'download') {
      const download = await serveDownload(req);
      ctx.status = download.status;
      if (download.body !== null) ctx.body = download.body;
      ctx.set(download.headers);
      return;
    }

    let outcome: ActionOutcome | null = null;
    const refusal = await services.csrf.check(req, ctx);
    if (refusal) {
      req.messages.error.push(refusal.message);
      outcome = { kind: 'render', status: refusal.status ?? 400 };
    } else if (actionName !== null) {
      outcome = (await runAction(services.actions, actionName, req)).outcome;
      // The action may have written (and rolled back): what was cached before is not to be trusted.
      cache = RequestCache.none(db);
    }

    if (outcome?.kind === 'redirect') {
      await db.commit();
      const location = insideTracker(outcome.location, services.baseUrl);
      if (location === null) services.logger.warn(`refused a redirect outside the tracker: ${JSON.stringify(outcome.location)}`);
      redirect(ctx, location ?? services.baseUrl);
      return;
    }
    if (outcome?.kind === 'response') {
      await db.commit();
      ctx.status = outcome.status;
      // The body first: for a string or Buffer Koa would otherwise pick a Content-Type of its own.
      ctx.body = outcome.body;
      ctx.set(outcome.headers);
      return;
    }
    let status = 200;
    if (outcome?.kind === 'render') {
      await db.rollback();
      status = outcome.status ?? 200;
      if (outcome.headers) ctx.set(outcome.headers);
      req = { ...req, form: outcome.form ?? req.form, target: { ...req.target, template: outcome.template ?? req.target.template } };
    }
    const templateName = services.templates.select(req.target.classname, req.target.template === 'home' && req.target.classname === null ? null : req.target.template, req.messages.error.length > 0);
    const page = await renderPage(req, services, templateName, cache);
    await db.commit();
    if (pageKey !== null && outcome === null && status === 200) services.pageCache.put(cache.dataVersion, pageKey, page);
    sendPage(ctx, status, page, req, services);
  } catch (err) {
    await db.rollback();
    const info = funnelError(err, services.logger, `${ctx.method} ${ctx.url}`);
    const html = await renderErrorPage(req, services, info);
    setPageHeaders(ctx);
    ctx.status = info.status;
    ctx.body = html;
  }
}

/**
 * The key under which the request's page may be kept (page-cache.ts):
 * a page (not a download) fetched without an action or a token, by a
 * user the request was not refused as; null for anything else.
 */
function keptPageKey(ctx: Context, route: PageRoute, req: WebRequest): string | null {
  if (route.kind !== 'page' || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return null;
  if (requestedAction(req.form) !== null || req.form.get('@csrf') !== undefined) return null;
  return PageCache.key(req.user.userid, ctx.url);
}

/** Sends a rendered page, its token slots filled for this request's user and session. */
function sendPage(ctx: Context, status: number, page: RenderedPage, req: WebRequest, services: PageFlowServices): void {
  setPageHeaders(ctx);
  ctx.status = status;
  ctx.body = page.slots.fill(page.html, (lifetime) => services.csrf.issue(req, lifetime));
}

/** A 302 redirect with Roundup's little HTML body. */
export function redirect(ctx: Context, location: string): void {
  ctx.status = 302;
  ctx.set('Location', location);
  ctx.type = 'text/html; charset=utf-8';
  const escaped = location.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  ctx.body = `Redirecting to <a href="${escaped}">${escaped}</a>`;
}
