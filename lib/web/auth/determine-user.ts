import type { IncomingHttpHeaders } from 'node:http';
import { RupError, isRupError } from '../../errors.js';
import type { Database } from '../../hyperdb/database.js';
import type { Tracker } from '../../tracker/tracker.js';
import { cookieSettings } from '../session/cookie.js';
import { sessionServices } from '../session/session-services.js';
import { WebSession } from '../session/web-session.js';
import { anonymousUserId } from '../web-hooks.js';
import type { WebUser } from '../web-types.js';
import { checkLogin, findUser, loginSettings } from './verify-login.js';

/**
 * Who is making a request (Roundup's `Client.determine_user`):
 *
 * 1. With `cookie_takes_precedence`, the user of the session cookie.
 * 2. Otherwise, or without one, and only with `http_auth`: the user a
 *    front web server vouches for (`REMOTE_USER`, or the variable named by
 *    `http_auth_header`), logged in without a password; else HTTP Basic
 *    authentication, checked like the login form (a failure refuses the
 *    request with 401 and `WWW-Authenticate`).
 * 3. Otherwise the user of the session cookie.
 * 4. Otherwise, or when that user does not exist (any more), `anonymous`.
 *
 * A session that identified the user is kept from expiring.
 */

/** What the check needs to know of a request. */
export interface AuthInput {
  readonly headers: IncomingHttpHeaders;
  /**
   * Variables the transport vouches for, as a CGI server sets them
   * (`REMOTE_USER`). They never come from request headers: a client cannot
   * send them. A `http_auth_header` starting with `HTTP_` names a request
   * header instead, as CGI spells them (`HTTP_X_REMOTE_USER` is the
   * `X-Remote-User` header); use that only behind a proxy that sets it.
   */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** The tracker's base URL, ending in `/`. */
  readonly baseUrl: string;
  /** The path the tracker is mounted at, ending in `/`. */
  readonly basePath: string;
}

/** A refused login (Roundup's LoginError): show the front page with the message, with this status and these headers. */
export interface LoginRefusal {
  readonly status: 401;
  readonly message: string;
  readonly headers: Record<string, string>;
}

/** Who the request is from, its session, and a refused login if there was one (the user is then anonymous). */
export interface AuthResult {
  readonly user: WebUser;
  readonly session: WebSession;
  readonly refusal: LoginRefusal | null;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The user name a front server vouches for, or undefined when it sent none. */
function trustedRemoteUser(tracker: Tracker, input: AuthInput): string | undefined {
  const variable = ((tracker.config.WEB_HTTP_AUTH_HEADER as string | null) || 'REMOTE_USER').trim();
  let user = variable.startsWith('HTTP_')
    ? header(input.headers, variable.slice(5).toLowerCase().replace(/_/g, '-'))
    : input.environment?.[variable];
  if (user !== undefined && (tracker.config.WEB_HTTP_AUTH_CONVERT_REALM_TO_LOWERCASE as boolean)) {
    const at = user.indexOf('@');
    if (at >= 0) user = user.slice(0, at + 1) + user.slice(at + 1).toLowerCase();
  }
  return user;
}

/** Roundup's JWT messages; we do not accept bearer tokens (see the report on JWT). */
function bearerRefusal(tracker: Tracker): string {
  const first = String(tracker.config.WEB_JWT_SECRET ?? '').split(',')[0]!.trim();
  return first.length < 32 ? 'Support for jwt disabled by admin.' : 'Support for jwt disabled.';
}

/** The result of reading the Authorization header: a user name, a refusal, or nothing to go on. */
async function fromAuthorization(tracker: Tracker, db: Database, authorization: string): Promise<string | LoginRefusal | null> {
  const space = authorization.indexOf(' ');
  const scheme = space < 0 ? '' : authorization.slice(0, space).toLowerCase();
  const challenge = space < 0 ? '' : authorization.slice(space + 1).trim();
  if (scheme === 'basic') {
    const decoded = Buffer.from(challenge, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const [username, password] = colon < 0 ? ['', ''] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
    const check = await checkLogin(db, username, password, loginSettings(tracker.config));
    if (check.ok) return check.username;
    return { status: 401, message: check.message, headers: { 'WWW-Authenticate': `Basic realm="${tracker.name}"` } };
  }
  if (scheme === 'bearer') return { status: 401, message: bearerRefusal(tracker), headers: { 'WWW-Authenticate': 'Basic' } };
  return null;
}

/**
 * Determines the user of a request and loads its session; also runs the
 * hourly cleanup of expired sessions and keys. Does its reads and writes in
 * units of work of its own, so call it before the request's own unit of
 * work writes. RUP_ERR_TRACKER when the tracker has no `anonymous` user
 * (Roundup requires one).
 */
export async function authenticate(tracker: Tracker, input: AuthInput): Promise<AuthResult> {
  const services = sessionServices(tracker);
  const session = await WebSession.load(services, cookieSettings(tracker, input.baseUrl, input.basePath), header(input.headers, 'cookie'));
  await services.cleanUpIfDue();
  const config = tracker.config;
  // Acting as the admin, as Roundup's determine_user does (a Basic login may migrate a password hash).
  const db = await tracker.open({ userid: '1' }, { checked: false });
  try {
    let username: string | null = null;
    let refusal: LoginRefusal | null = null;
    let fromSession = false;
    if (config.WEB_COOKIE_TAKES_PRECEDENCE as boolean) {
      username = session.username;
      fromSession = username !== null;
    }
    if (username === null && (config.WEB_HTTP_AUTH as boolean)) {
      const remote = trustedRemoteUser(tracker, input);
      if (remote !== undefined) {
        username = remote === '' ? null : remote;
      } else {
        const authorization = header(input.headers, 'authorization');
        const outcome = authorization ? await fromAuthorization(tracker, db, authorization) : null;
        if (typeof outcome === 'string') username = outcome;
        else refusal = outcome;
      }
    }
    if (username === null && refusal === null) {
      username = session.username;
      fromSession = username !== null;
    }
    if (fromSession) await session.refresh();
    const userid = username === null ? null : await findUser(db, username);
    if (userid !== null && username !== null) return { user: { userid, username, anonymous: username === 'anonymous' }, session, refusal };
    // Looked up once per process: most requests of a public tracker are anonymous.
    const anonymous = await anonymousUserId(tracker).catch((err: unknown) => {
      if (!isRupError(err, 'RUP_ERR_KEY_NOT_FOUND')) throw err;
      throw new RupError('RUP_ERR_TRACKER', `the tracker ${tracker.home} has no "anonymous" user, which the web interface needs`);
    });
    return { user: { userid: anonymous, username: 'anonymous', anonymous: true }, session, refusal };
  } finally {
    await db.close();
  }
}
