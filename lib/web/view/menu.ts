import { RupError } from '../../errors.js';
import type { PointerProperty } from '../../hyperdb/properties.js';
import type { HyperValue } from '../../hyperdb/values.js';
import { type SafeHtml, attributes, escapeHtml, safe } from './html.js';
import type { PropertyView } from './property-view.js';
import type { Views } from './views.js';

/** Options of menu() that are ours; the other keyword arguments filter the items listed. */
const MENU_OPTIONS = new Set(['size', 'height', 'showid', 'additional', 'value', 'sort_on', 'html_kwargs', 'translate']);

/**
 * Roundup's Link/Multilink menu(): a `<select>` of the linked class's
 * items the user may view, in the order of the class's order property
 * (or `sort_on`, `+prop` / `-prop`), with the current value(s) selected.
 * A Link menu starts with `- no selection -` (value -1); a Multilink menu
 * allows several choices, and offers `- no selection -` (which removes
 * the current values) when something is chosen. Options:
 * `size` (labels longer than this are cut, with `...`), `height` (the
 * Multilink list's size, at most 7 by default), `showid` (labels as
 * `status1: open`), `additional` (properties of the item shown after the
 * label), `value` (what is selected instead of the current value),
 * `html_kwargs` (attributes of the `<select>`, `id` for a `<label for>`),
 * and any `<prop>=<value>`, which keeps only items whose property matches
 * (Strings contain the text, ignoring case; other kinds equal it; Links
 * name an id).
 * @throws RupError RUP_ERR_TEMPLATE when the page did not load the options.
 */
export function renderMenu(views: Views, view: PropertyView, prop: PointerProperty, current: string[], opts: Record<string, unknown>): SafeHtml {
  const data = views.data;
  const target = prop.target;
  const options = data.lists.get(target);
  if (!options) {
    throw new RupError(
      'RUP_ERR_TEMPLATE',
      `the options of ${prop.classname}.${prop.name}.menu() were not loaded: add {# load: menu:${prop.name} #} to the template`,
    );
  }
  const targetDef = data.schema.getClass(target);
  const conditions = Object.entries(opts).filter(([k]) => !MENU_OPTIONS.has(k));
  let ids = options.filter((id) => conditions.every(([p, v]) => matches(targetDef.getprops().get(p)?.kind === 'String', data.values(target, id)?.[p], v)));

  const sortOn = opts.sort_on;
  if (typeof sortOn === 'string' && sortOn !== '') {
    const desc = sortOn.startsWith('-');
    const p = sortOn.replace(/^[-+]/, '');
    const key = (id: string) => String(data.values(target, id)?.[p] ?? '');
    ids = [...ids].sort((a, b) => key(a).localeCompare(key(b), undefined, { numeric: true }) * (desc ? -1 : 1));
  }

  const chosen = new Set(opts.value === undefined || opts.value === null ? current : toList(opts.value));
  // A value may name an item by id or by label; labels are looked up only when some value is not an id.
  const byLabel = [...chosen].some((v) => !/^\d+$/.test(v));
  const selected = (id: string) => chosen.has(id) || (byLabel && chosen.has(data.label(target, id)));
  // The current values stay listed even when retired or filtered out, as in Roundup.
  for (const id of [...current].reverse()) if (!ids.includes(id) && /^\d+$/.test(id)) ids = [id, ...ids];

  const size = opts.size === undefined || opts.size === null ? null : Number(opts.size);
  const additional = toList(opts.additional ?? []);
  const label = (id: string): string => {
    let text = data.label(target, id);
    if (opts.showid) text = `${target}${id}: ${text}`;
    if (size !== null && text.length > size) text = `${text.slice(0, Math.max(0, size - 3))}...`;
    if (additional.length) {
      const extra = additional.map((p) => {
        const v = data.values(target, id)?.[p];
        const linked = targetDef.getprops().get(p);
        return linked?.kind === 'Link' && typeof v === 'string' ? data.label(linked.target, v) : String(v ?? '');
      });
      text += ` (${extra.join(', ')})`;
    }
    return text;
  };

  const htmlAttrs = (opts.html_kwargs ?? {}) as Record<string, unknown>;
  const lines: string[] = [];
  if (prop.kind === 'Link') {
    lines.push(`<select${attributes({ ...htmlAttrs, name: view.formname })}>`);
    lines.push(`<option value="-1">- no selection -</option>`);
  } else {
    const height = opts.height ? Number(opts.height) : Math.min(ids.length + (current.length ? 1 : 0), 7);
    lines.push(`<select${attributes({ ...htmlAttrs, multiple: true, name: view.formname, size: height })}>`);
    if (current.length) lines.push(`<option value="${escapeHtml(current.map((v) => `-${v}`).join(','))}">- no selection -</option>`);
  }
  // Written out rather than through attributes(): a menu may list thousands of users.
  for (const id of ids) {
    lines.push(`<option value="${escapeHtml(id)}"${selected(id) ? ' selected' : ''}>${escapeHtml(label(id))}</option>`);
  }
  lines.push('</select>');
  return safe(lines.join('\n'));
}

function toList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (value === null || value === undefined || value === '') return [];
  return String(value).split(',').map((v) => v.trim());
}

function matches(isString: boolean, value: HyperValue | undefined, wanted: unknown): boolean {
  const wants = toList(wanted);
  if (value === undefined || value === null) return wants.includes('-1');
  if (Array.isArray(value)) return wants.some((w) => value.includes(w));
  if (isString && typeof value === 'string') return wants.some((w) => value.toLowerCase().includes(w.toLowerCase()));
  return wants.some((w) => String(value) === w);
}
