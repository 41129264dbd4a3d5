import { DateTime } from '../../hyperdb/date.js';
import { Interval } from '../../hyperdb/interval.js';
import type { JournalEntry, MultilinkChange } from '../../hyperdb/journal.js';
import type { ClassDef } from '../../hyperdb/schema.js';
import { escapeHtml } from './html.js';
import type { Views } from './views.js';

/** One argument of a history entry: `status: open` (with a link for Links). */
export interface HistoryArg {
  name: string;
  value: string;
  /** The linked item's address, for Link and Multilink values. */
  href?: string;
  /** Multilink changes: `+` added, `-` removed. */
  change?: '+' | '-';
}

/** One journal entry as pages show it. */
export interface HistoryEntry {
  /** In the user's zone: `2024-03-01.14:05:00`. */
  date: string;
  /** ISO 8601 (UTC), for `<time datetime>`. */
  iso: string;
  userid: string;
  /** The user's name (their label). */
  user: string;
  /** create, set, link, unlink, retired, restored. */
  action: string;
  args: HistoryArg[];
}

/**
 * Journal entries as data (Roundup's history()): `set` entries list the
 * OLD values of the properties that changed (Links by the label of the
 * linked item, Multilink changes as `+`/`-` lists), `link`/`unlink`
 * entries name the item and property that pointed here. The loader has
 * already dropped what the user may not see and loaded the names used.
 */
export function historyEntries(views: Views, def: ClassDef, entries: readonly JournalEntry[], ascending: boolean): HistoryEntry[] {
  const data = views.data;
  const base = views.settings.base;
  // Roundup's history names linked items by label, or by designator when the class has none.
  const linkLabel = (classname: string, id: string): string => data.label(classname, id, `${classname}${id}`);
  const out = entries.map((entry): HistoryEntry => {
    const args: HistoryArg[] = [];
    const params = entry.params;
    if ((entry.action === 'link' || entry.action === 'unlink') && Array.isArray(params)) {
      const [classname, itemid, prop] = params;
      args.push({ name: prop, value: `${classname}${itemid}`, href: `${base}${classname}${itemid}` });
    } else if (entry.action === 'set' && params && !Array.isArray(params)) {
      for (const [name, old] of Object.entries(params)) {
        const prop = def.properties.get(name);
        if (prop?.kind === 'Link' && typeof old === 'string') {
          args.push({ name, value: linkLabel(prop.target, old), href: `${base}${prop.target}${old}` });
        } else if (prop?.kind === 'Multilink' && Array.isArray(old)) {
          for (const [change, ids] of old as MultilinkChange) {
            for (const id of ids) args.push({ name, change, value: linkLabel(prop.target, id), href: `${base}${prop.target}${id}` });
          }
        } else {
          args.push({ name, value: valueText(old, views) });
        }
      }
    }
    return {
      date: entry.date.pretty('%Y-%m-%d.%H:%M:%S', data.timezone),
      iso: new Date(entry.date.epochMs).toISOString(),
      userid: entry.userid,
      user: entry.userid ? data.label('user', entry.userid) : '',
      action: entry.action,
      args,
    };
  });
  return ascending ? out : out.reverse();
}

function valueText(value: unknown, views: Views): string {
  if (value === null || value === undefined) return '';
  if (value instanceof DateTime) return value.pretty('%Y-%m-%d.%H:%M:%S', views.data.timezone);
  if (value instanceof Interval) return value.toString();
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}

/** The entries as Roundup's history table: Date, User, Action, Args. */
export function historyTable(entries: readonly HistoryEntry[]): string {
  const rows = entries.map((e) => {
    const args = e.args
      .map((a) => {
        const value = a.href ? `<a href="${escapeHtml(a.href)}">${escapeHtml(a.value)}</a>` : escapeHtml(a.value);
        return `${escapeHtml(a.name)}: ${a.change ? `${a.change} ` : ''}${value}`;
      })
      .join('<br>\n');
    return (
      `<tr><td><time datetime="${escapeHtml(e.iso)}">${escapeHtml(e.date)}</time></td>` +
      `<td>${escapeHtml(e.user)}</td><td>${escapeHtml(e.action)}</td><td>${args}</td></tr>`
    );
  });
  return [
    '<table class="history">',
    '<caption>History</caption>',
    '<thead><tr><th scope="col">Date</th><th scope="col">User</th><th scope="col">Action</th><th scope="col">Args</th></tr></thead>',
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table>',
  ].join('\n');
}
