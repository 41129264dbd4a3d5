import type { DateTime } from './date.js';

/**
 * Journal entries, as Roundup records them:
 * - `create`: params `{}`;
 * - `set`: params map each changed property to its OLD value; a Multilink
 *   change is a list of `['+', ids]` / `['-', ids]` pairs (Roundup's
 *   tuples of ('+', [ids]) / ('-', [ids]));
 * - `link` / `unlink`: params `[classname, itemid, property]`, recorded on
 *   the item pointed at;
 * - `retired` / `restored`: params null.
 */
export type JournalAction = 'create' | 'set' | 'link' | 'unlink' | 'retired' | 'restored';

export type MultilinkChange = Array<['+' | '-', string[]]>;
export type JournalParams = Record<string, unknown> | [string, string, string] | null;

export interface JournalEntry {
  nodeid: string;
  date: DateTime;
  userid: string;
  action: JournalAction | string;
  params: JournalParams;
}
