import type { Context } from 'koa';
import type { Database } from '../hyperdb/database.js';
import type { Tracker } from '../tracker/tracker.js';
import type { SessionHandle, WebRequest, WebUser } from './web-types.js';

/**
 * The seams where authentication and CSRF protection plug into the
 * request handler. `createTrackerApp` uses the real ones by default
 * (auth/request-auth.ts: session cookies, HTTP Basic, REMOTE_USER;
 * csrf-guard.ts: single-use tokens and header checks); tests and
 * benchmarks may pass others, such as the two below.
 */

/** A login the request carried that was refused (wrong HTTP Basic credentials): the front page with this status, message and headers. */
export interface LoginRefusal {
  readonly status: number;
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Who a request acts as. */
export interface RequestIdentity {
  user: WebUser;
  session: SessionHandle;
  /** Set when credentials were refused; the user is then anonymous. */
  refusal?: LoginRefusal | null;
  /**
   * Stores what the request changed in its session and returns the
   * `Set-Cookie` values to send. Called once the request's unit of work
   * has ended (the session store writes in transactions of its own).
   */
  complete?(): Promise<string[]>;
}

/**
 * Finds out who is making the request (Roundup's determine_user). Called
 * before the request's unit of work is opened. A refused login is
 * returned as `refusal`; a thrown error goes to the error funnel, the
 * request then acting as the anonymous user.
 */
export type Authenticate = (ctx: Context, tracker: Tracker) => Promise<RequestIdentity>;

/** The CSRF protection of a tracker's web interface. */
export interface CsrfGuard {
  /**
   * Judges a request before its action runs (Roundup's handle_csrf; every
   * request is shown to it, so a token sent in a GET query string can be
   * destroyed). Null lets the action run; a message stops it: the message
   * is shown on the page, answered with 400 (or `status`). Called before
   * the request's unit of work has written anything.
   */
  check(req: WebRequest, ctx: Context): Promise<{ message: string; status?: number } | null>;
  /** Loads what `issue` needs; awaited before any page of the request is rendered. */
  prepare(): Promise<void>;
  /**
   * A token for one form of the page being rendered (Roundup's
   * anti_csrf_nonce), bound to the request's user and its session as it
   * is when the token is issued. Synchronous: templates render so.
   */
  issue(req: WebRequest, lifetimeMinutes?: number): string;
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

/** A session that keeps nothing (for requests authenticated without the session store). */
export function emptySession(): SessionHandle {
  return { id: null, get: () => undefined, set: () => undefined, destroy: async () => undefined };
}

/** Every request is the anonymous user (what a refused login falls back to). */
export const anonymousOnly: Authenticate = async (_ctx, tracker) => ({
  user: { userid: await anonymousUserId(tracker), username: 'anonymous', anonymous: true },
  session: emptySession(),
});

/** No CSRF protection: nothing is checked and forms get the token "0" (Roundup's answer when tokens are off). */
export const noCsrfGuard: CsrfGuard = {
  check: async () => null,
  prepare: async () => undefined,
  issue: () => '0',
};
