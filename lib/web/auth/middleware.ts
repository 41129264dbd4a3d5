import type Koa from 'koa';
import { RupError } from '../../errors.js';
import type { Tracker } from '../../tracker/tracker.js';
import { CsrfTokens } from '../csrf.js';
import { type AuthResult, authenticate } from './determine-user.js';

/**
 * The Koa middleware that puts the user, the session and the CSRF token
 * issuer of a request in `ctx.state.webAuth`, and at the end of the
 * request stores what the session and the rendered forms need (session
 * changes, issued tokens) and sends the session cookie.
 *
 * Downstream code must have ended its own unit of work (committed or
 * rolled back) before it returns: the stores write in transactions of
 * their own (see sql-session-store.ts).
 */

/** What the middleware puts in `ctx.state.webAuth`. */
export interface WebAuthState extends AuthResult {
  /** Issues `@csrf` tokens for the forms of the page (Roundup's `utils.anti_csrf_nonce`). */
  readonly csrf: CsrfTokens;
}

/** Where the tracker is reached: its absolute base URL and the path it is mounted at (both ending in `/`). */
export interface TrackerLocation {
  readonly baseUrl: string;
  readonly basePath: string;
}

/** Options of {@link webAuthMiddleware}. */
export interface WebAuthOptions {
  /** Where the tracker is reached for this request; default `[tracker] web`. */
  location?(ctx: Koa.Context): TrackerLocation;
  /** Variables the transport vouches for (CGI's `REMOTE_USER`); default none. */
  environment?(ctx: Koa.Context): Readonly<Record<string, string | undefined>> | undefined;
}

/** The location `[tracker] web` gives. */
export function configuredLocation(tracker: Tracker): TrackerLocation {
  const baseUrl = tracker.config.TRACKER_WEB as string;
  const path = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(baseUrl)?.[1] ?? '/';
  return { baseUrl, basePath: path };
}

/** The request's authentication state; RUP_ERR_TRACKER when the middleware did not run. */
export function webAuthOf(ctx: Koa.Context): WebAuthState {
  const state = (ctx.state as { webAuth?: WebAuthState }).webAuth;
  if (!state) throw new RupError('RUP_ERR_TRACKER', 'the request was not authenticated (webAuthMiddleware is not installed)');
  return state;
}

/**
 * Stores the session changes and the issued tokens of a request, and
 * returns the `Set-Cookie` values to send (for callers not using the
 * middleware).
 */
export async function completeWebAuth(state: WebAuthState): Promise<string[]> {
  await state.session.save();
  await state.csrf.flush();
  return state.session.setCookieHeaders();
}

/** The middleware for one tracker. */
export function webAuthMiddleware(tracker: Tracker, options: WebAuthOptions = {}): Koa.Middleware {
  return async (ctx, next) => {
    const location = options.location ? options.location(ctx) : configuredLocation(tracker);
    const auth = await authenticate(tracker, {
      headers: ctx.headers,
      environment: options.environment?.(ctx),
      baseUrl: location.baseUrl,
      basePath: location.basePath,
    });
    const state: WebAuthState = { ...auth, csrf: new CsrfTokens(tracker, auth.user.userid, () => auth.session.id) };
    (ctx.state as { webAuth?: WebAuthState }).webAuth = state;
    await next();
    for (const cookie of await completeWebAuth(state)) ctx.append('Set-Cookie', cookie);
  };
}
