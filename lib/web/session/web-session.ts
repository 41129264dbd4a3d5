import { RupError } from '../../errors.js';
import type { SessionHandle } from '../web-types.js';
import { type CookieSettings, REMEMBER_ME_SECONDS, formatSessionCookie, parseCookieHeader } from './cookie.js';
import type { SessionServices } from './session-services.js';
import { type RecordData, newSessionId } from './session-store.js';

/**
 * Seconds a session's timestamp may age before a request refreshes it.
 * Roundup's rdbms store: "don't update every hit - once a minute should be
 * OK"; sessions expire after a week, so nothing observable changes.
 */
export const SESSION_REFRESH_SECONDS = 60;

/** The session key holding the logged-in user's name (Roundup's `user`). */
export const SESSION_USER_KEY = 'user';

/**
 * The browser's server-side session (Roundup's `Session` in
 * `roundup/cgi/client.py`): loaded from the session cookie at the start of
 * a request, written back at its end, with the `Set-Cookie` header the
 * changes call for. A browser without a session gets one only when
 * something is stored in it (logging in does).
 */
export class WebSession implements SessionHandle {
  private sid: string | null;
  private data: RecordData;
  private timestamp: number | null;
  private dirty = false;
  /** The cookie to send: a value (with its lifetime) or null to delete it; undefined sends none. */
  private cookie: { value: string | null; maxAge: number | null } | undefined;

  private constructor(
    private readonly services: SessionServices,
    readonly cookieSettings: CookieSettings,
    sid: string | null,
    data: RecordData,
    timestamp: number | null,
  ) {
    this.sid = sid;
    this.data = data;
    this.timestamp = timestamp;
  }

  /**
   * The session named by the request's session cookie. A cookie naming no
   * live session is deleted in the response (as Roundup does) and the
   * request goes on without a session.
   */
  static async load(services: SessionServices, settings: CookieSettings, cookieHeader: string | undefined): Promise<WebSession> {
    const sid = parseCookieHeader(cookieHeader).get(settings.name);
    if (sid === undefined) return new WebSession(services, settings, null, {}, null);
    const record = sid === '' ? null : await services.backend.sessions.get(sid, services.now());
    if (record) return new WebSession(services, settings, sid, { ...record.data }, record.timestamp);
    const session = new WebSession(services, settings, null, {}, null);
    session.cookie = { value: null, maxAge: null };
    return session;
  }

  get id(): string | null {
    return this.sid;
  }

  /** The logged-in user's name stored in the session, or null. */
  get username(): string | null {
    const user = this.data[SESSION_USER_KEY];
    return typeof user === 'string' && user !== '' ? user : null;
  }

  get(key: string): unknown {
    return this.data[key];
  }

  /** Stores a value (JSON-serialisable); written when the request ends. `undefined` removes the key. */
  set(key: string, value: unknown): void {
    if (value === undefined) delete this.data[key];
    else this.data[key] = value;
    this.dirty = true;
  }

  /** Ends the session: deletes its record and the cookie (Roundup's `Session.destroy`). */
  async destroy(): Promise<void> {
    this.cookie = { value: null, maxAge: null };
    this.data = {};
    this.dirty = false;
    this.timestamp = null;
    const sid = this.sid;
    this.sid = null;
    if (sid) await this.services.backend.sessions.destroy(sid);
  }

  /**
   * Makes the session belong to `username`, written at once. The session
   * gets a new id (an id known before logging in, perhaps planted by an
   * attacker, never becomes a logged-in session); the old record is
   * deleted. `remember` makes the cookie last a year (Roundup's "remember
   * me"), otherwise it ends with the browser session.
   */
  async logIn(username: string, options: { remember?: boolean } = {}): Promise<void> {
    const now = this.services.now();
    const sessions = this.services.backend.sessions;
    if (this.sid) await sessions.destroy(this.sid);
    this.sid = newSessionId();
    this.data = { ...this.data, [SESSION_USER_KEY]: username };
    await sessions.set(this.sid, this.data, now);
    this.timestamp = now;
    this.dirty = false;
    this.cookie = { value: this.sid, maxAge: options.remember ? REMEMBER_ME_SECONDS : null };
  }

  /**
   * Keeps a used session from expiring (Roundup's `Session.update()` on
   * every authenticated request), writing at most once a minute.
   */
  async refresh(): Promise<void> {
    if (!this.sid || this.timestamp === null) return;
    const now = this.services.now();
    if (now - this.timestamp < SESSION_REFRESH_SECONDS) return;
    await this.services.backend.sessions.touch(this.sid, now, SESSION_REFRESH_SECONDS);
    this.timestamp = now;
  }

  /**
   * Writes what `set` changed. A browser without a session gets a new one
   * and its cookie (ending with the browser session).
   */
  async save(): Promise<void> {
    if (!this.dirty) return;
    const now = this.services.now();
    if (!this.sid) {
      this.sid = newSessionId();
      this.cookie = { value: this.sid, maxAge: null };
    }
    await this.services.backend.sessions.set(this.sid, this.data, now);
    this.timestamp = now;
    this.dirty = false;
  }

  /** The `Set-Cookie` header values this request's session changes call for. */
  setCookieHeaders(): string[] {
    if (!this.cookie) return [];
    return [formatSessionCookie(this.cookieSettings, this.cookie.value, this.cookie.maxAge, this.services.now())];
  }
}

/**
 * The request's session as this module implements it; RUP_ERR_TRACKER when
 * the web layer handed the action some other SessionHandle (a wiring bug).
 */
export function asWebSession(handle: SessionHandle): WebSession {
  if (handle instanceof WebSession) return handle;
  throw new RupError('RUP_ERR_TRACKER', 'the request has no server-side session (the session middleware is not installed)');
}
