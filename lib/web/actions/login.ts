import { isRupError } from '../../errors.js';
import { countLoginAttempt } from '../auth/login-rate.js';
import { checkLogin, loginSettings } from '../auth/verify-login.js';
import { sessionServices } from '../session/session-services.js';
import { asWebSession } from '../session/web-session.js';
import type { ActionOutcome, WebAction, WebRequest } from '../web-types.js';
import { examineUrl, pyQuote } from './url-tools.js';

/**
 * The `login` action (Roundup's LoginAction): form fields `__login_name`,
 * `__login_password`, `remember` ("remember me": the session cookie lasts
 * a year) and `__came_from` (the page to go back to, which must be inside
 * the tracker). Every attempt counts against `[web] login_attempts_min`
 * per minute and name. A wrong name and a wrong password get the same
 * message. On success the browser gets a new session and goes back where
 * it came from with "Welcome <user>!"; on failure it goes back there with
 * the error, or, without `__came_from`, the page is shown again with it.
 */

/** Python's `urllib.parse.quote_plus` (space as `+`, `/` escaped), as `urlencode` uses it. */
function quotePlus(text: string): string {
  return pyQuote(text, ' ').replace(/ /g, '+');
}

/** Python's `unquote_plus`; a malformed escape is kept as written. */
function unquotePlus(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** A `__came_from` URL taken apart: everything before the query, the query as Python's parse_qs, the fragment. */
interface CameFrom {
  prefix: string;
  query: Map<string, string[]>;
  fragment: string;
}

/**
 * Roundup's handling of `__came_from`: the URL is checked to stay inside
 * the tracker (RUP_ERR_VALUE otherwise), then old `@ok_message` and
 * `@error_message` values and a `@action=logout` are dropped from its
 * query (fields without a value go too, as parse_qs drops them).
 */
function parseCameFrom(url: string, baseUrl: string): CameFrom {
  const clean = examineUrl(url, baseUrl);
  const hash = clean.indexOf('#');
  const fragment = hash < 0 ? '' : clean.slice(hash + 1);
  const beforeHash = hash < 0 ? clean : clean.slice(0, hash);
  const mark = beforeHash.indexOf('?');
  const prefix = mark < 0 ? beforeHash : beforeHash.slice(0, mark);
  const query = new Map<string, string[]>();
  for (const pair of mark < 0 ? [] : beforeHash.slice(mark + 1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const value = unquotePlus(pair.slice(eq + 1));
    if (value === '') continue;
    const name = unquotePlus(pair.slice(0, eq));
    const list = query.get(name);
    if (list) list.push(value);
    else query.set(name, [value]);
  }
  query.delete('@error_message');
  query.delete('@ok_message');
  const action = query.get('@action');
  if (action?.length === 1 && action[0] === 'logout') query.delete('@action');
  return { prefix, query, fragment };
}

/** The URL again, its query sorted by name and encoded as Python's `urlencode(..., doseq=True)`. */
function cameFromUrl(from: CameFrom, extra: Record<string, string> = {}): string {
  const query = new Map(from.query);
  for (const [name, value] of Object.entries(extra)) query.set(name, [value]);
  const names = [...query.keys()].sort();
  const encoded = names.flatMap((name) => query.get(name)!.map((v) => `${quotePlus(name)}=${quotePlus(v)}`)).join('&');
  return `${from.prefix}${encoded ? `?${encoded}` : ''}${from.fragment ? `#${from.fragment}` : ''}`;
}

function refuse(req: WebRequest, message: string, status: number, headers?: Record<string, string>): ActionOutcome {
  req.messages.error.push(message);
  return { kind: 'render', status, ...(headers ? { headers } : {}) };
}

/**
 * Logs the request's browser in as `username` (a new session; the cookie
 * lasts a year with `remember`). For actions that log a user in after
 * checking them themselves, such as confirming a registration. The
 * session is written at once in a transaction of its own: commit the
 * request's unit of work before calling this if it has written.
 */
export async function logInUser(req: WebRequest, username: string, options: { remember?: boolean } = {}): Promise<void> {
  await asWebSession(req.session).logIn(username, options);
}

async function login(req: WebRequest): Promise<ActionOutcome> {
  if (req.method.toUpperCase() !== 'POST') return refuse(req, 'Invalid request', 400);
  const name = req.form.get('__login_name');
  if (name === undefined) return refuse(req, 'Username required', 400);
  const password = req.form.get('__login_password') ?? '';

  let cameFrom: CameFrom | null = null;
  const cameFromField = req.form.get('__came_from');
  if (cameFromField !== undefined) {
    try {
      cameFrom = parseCameFrom(cameFromField, req.baseUrl);
    } catch (err) {
      if (!isRupError(err, 'RUP_ERR_VALUE')) throw err;
      return refuse(req, err.message, 400);
    }
  }

  const tracker = req.tracker;
  const tooFast = await countLoginAttempt(sessionServices(tracker), name, tracker.config.WEB_LOGIN_ATTEMPTS_MIN as number);
  if (tooFast) return refuse(req, tooFast.message, 429, tooFast.headers);

  const check = await checkLogin(req.db.system(), name, password, loginSettings(tracker.config));
  if (!check.ok) {
    if (cameFrom) return { kind: 'redirect', location: cameFromUrl(cameFrom, { '@error_message': check.message }) };
    return refuse(req, check.message, 403);
  }
  await logInUser(req, check.username, { remember: req.form.has('remember') });
  const welcome = `Welcome ${check.username}!`;
  if (cameFrom) return { kind: 'redirect', location: cameFromUrl(cameFrom, { '@ok_message': welcome }) };
  const page = `${req.target.classname ?? ''}${req.target.itemid ?? ''}`;
  return { kind: 'redirect', location: `${req.baseUrl}${page}?@ok_message=${pyQuote(welcome)}` };
}

/** The `login` action; POST only, and (as a form that changes state) CSRF-checked. */
export const loginAction: WebAction = {
  name: 'login',
  changesData: true,
  run: login,
};
