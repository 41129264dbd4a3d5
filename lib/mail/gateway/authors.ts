/**
 * Who a mail address belongs to, and registering the addresses nobody has
 * yet: Roundup's `uidFromAddress` and `extractUserFromList`, and the rule
 * of `get_author_id` that the gateway may create users only when the
 * Anonymous user holds both `Register` on user and `Email Access`.
 */

import { randomBytes } from 'node:crypto';
import { isRupError } from '../../errors.js';
import type { Database } from '../../hyperdb/database.js';
import type { MailAddress } from './mime-message.js';

/** When several users match, the first that is not `admin` or `anonymous` (Roundup's extractUserFromList). */
async function pickUser(db: Database, ids: readonly string[]): Promise<string | null> {
  if (ids.length <= 1) return ids[0] ?? null;
  const users = db.system().getclass('user');
  for (const id of ids) {
    const username = (await users.get(id, 'username')) as string | null;
    if (username !== 'admin' && username !== 'anonymous') return id;
  }
  return ids[0]!;
}

/**
 * The active user an address belongs to: the primary `address` (ignoring
 * case), else a whole line of `alternate_addresses` (ignoring case; a
 * substring does not count), else a `username` equal to the address (for
 * local senders without a domain). Null when nobody has it. Reads through
 * the unchecked view.
 */
export async function findUserByAddress(db: Database, address: string): Promise<string | null> {
  const wanted = address.trim();
  if (!wanted) return null;
  const users = db.system().getclass('user');
  const props = users.getprops();
  if (props.has('address')) {
    const primary = await pickUser(db, await users.stringFind({ address: wanted }));
    if (primary) return primary;
  }
  if (props.has('alternate_addresses')) {
    const lower = wanted.toLowerCase();
    const found: string[] = [];
    // The filter is a substring search: keep users listing the address on a line of its own.
    for (const id of await users.filter(null, { alternate_addresses: wanted }, { sort: [['+', 'id']] })) {
      const lines = String((await users.get(id, 'alternate_addresses')) ?? '').split('\n');
      if (lines.some((line) => line.trim().toLowerCase() === lower)) found.push(id);
    }
    const alternate = await pickUser(db, found);
    if (alternate) return alternate;
  }
  return pickUser(db, await users.stringFind({ username: wanted }));
}

/**
 * True when the gateway may register unknown senders and recipients: the
 * Anonymous user has `Register` on user and `Email Access`.
 */
export async function mayRegisterByMail(db: Database): Promise<boolean> {
  const anonymous = await anonymousId(db);
  if (anonymous === null) return false;
  const security = db.security;
  return (await security.hasPermission('Register', anonymous, 'user')) && (await security.hasPermission('Email Access', anonymous));
}

/** The id of the `anonymous` user, or null when the tracker has none. */
export async function anonymousId(db: Database): Promise<string | null> {
  try {
    return await db.system().getclass('user').lookup('anonymous');
  } catch (err) {
    if (isRupError(err, 'RUP_ERR_KEY_NOT_FOUND')) return null;
    throw err;
  }
}

/** A random password for a user registered by mail (they reset it to log in), as Roundup's generatePassword. */
function randomPassword(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * A user name for an address: its local part, with 1, 2, ... appended
 * until no active user has it (Roundup's rule).
 */
async function freeUsername(db: Database, address: string): Promise<string> {
  const base = address.includes('@') ? address.slice(0, address.indexOf('@')) : address;
  const users = db.system().getclass('user');
  const key = users.getkey();
  if (!key) return base;
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? base : `${base}${n}`;
    if ((await db.uow.lookupKey('user', key, candidate)) === null) return candidate;
  }
}

/**
 * The user of an address, registering a new one when `create` is true and
 * nobody has it (Roundup's uidFromAddress): user name from the local part,
 * `realname` from the header, roles `[main] new_email_user_roles`, a
 * random password, plus `extra` (the `-S user.` values). Registers
 * through the unchecked view of `db`, in its unit of work (uncommitted).
 * Returns null when nobody has the address and none may be made, or when
 * a detector refuses the new user (as Roundup, which then treats the
 * sender as anonymous).
 */
export async function userFromAddress(
  db: Database,
  from: MailAddress,
  options: { create: boolean; roles: string; extra?: Record<string, unknown> },
): Promise<string | null> {
  const existing = await findUserByAddress(db, from.address);
  if (existing !== null || !options.create) return existing;
  const address = from.address.trim();
  if (!address) return null;
  const users = db.system().getclass('user');
  const props = users.getprops();
  const values: Record<string, unknown> = { username: await freeUsername(db, address) };
  if (props.has('address')) values.address = address;
  if (props.has('realname') && from.name) values.realname = from.name;
  if (props.has('roles')) values.roles = options.roles;
  if (props.has('password')) values.password = await db.encodePassword(randomPassword());
  Object.assign(values, options.extra ?? {});
  try {
    return await users.create(values);
  } catch (err) {
    if (isRupError(err, 'RUP_ERR_REJECT')) return null;
    throw err;
  }
}
