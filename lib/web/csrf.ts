import type { IncomingHttpHeaders } from 'node:http';
import { debuglog } from 'node:util';
import type { Tracker } from '../tracker/tracker.js';
import { CsrfSigner, type TokenClaims, newSigningKey } from './csrf-token.js';
import { type SessionServices, sessionServices } from './session/session-services.js';
import { RECORD_EXPIRY_SECONDS } from './session/session-store.js';
import type { FormData } from './web-types.js';

/**
 * Cross-site request forgery protection as Roundup does it
 * (`Client.handle_csrf` in `roundup/cgi/client.py`, `anti_csrf_nonce` in
 * `roundup/cgi/templating.py`):
 *
 * - forms carry an `@csrf` token bound to the user and the session it was
 *   issued for, valid `[web] csrf_token_lifetime` minutes and used up by
 *   the first request that presents it (a signed token, csrf-token.ts:
 *   issuing one stores nothing, using one records its nonce);
 * - a POST (PUT, DELETE, PATCH) must also pass header checks: Referer
 *   inside the tracker, Origin the tracker's, X-Forwarded-Host (or else
 *   Host) the tracker's host, each at its `csrf_enforce_header_*` level,
 *   and at least `csrf_header_min_count` of them;
 * - a token sent with a GET (or HEAD, OPTIONS) has been exposed in a URL:
 *   it is destroyed and the fact logged;
 * - `use_tokenless_csrf_protection` replaces all that with a check of the
 *   Sec-Fetch-Site and Origin headers, and forms get the token "0".
 */

/** Roundup's message for a missing (when required), unknown, expired, used or mismatched token. */
export const CSRF_FAILURE = "We can't validate your session (csrf failure). Re-enter any unsaved data and try again.";

/** Enforcement levels of the `csrf_enforce_*` options. */
export type CsrfLevel = 'required' | 'yes' | 'logfailure' | 'no';

/** Writes what the checks find (Roundup logs errors and, for `logfailure`, warnings). */
export type CsrfLog = (level: 'error' | 'warning', message: string) => void;

const debug = debuglog('rup:csrf');
const defaultLog: CsrfLog = (level, message) => debug('%s: %s', level, message);

/** What the check needs to know of a request. */
export interface CsrfRequest {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  /** Query-string and body fields. */
  readonly form: FormData;
  /** The tracker's base URL, ending in `/` (`[tracker] web`). */
  readonly baseUrl: string;
  /** The user making the request. */
  readonly userid: string;
  /** The request's session id, null without a session. */
  readonly sessionId: string | null;
  /** REST or XML-RPC: header checks (with X-Requested-With and `allowed_api_origins`) but no tokens. */
  readonly api?: boolean;
}

/**
 * The verdict: go on, or refuse with the message to show. The status is
 * 400 where Roundup raises a UsageError (token problems, too few headers)
 * and 403 where it raises Unauthorised (a header that fails its check).
 */
export type CsrfVerdict = { ok: true } | { ok: false; status: 400 | 403; message: string };

const OK: CsrfVerdict = { ok: true };
/** Methods that may change data; Roundup checks POST, PUT and DELETE, PATCH belongs with them. */
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `scheme://host[:port]` of an absolute URL. */
function originOf(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)/i.exec(url);
  return m ? m[1]! : url;
}

/**
 * Checks a request. Call it for every request of the HTML interface
 * before any action runs (GET requests too: that is when exposed tokens
 * are destroyed), and run the action only on `ok`. A token presented is
 * used up whatever the verdict. Must not be called while this process's
 * write transaction is held (see sql-session-store.ts).
 */
export async function verifyCsrf(tracker: Tracker, req: CsrfRequest, log: CsrfLog = defaultLog): Promise<CsrfVerdict> {
  const config = tracker.config;
  const method = req.method.toUpperCase();

  if (!UNSAFE_METHODS.has(method)) {
    const key = req.form.get('@csrf');
    // A token in a URL may have leaked (history, logs, Referer): destroy it and say where it came from.
    if (key !== undefined && !(config.WEB_USE_TOKENLESS_CSRF_PROTECTION as boolean) && (await useToken(tracker, key))) {
      log('error', `csrf key used with wrong method from: ${header(req.headers, 'referer') ?? 'Referer header not available.'}`);
    }
    return OK;
  }
  if (config.WEB_USE_TOKENLESS_CSRF_PROTECTION as boolean) return tokenlessCheck(req, config.WEB_ALLOWED_API_ORIGINS as string[], log);

  const headerVerdict = checkHeaders(req, (name) => config[`WEB_CSRF_ENFORCE_HEADER_${name}`] as CsrfLevel, {
    minCount: config.WEB_CSRF_HEADER_MIN_COUNT as number,
    allowedApiOrigins: config.WEB_ALLOWED_API_ORIGINS as string[],
    log,
  });
  if (!headerVerdict.ok || req.api) return headerVerdict;

  const enforce = config.WEB_CSRF_ENFORCE_TOKEN as CsrfLevel;
  const user = req.userid;
  const key = req.form.get('@csrf');
  let nonceUser: unknown = null;
  let nonceSession: unknown = null;
  if (key !== undefined) {
    // Used or not, a presented token is gone: it cannot be replayed.
    const claims = await useToken(tracker, key);
    nonceUser = claims?.userid ?? null;
    nonceSession = claims?.session ?? null;
  } else if (enforce === 'required') {
    log('error', `Required csrf field missing for user${user}`);
    return { ok: false, status: 400, message: CSRF_FAILURE };
  } else if (enforce === 'logfailure') {
    log('warning', `csrf field not supplied by user${user}`);
  } else {
    return OK;
  }
  // Sessions appear in logs by fingerprint: a session id is a credential.
  const session = (await signerOf(sessionServices(tracker))).sessionTag(req.sessionId);
  if (user !== nonceUser) {
    const detail = `current user ${user} != stored user ${String(nonceUser)}, current session, stored session: ${session},${String(nonceSession)} for key ${key}.`;
    if (enforce === 'required' || enforce === 'yes') {
      log('error', `Csrf mismatch user: ${detail}`);
      return { ok: false, status: 400, message: CSRF_FAILURE };
    }
    if (enforce === 'logfailure') log('warning', `logged only: Csrf mismatch user: ${detail}`);
  }
  if (session !== nonceSession) {
    const detail = `current session ${session} != stored session ${String(nonceSession)}, current user/stored user is: ${user} for key ${key}.`;
    if (enforce === 'required' || enforce === 'yes') {
      log('error', `Csrf mismatch user: ${detail}`);
      return { ok: false, status: 400, message: CSRF_FAILURE };
    }
    if (enforce === 'logfailure') log('warning', `logged only: Csrf mismatch user: ${detail}`);
  }
  return OK;
}

/** The header checks of Roundup's handle_csrf, in its order. */
function checkHeaders(
  req: CsrfRequest,
  level: (name: string) => CsrfLevel,
  options: { minCount: number; allowedApiOrigins: readonly string[]; log: CsrfLog },
): CsrfVerdict {
  const { headers, baseUrl: base, userid: user } = req;
  const log = options.log;
  for (const name of ['ORIGIN', 'REFERER', 'X-FORWARDED-HOST', 'HOST']) {
    if (level(name) === 'required' && header(headers, name.toLowerCase()) === undefined) {
      log('error', `csrf header ${name} required but missing for user${user}.`);
      return { ok: false, status: 403, message: `Missing header: ${name}` };
    }
  }
  let passed = 0;
  /** One header check: counts a pass; on a failure refuses (required, yes) or logs (logfailure). */
  const judge = (name: string, label: string, value: string, good: boolean, message: string): CsrfVerdict | null => {
    if (good) {
      passed++;
      return null;
    }
    const enforce = level(name);
    if (enforce === 'required' || enforce === 'yes') {
      log('error', `csrf ${label} header check failed for user${user}. Value=${value}`);
      return { ok: false, status: 403, message };
    }
    if (enforce === 'logfailure') log('warning', `csrf ${label} header check failed for user${user}. Value=${value}`);
    return null;
  };

  const referer = header(headers, 'referer');
  if (referer !== undefined && level('REFERER') !== 'no') {
    const verdict = judge('REFERER', 'Referer', referer, referer.startsWith(base), `Invalid Referer ${referer}, ${base}`);
    if (verdict) return verdict;
  }
  const origin = header(headers, 'origin');
  if (origin !== undefined && level('ORIGIN') !== 'no') {
    const allowed = options.allowedApiOrigins;
    const good = base.startsWith(`${origin}/`) || (!!req.api && (allowed.includes(origin) || allowed[0] === '*'));
    const verdict = judge('ORIGIN', 'Origin', origin, good, `Invalid Origin ${origin}`);
    if (verdict) return verdict;
  }
  // Behind a proxy the Host header names the inner host: X-Forwarded-Host replaces it.
  const forwarded = header(headers, 'x-forwarded-host');
  const [hostName, hostLabel, hostValue] =
    forwarded !== undefined ? ['X-FORWARDED-HOST', 'X-FORWARDED-HOST', forwarded] : ['HOST', 'HOST', header(headers, 'host')];
  if (hostValue !== undefined && level(hostName) !== 'no') {
    // `://host/` right after http or https: the tracker's host and port exactly.
    const at = base.indexOf(`://${hostValue}/`);
    const verdict = judge(hostName, hostLabel, hostValue, at === 4 || at === 5, `Invalid ${hostLabel} ${hostValue}`);
    if (verdict) return verdict;
  }
  if (passed < options.minCount) {
    log('error', 'Csrf: unable to verify sufficient headers');
    return { ok: false, status: 400, message: 'Unable to verify sufficient headers' };
  }
  if (req.api) {
    const enforce = level('X-REQUESTED-WITH');
    if ((enforce === 'required' || enforce === 'yes') && header(headers, 'x-requested-with') === undefined) {
      log('error', `csrf X-REQUESTED-WITH xmlrpc required header check failed for user${user}.`);
      return { ok: false, status: 400, message: 'Required Header Missing' };
    }
  }
  return OK;
}

/**
 * Tokenless protection (`use_tokenless_csrf_protection`), the rule modern
 * browsers allow: a state-changing request is accepted when Sec-Fetch-Site
 * says same-origin or none (typed by the user), when the browser sends
 * neither Sec-Fetch-Site nor Origin (not a browser, or a very old one),
 * when the Origin's host is the Host the request was sent to, or when the
 * Origin is the tracker's or one of `allowed_api_origins`.
 */
function tokenlessCheck(req: CsrfRequest, allowedOrigins: readonly string[], log: CsrfLog): CsrfVerdict {
  const trusted = new Set([originOf(req.baseUrl), ...allowedOrigins.filter((o) => o !== '*')]);
  const origin = header(req.headers, 'origin');
  const site = header(req.headers, 'sec-fetch-site');
  if (site !== undefined && site !== '') {
    if (site === 'same-origin' || site === 'none') return OK;
    if (origin !== undefined && trusted.has(origin)) return OK;
    log('error', `cross-origin request refused for user${req.userid}: Sec-Fetch-Site=${site}, Origin=${origin ?? ''}`);
    return { ok: false, status: 403, message: `Cross-origin request refused (Sec-Fetch-Site: ${site})` };
  }
  if (origin === undefined) return OK;
  const originHost = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(origin)?.[1];
  if (originHost !== undefined && originHost === header(req.headers, 'host')) return OK;
  if (trusted.has(origin)) return OK;
  log('error', `cross-origin request refused for user${req.userid}: Origin=${origin}`);
  return { ok: false, status: 403, message: `Invalid Origin ${origin}` };
}

/** The one-time-key record holding the tracker's token signing key (shared by every process). */
export const SIGNING_KEY_RECORD = 'csrf_signing_key';

/** The one-time-key record that marks the token with this nonce used. */
function usedRecord(nonce: string): string {
  return `csrf_used_${nonce}`;
}

const signers = new WeakMap<SessionServices, Promise<CsrfSigner>>();

/**
 * The signer of a tracker's tokens. Its key lives in the one-time-key
 * store, made by whichever process needs it first, so tokens a page from
 * one process hands out are good in every other (CGI, several servers).
 */
function signerOf(services: SessionServices): Promise<CsrfSigner> {
  let signer = signers.get(services);
  if (!signer) {
    signer = (async () => {
      const now = services.now();
      // A record of its own lifetime would expire: this one is dated a century ahead.
      const update = await services.backend.otks.update(SIGNING_KEY_RECORD, now, (current) =>
        typeof current?.data.key === 'string' ? current : { data: { key: newSigningKey().toString('base64') }, timestamp: now + 100 * 365 * 86400 },
      );
      return new CsrfSigner(Buffer.from(String(update!.data.key), 'base64'));
    })();
    signer.catch(() => signers.delete(services));
    signers.set(services, signer);
  }
  return signer;
}

/**
 * Uses up a presented token: its claims when it is genuine, unexpired and
 * not used before (by any process), null otherwise. Its nonce is recorded
 * until the token would have expired anyway.
 */
async function useToken(tracker: Tracker, token: string): Promise<TokenClaims | null> {
  const services = sessionServices(tracker);
  const claims = (await signerOf(services)).open(token);
  const now = services.now();
  if (!claims || claims.expires < now) return null;
  let fresh = false;
  await services.backend.otks.update(usedRecord(claims.nonce), now, (current) => {
    if (current) return current;
    fresh = true;
    return { data: {}, timestamp: claims.expires - RECORD_EXPIRY_SECONDS };
  });
  return fresh ? claims : null;
}

/**
 * Hands out the `@csrf` tokens of a tracker's forms (Roundup's
 * `utils.anti_csrf_nonce(lifetime)`). Templates render synchronously:
 * `prepare` loads the signing key once, then `issue` answers at once.
 */
export class CsrfTokens {
  private signer: CsrfSigner | null = null;

  constructor(private readonly tracker: Tracker) {}

  /** Loads what `issue` needs (once per process). */
  async prepare(): Promise<void> {
    this.signer ??= await signerOf(sessionServices(this.tracker));
  }

  /**
   * A new token for this user and session, valid for `lifetimeMinutes`
   * (default `[web] csrf_token_lifetime`); "0" with tokenless protection,
   * as Roundup.
   * @throws Error when `prepare` has not finished (a wiring bug).
   */
  issue(userid: string, sessionId: string | null, lifetimeMinutes?: number): string {
    const config = this.tracker.config;
    if (config.WEB_USE_TOKENLESS_CSRF_PROTECTION as boolean) return '0';
    if (!this.signer) throw new Error('CsrfTokens.issue called before prepare()');
    const minutes = lifetimeMinutes ?? (config.WEB_CSRF_TOKEN_LIFETIME as number);
    return this.signer.issue(userid, sessionId, sessionServices(this.tracker).now() + minutes * 60);
  }
}

/** Issues one token (for code outside page rendering). */
export async function issueCsrfToken(tracker: Tracker, userid: string, sessionId: string | null, lifetimeMinutes?: number): Promise<string> {
  const tokens = new CsrfTokens(tracker);
  await tokens.prepare();
  return tokens.issue(userid, sessionId, lifetimeMinutes);
}
