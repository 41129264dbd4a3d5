/**
 * Completing a registration by mail (Roundup's `rego_confirm` and
 * `db.confirm_registration`): with `[main] email_registration_confirmation`
 * set, a reply to the registration mail whose subject keeps
 * `-- key <key>` creates the user the web registration kept under that
 * one-time key, with `[main] new_web_user_roles`, as the admin user.
 *
 * The keys and the record format are the web layer's (registration
 * actions and the session store), so the same key works by link and by
 * mail; the key is destroyed once the user exists.
 */

import { isRupError } from '../../errors.js';
import type { Tracker } from '../../tracker/tracker.js';
import { deserialiseProps, friendlierCreateError } from '../../web/actions/registration-common.js';
import { sessionServices } from '../../web/session/session-services.js';
import { MailUsageError } from './gateway-errors.js';

/** The one-time key store, as far as registration needs it. */
export interface RegistrationKeys {
  /** The data stored under `key`, or null when it is unknown or expired. */
  get(key: string): Promise<Record<string, unknown> | null>;
  /** Like get, destroying the key. */
  take(key: string): Promise<Record<string, unknown> | null>;
}

/** The tracker's one-time key store (the web layer's session store). */
export function trackerRegistrationKeys(tracker: Tracker): RegistrationKeys {
  return sessionServices(tracker).oneTimeKeys();
}

/** Errors of the new user's values that the sender should read (detector refusals, taken names, bad values). */
function isUserError(err: unknown): err is Error {
  return isRupError(err, 'RUP_ERR_REJECT') || isRupError(err, 'RUP_ERR_DUPLICATE_KEY') || isRupError(err, 'RUP_ERR_VALUE');
}

/**
 * Creates the user kept under `key` and commits; returns the new user's id.
 * @throws MailUsageError for an unknown, expired or used key, or a user
 *   that cannot be created ("Username 'x' already exists.", a detector's
 *   refusal); storage errors are passed on.
 */
export async function confirmRegistration(tracker: Tracker, keys: RegistrationKeys, key: string): Promise<string> {
  const record = await keys.get(key);
  if (!record || record.kind !== 'register' || typeof record.props !== 'object' || record.props === null) {
    throw new MailUsageError('\nThe registration key in your subject is not valid: it is unknown, has\nexpired or has been used already. Please register again.\n');
  }
  const stored = record.props as Record<string, unknown>;
  const db = await tracker.open({ username: 'admin' }, { checked: false });
  let userid: string;
  try {
    const props = deserialiseProps(db.schema.getClass('user'), stored);
    userid = await db.getclass('user').create({ ...props, roles: tracker.config.NEW_WEB_USER_ROLES as string });
    await db.commit();
  } catch (err) {
    await db.rollback();
    const shown = friendlierCreateError(err, stored.username);
    if (isUserError(shown)) throw new MailUsageError(`\nYour registration could not be completed:\n   ${shown.message}\n`, shown);
    throw shown;
  } finally {
    await db.close();
  }
  await keys.take(key);
  return userid;
}
