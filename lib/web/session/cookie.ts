import type { Tracker } from '../../tracker/tracker.js';

/**
 * The session cookie as Roundup sets it (`Client.add_cookie` and
 * `Client.header` in `roundup/cgi/client.py`): named after the tracker,
 * limited to the tracker's path, HttpOnly, SameSite from
 * `[web] samesite_cookie_setting` (left out for `None`), Secure when the
 * tracker URL is https; a browser-session cookie unless "remember me"
 * asked for an expiry.
 */

/** How long a "remember me" cookie lasts (Roundup: one year). */
export const REMEMBER_ME_SECONDS = 365 * 24 * 3600;

/** Everything that shapes the session cookie of one tracker at one base URL. */
export interface CookieSettings {
  readonly name: string;
  /** The tracker's path, ending in `/` (`/demo/`). */
  readonly path: string;
  readonly secure: boolean;
  readonly sameSite: 'Strict' | 'Lax' | 'None';
}

/**
 * Roundup's cookie name: `roundup_session_` and the tracker name with every
 * character but ASCII letters removed, with the `__Secure-` prefix when the
 * tracker is served over https (browsers then only accept it as Secure).
 */
export function sessionCookieName(trackerName: string, secure: boolean): string {
  const name = `roundup_session_${trackerName.replace(/[^a-zA-Z]/g, '')}`;
  return secure ? `__Secure-${name}` : name;
}

/**
 * The cookie settings for a tracker reached at `baseUrl` (absolute, ending
 * in `/`), mounted at `basePath`.
 */
export function cookieSettings(tracker: Tracker, baseUrl: string, basePath: string): CookieSettings {
  const secure = baseUrl.toLowerCase().startsWith('https:');
  return {
    name: sessionCookieName(tracker.name, secure),
    path: basePath,
    secure,
    sameSite: tracker.config.WEB_SAMESITE_COOKIE_SETTING as CookieSettings['sameSite'],
  };
}

/** An HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`) for seconds since the epoch. */
function httpDate(seconds: number): string {
  return new Date(Math.floor(seconds) * 1000).toUTCString();
}

/**
 * The `Set-Cookie` value. `value` null deletes the cookie (an expiry in the
 * past, as Roundup does); `maxAgeSeconds` null makes a cookie that ends
 * with the browser session.
 */
export function formatSessionCookie(settings: CookieSettings, value: string | null, maxAgeSeconds: number | null, now: number): string {
  const parts = [`${settings.name}=${value ?? ''}`, `Path=${settings.path}`];
  if (value === null) parts.push(`Expires=${httpDate(now - 1)}`);
  else if (maxAgeSeconds !== null) parts.push(`Expires=${httpDate(now + maxAgeSeconds)}`);
  if (settings.secure) parts.push('Secure');
  if (settings.sameSite !== 'None') parts.push(`SameSite=${settings.sameSite}`);
  parts.push('HttpOnly');
  return parts.join('; ');
}

/**
 * The cookies of a `Cookie` header. Malformed pairs are skipped rather than
 * failing the request (Roundup's `LiberalCookie`: other applications on the
 * same host may set cookies that break strict parsers); the first value of
 * a repeated name wins, which is the one with the most specific path.
 */
export function parseCookieHeader(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}
