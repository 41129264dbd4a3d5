import type { Database } from '../hyperdb/database.js';

/**
 * The user an address belongs to (Roundup's `uidFromAddress` without its
 * create step): first a user whose primary `address` equals it, ignoring
 * case; else one listing it, as a whole line, in `alternate_addresses`.
 * Only active users count; null when nobody has it. Reads through the
 * unchecked view: finding the owner is the tracker's business, not a
 * search the requester makes. Shared by password reset and the mail
 * gateway.
 */
export async function userIdFromAddress(db: Database, address: string): Promise<string | null> {
  const users = db.system().getclass('user');
  const wanted = address.trim();
  if (!wanted) return null;
  const primary = await users.stringFind({ address: wanted });
  if (primary.length) return primary.sort((a, b) => Number(a) - Number(b))[0]!;
  if (!db.schema.getClass('user').properties.has('alternate_addresses')) return null;
  const lower = wanted.toLowerCase();
  // The filter is a substring match; keep only users listing the address on a line of its own.
  const candidates = (await users.filter(null, { alternate_addresses: wanted })).sort((a, b) => Number(a) - Number(b));
  for (const id of candidates) {
    const lines = String((await users.get(id, 'alternate_addresses')) ?? '').split('\n');
    if (lines.some((line) => line.trim().toLowerCase() === lower)) return id;
  }
  return null;
}
