/**
 * `history designator [skipquiet] [raw]`: an item's journal, one line per
 * entry in Roundup's wording (`admin(2026-11-21.13:55:52) set status was
 * unread(1); title was 'first issue'`), or with `raw` the Python repr of
 * the journal tuples.
 */
import type { Database } from '../../hyperdb/database.js';
import type { HyperClass } from '../../hyperdb/hyper-class.js';
import type { JournalEntry } from '../../hyperdb/journal.js';
import { type AdminCommand, UsageError } from '../command.js';
import { dateRepr, pythonRepr, pythonStr, pythonTupleRepr } from '../python-str.js';
import { designator, getClass, println, requireArgs } from './common.js';

export const historyCommand: AdminCommand = {
  name: 'history',
  needsTracker: true,
  help: `Usage: history designator [skipquiet] [raw]
Show the history entries of a designator.

A designator is a classname and a nodeid concatenated,
eg. bug1, user10, ...

Lists the journal entries viewable by the user for the node
identified by the designator. If skipquiet is added, journal
entries for quiet properties are not shown. If raw is added,
the output is the raw representation of the journal entries.`,
  async run(ctx, args) {
    requireArgs(args, 1);
    const [classname, itemid] = designator(args[0]!);
    const unexpected = args.slice(1).filter((a) => a !== 'skipquiet' && a !== 'raw');
    if (unexpected.length) throw new UsageError(`Unexpected argument(s): ${unexpected.join(', ')}. Expected 'skipquiet' or 'raw'.`);
    const db = await ctx.db();
    const cls = getClass(db, classname);
    if (!(await cls.hasnode(itemid))) throw new UsageError(`no such ${classname} node "${itemid}"`);
    const entries = await cls.history(itemid, { skipquiet: args.includes('skipquiet') });
    if (args.includes('raw')) {
      println(ctx, `[${entries.map((e) => rawEntry(cls, e)).join(', ')}]`);
      return;
    }
    const formatter = new EntryFormatter(db, cls);
    const lines: string[] = [];
    for (const entry of entries) lines.push(await formatter.line(entry));
    println(ctx, lines.join('\n'));
  },
};

/** One journal tuple as Python prints it: `(1, <Date ...>, '1', 'set', {'title': 'old'})` (the id is an integer, as the SQL backends return it). */
function rawEntry(cls: HyperClass, entry: JournalEntry): string {
  return pythonTupleRepr([entry.nodeid, dateRepr(entry.date), pythonRepr(entry.userid), pythonRepr(entry.action), rawParams(cls, entry)]);
}

function rawParams(cls: HyperClass, entry: JournalEntry): string {
  const params = entry.params;
  if (Array.isArray(params)) return pythonTupleRepr(params.map((p) => pythonRepr(p)));
  if (params === null || typeof params !== 'object') return pythonRepr(params);
  const items = Object.entries(params).map(([key, value]) => {
    const prop = cls.def.properties.get(key);
    let text: string;
    if (isMultilinkChange(value)) text = pythonTupleRepr(value.map(([op, ids]) => pythonTupleRepr([pythonRepr(op), pythonRepr(ids)])));
    else if (typeof value === 'number' && prop?.kind === 'Number') text = pythonStr(value, prop);
    else text = pythonRepr(value);
    return `${pythonRepr(key)}: ${text}`;
  });
  return `{${items.join(', ')}}`;
}

type MultilinkChange = Array<['+' | '-', string[]]>;

function isMultilinkChange(value: unknown): value is MultilinkChange {
  return Array.isArray(value) && value.length > 0 && value.every((v) => Array.isArray(v) && v.length === 2 && (v[0] === '+' || v[0] === '-') && Array.isArray(v[1]));
}

/** Turns journal entries into Roundup's readable lines, looking up the labels of linked items. */
class EntryFormatter {
  private readonly usernames = new Map<string, string>();

  constructor(
    private readonly db: Database,
    private readonly cls: HyperClass,
  ) {}

  async line(entry: JournalEntry): Promise<string> {
    return `${await this.username(entry.userid)}(${entry.date.toString()}) ${entry.action} ${await this.details(entry)}`;
  }

  private async username(userid: string): Promise<string> {
    let name = this.usernames.get(userid);
    if (name === undefined) {
      const users = this.db.hasClass('user') ? this.db.getclass('user') : null;
      // A journal may name a user that no longer exists; show the id then.
      name = users && (await users.hasnode(userid)) ? pythonStr(await users.get(userid, 'username')) : userid;
      this.usernames.set(userid, name);
    }
    return name;
  }

  private async details(entry: JournalEntry): Promise<string> {
    const params = entry.params;
    switch (entry.action) {
      case 'create':
      case 'retired':
      case 'restored':
        return this.cls.classname;
      case 'link':
        if (Array.isArray(params)) return `added ${params[0]}${params[1]} to ${params[2]}`;
        break;
      case 'unlink':
        if (Array.isArray(params)) return `removed ${params[0]}${params[1]} from ${params[2]}`;
        break;
      case 'set':
        if (params && !Array.isArray(params)) return this.setDetails(params);
        break;
    }
    // Anything else is printed as Python prints the parameters.
    return Array.isArray(params) ? pythonTupleRepr(params.map((p) => pythonRepr(p))) : pythonRepr(params);
  }

  /** `status was unread(1); title was 'first issue'; modified nosy: added: demo(3)` (the values are the old ones). */
  private async setDetails(params: Record<string, unknown>): Promise<string> {
    const parts: string[] = [];
    for (const [prop, value] of Object.entries(params)) {
      if (isMultilinkChange(value)) {
        const how: string[] = [];
        for (const [op, ids] of value) how.push(`${op === '+' ? 'added' : 'removed'}: ${(await this.linkList(prop, ids)).join(', ')}`);
        parts.push(`modified ${prop}: ${how.join(', ')}`);
      } else if (typeof value === 'string' && this.cls.def.properties.get(prop)?.kind !== 'Password') {
        const name = await this.labelOf(prop, value);
        parts.push(name ? `${prop} was ${name}(${value})` : `${prop} was ${pythonRepr(value)}`);
      } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
        parts.push(`${prop} was [${(await this.linkList(prop, value as string[])).join(', ')}]`);
      } else {
        parts.push(`${prop} was ${pythonStr(value, this.cls.def.properties.get(prop))}`);
      }
    }
    return parts.join('; ');
  }

  /** Linked ids as `name(id)` when the target has a label other than id or title, else as designators, else bare. */
  private async linkList(prop: string, ids: readonly string[]): Promise<string[]> {
    if (!ids.length) return [];
    if ((await this.labelOf(prop, ids[0]!)) !== null) {
      const out: string[] = [];
      for (const id of ids) out.push(`${pythonStr(await this.labelOf(prop, id))}(${id})`);
      return out;
    }
    const target = this.targetOf(prop);
    return target ? ids.map((id) => target + id) : [...ids];
  }

  private targetOf(prop: string): string | null {
    const p = this.cls.def.properties.get(prop);
    return p && (p.kind === 'Link' || p.kind === 'Multilink') ? p.target : null;
  }

  /**
   * Roundup's get_prop_name: the label of a linked item, when the property
   * is a Link or Multilink whose class labels items by something other
   * than id or title (a title is too long for a history line); null
   * otherwise, or when the item is gone.
   */
  private async labelOf(prop: string, id: string): Promise<string | null> {
    const target = this.targetOf(prop);
    if (!target || !this.db.hasClass(target)) return null;
    const linked = this.db.getclass(target);
    const label = linked.labelprop(true);
    if (label === 'id' || label === 'title' || !(await linked.hasnode(id))) return null;
    const value = await linked.get(id, label);
    return value === null ? null : pythonStr(value, linked.def.properties.get(label));
  }
}
