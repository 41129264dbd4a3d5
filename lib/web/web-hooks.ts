import type { Context } from 'koa';
import type { Database } from '../hyperdb/database.js';
import type { Tracker } from '../tracker/tracker.js';
import type { SessionHandle, WebRequest, WebUser } from './web-types.js';

/**
 * The seams where the session/auth and CSRF parts of the web layer plug
 * into the request handler. `createTrackerApp` takes them as options; the
 * defaults below stand in until those parts are wired:
 *
 * - SEAM: `authenticate` — the default makes every request the anonymous
 *   user with a session that stores nothing. The session/auth middleware
 *   (cookies, HTTP Basic, REMOTE_USER, rate limiting) replaces it.
 * - SEAM: `csrf` — the default checks nothing and issues the token "0"
 *   (Roundup's answer when tokens are off). The CSRF guard (tokens bound
 *   to user and session, Referer/Origin/Host checks) replaces it.
 */

/** Who a request acts as. */
export interface RequestIdentity {
  user: WebUser;
  session: SessionHandle;
}

/**
 * Finds out who is making the request (Roundup's determine_user). It may
 * set response headers and cookies on `ctx`; to refuse the request it
 * throws a RupError (its status is the answer: RUP_ERR_PERMISSION is 403).
 */
export type Authenticate = (ctx: Context, tracker: Tracker) => Promise<RequestIdentity>;

/** The CSRF protection of a tracker's web interface. */
export interface CsrfGuard {
  /**
   * Judges a request before its action runs (Roundup's handle_csrf; every
   * request is shown to it, so a token sent in a GET query string can be
   * destroyed). Null lets the action run; a message stops it: the message
   * is shown on the page, answered with 400 (or `status`).
   */
  check(req: WebRequest, ctx: Context): Promise<{ message: string; status?: number } | null>;
  /**
   * A token for one form of the page being rendered (Roundup's
   * anti_csrf_nonce). Templates render synchronously, so the guard hands
   * the token out now and stores it in `flush`.
   */
  issue(req: WebRequest, lifetimeMinutes?: number): string;
  /** Stores the tokens issued for the page, before the page is sent. */
  flush(req: WebRequest): Promise<void>;
}

/** Anonymous user ids, looked up once per tracker (the user must exist, as in Roundup). */
const anonymousIds = new WeakMap<Tracker, Promise<string>>();

/** The id of the tracker's `anonymous` user. */
export function anonymousUserId(tracker: Tracker): Promise<string> {
  let id = anonymousIds.get(tracker);
  if (!id) {
    id = (async () => {
      const db: Database = await tracker.open({ userid: '1' }, { checked: false });
      try {
        return await db.getclass('user').lookup('anonymous');
      } finally {
        await db.close();
      }
    })();
    id.catch(() => anonymousIds.delete(tracker));
    anonymousIds.set(tracker, id);
  }
  return id;
}

/** A session that keeps nothing (anonymous requests before the session store is wired). */
export function emptySession(): SessionHandle {
  return { id: null, get: () => undefined, set: () => undefined, destroy: async () => undefined };
}

/** SEAM default: every request is the anonymous user. */
export const anonymousOnly: Authenticate = async (_ctx, tracker) => ({
  user: { userid: await anonymousUserId(tracker), username: 'anonymous', anonymous: true },
  session: emptySession(),
});

/** SEAM default: no CSRF protection (token "0"); replaced by the CSRF guard. */
export const noCsrfGuard: CsrfGuard = {
  check: async () => null,
  issue: () => '0',
  flush: async () => undefined,
};
