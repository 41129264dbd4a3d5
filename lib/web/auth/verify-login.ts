import { isRupError } from '../../errors.js';
import type { Database } from '../../hyperdb/database.js';
import { hashPassword, verifyPassword } from '../../hyperdb/password.js';
import { randomBytes } from 'node:crypto';

/**
 * Checking a user name and password the way Roundup's web login does
 * (`LoginAction.verifyLogin` / `verifyPassword` in
 * `roundup/cgi/actions.py`), shared by the login form and HTTP Basic
 * authentication.
 */

/** Roundup's message for a wrong user name or a wrong password: one message, so names cannot be probed. */
export const INVALID_LOGIN = 'Invalid login';
/** Roundup's message for a right password of a user without Web Access. */
export const NO_LOGIN_PERMISSION = 'You do not have permission to login';

/** The outcome of a login check. */
export type LoginCheck = { ok: true; userid: string; username: string } | { ok: false; message: string };

/** The tracker settings a login check uses. */
export interface LoginSettings {
  /** `[web] migrate_passwords`. */
  migratePasswords: boolean;
  /** `[web] login_empty_passwords`. */
  loginEmptyPasswords: boolean;
  /** `[main] password_pbkdf2_default_rounds`. */
  rounds: number;
}

/** The login settings of a tracker's configuration. */
export function loginSettings(config: { [key: string]: unknown }): LoginSettings {
  return {
    migratePasswords: config.WEB_MIGRATE_PASSWORDS as boolean,
    loginEmptyPasswords: config.WEB_LOGIN_EMPTY_PASSWORDS as boolean,
    rounds: config.PASSWORD_PBKDF2_DEFAULT_ROUNDS as number,
  };
}

/** A hash of a random password per rounds setting, checked against for unknown users so they take as long as known ones. */
const decoys = new Map<number, Promise<string>>();

function decoyHash(rounds: number): Promise<string> {
  let hash = decoys.get(rounds);
  if (!hash) {
    hash = hashPassword(randomBytes(16).toString('hex'), { rounds });
    decoys.set(rounds, hash);
  }
  return hash;
}

/** The id of the active user with this name, or null. */
export async function findUser(db: Database, username: string): Promise<string | null> {
  // `@current_user` is a lookup alias for the acting user, never a login name.
  if (username === '@current_user') return null;
  try {
    return await db.getclass('user').lookup(username);
  } catch (err) {
    if (isRupError(err, 'RUP_ERR_KEY_NOT_FOUND')) return null;
    throw err;
  }
}

/**
 * Checks `password` for `username` and that the user may use the web
 * interface ("Web Access"). `db` must be unchecked (a unit of work's
 * `system()` view). A password stored with an outdated scheme or too few
 * rounds is re-hashed when `migratePasswords` is set, and `db` is committed
 * then (as Roundup's verifyPassword does), so the caller must not hold
 * uncommitted work in it. An empty stored password only matches an empty
 * one, and only with `loginEmptyPasswords`. A stored value that cannot be
 * checked (unknown scheme, malformed hash) counts as a wrong password.
 */
export async function checkLogin(db: Database, username: string, password: string, settings: LoginSettings): Promise<LoginCheck> {
  const userid = await findUser(db, username);
  if (userid === null) {
    // Spend the time a real check takes, so an unknown name cannot be told from a wrong password.
    await verifyPassword(await decoyHash(settings.rounds), password, { rounds: settings.rounds });
    return { ok: false, message: INVALID_LOGIN };
  }
  const users = db.getclass('user');
  const stored = users.def.properties.has('password') ? ((await users.get(userid, 'password')) as string | null) : null;
  if (!(await passwordMatches(db, userid, stored, password, settings))) return { ok: false, message: INVALID_LOGIN };
  if (!(await db.security.hasPermission('Web Access', userid))) return { ok: false, message: NO_LOGIN_PERMISSION };
  return { ok: true, userid, username: (await users.get(userid, 'username')) as string };
}

async function passwordMatches(db: Database, userid: string, stored: string | null, given: string, settings: LoginSettings): Promise<boolean> {
  if (stored === null || stored === '') return given === '' && settings.loginEmptyPasswords;
  let result;
  try {
    result = await verifyPassword(stored, given, { rounds: settings.rounds });
  } catch (err) {
    if (isRupError(err, 'RUP_ERR_VALUE')) return false;
    throw err;
  }
  if (result.ok && result.needsMigration && settings.migratePasswords) {
    await db.getclass('user').set(userid, { password: await hashPassword(given, { rounds: settings.rounds }) });
    await db.commit();
  }
  return result.ok;
}
