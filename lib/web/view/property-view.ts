import { DateTime } from '../../hyperdb/date.js';
import { Interval } from '../../hyperdb/interval.js';
import type { AnyProperty } from '../../hyperdb/properties.js';
import { type Timezone, toZone } from '../../hyperdb/timezone.js';
import type { HyperValue } from '../../hyperdb/values.js';
import { type SafeHtml, attributes, escapeHtml, helperArgs, safe } from './html.js';
import { hyperlinkText } from './hyperlink.js';
import { renderMenu } from './menu.js';
import type { ItemView } from './item-view.js';
import type { Views } from './views.js';

/** Whose property a view shows: an existing item, or a new one (class context). */
export interface PropertyOwner {
  classname: string;
  /** Null for a new item (new-item and search forms). */
  itemid: string | null;
  /** The form field name of a property: plain on the page's own item, `designator@prop` elsewhere (Roundup's HTMLProperty). */
  formName(prop: string): string;
}

/** Options of field() that are ours; everything else becomes an HTML attribute. */
const FIELD_OPTIONS = new Set(['size', 'format', 'display_time', 'showid', 'labelfirst', 'y_label', 'n_label', 'u_label', 'popcal']);

/**
 * One property of an item (or of a new item), as templates use it:
 * Roundup's HTMLProperty family in one class, dispatching on the property
 * kind. Printing it (`{{ i.status }}`) prints `plain()`, escaped by the
 * template engine. `value` undefined means the user may not see it.
 */
export class PropertyView {
  constructor(
    private readonly views: Views,
    private readonly owner: PropertyOwner,
    readonly prop: AnyProperty,
    private readonly raw: HyperValue | undefined,
  ) {}

  get name(): string {
    return this.prop.name;
  }

  get classname(): string {
    return this.owner.classname;
  }

  get kind(): string {
    return this.prop.kind;
  }

  /** The typed value (null when unset, undefined when hidden from the user). */
  get value(): HyperValue | undefined {
    return this.raw;
  }

  /** The form field name of this property. */
  get formname(): string {
    return this.owner.formName(this.prop.name);
  }

  toString(): string {
    return this.text();
  }

  /** The value is set (not null, not an empty list or string). */
  isset(): boolean {
    const v = this.raw;
    return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
  }

  /** Roundup's is_view_ok: the user may see this property of this item. */
  is_view_ok(): boolean {
    const perms = this.views.data.permissions;
    if (this.owner.itemid === null) {
      return this.is_edit_ok() || perms.has('View', this.owner.classname, this.prop.name);
    }
    return this.raw !== undefined;
  }

  /** Roundup's is_edit_ok: Edit on an existing item; Create (or Register) on a new one; always Web Access. */
  is_edit_ok(): boolean {
    const perms = this.views.data.permissions;
    if (this.prop.computed || !perms.has('Web Access')) return false;
    const { classname, itemid } = this.owner;
    if (itemid === null) return perms.has('Create', classname, this.prop.name) || perms.has('Register', classname, this.prop.name);
    return perms.hasOnItem('Edit', classname, itemid, this.prop.name);
  }

  // ---- text ----

  /**
   * The value as text (Roundup's plain()): `[hidden]` when the user may
   * not see it; dates in the user's zone; Links and Multilinks by label.
   * `hyperlink=true` (Strings) returns HTML with URLs, addresses and
   * designators linked; `escape=true` returns escaped HTML.
   */
  plain(...args: unknown[]): string | SafeHtml {
    const opts = helperArgs(args, ['escape', 'hyperlink']);
    const text = this.text();
    if (opts.hyperlink && this.raw !== undefined && this.prop.kind === 'String') return this.hyperlinked();
    return opts.escape ? safe(escapeHtml(text)) : text;
  }

  private text(): string {
    const v = this.raw;
    if (v === undefined) return '[hidden]';
    if (v === null) return '';
    const data = this.views.data;
    switch (this.prop.kind) {
      case 'String':
        return v as string;
      case 'Password':
        return '*encrypted*';
      case 'Date': {
        const format = this.prop.format ?? (this.prop.displayTime ? '%Y-%m-%d.%H:%M:%S' : '%Y-%m-%d');
        return (v as DateTime).pretty(format, this.zone());
      }
      case 'Interval':
        return (v as Interval).toString();
      case 'Number':
        return Number.isInteger(v) ? (v as number).toFixed(1) : String(v);
      case 'Integer':
        return String(v);
      case 'Boolean':
        return v ? 'Yes' : 'No';
      case 'Link':
        return data.label(this.prop.target, v as string);
      case 'Multilink': {
        const target = this.prop.target;
        return (v as string[]).map((id) => data.label(target, id)).join(', ');
      }
    }
  }

  private zone(): Timezone {
    return this.prop.kind === 'Date' && this.prop.offset !== undefined ? toZone(this.prop.offset) : this.views.data.timezone;
  }

  /** Strings: the text as HTML with URLs, e-mail addresses and designators linked. */
  hyperlinked(): SafeHtml {
    if (this.raw === undefined || this.prop.kind !== 'String') return safe(escapeHtml(this.text()));
    return safe(hyperlinkText(this.text(), this.views.settings.base, (name) => this.views.data.schema.hasClass(name)));
  }

  /** Strings: the text wrapped at `columns` characters (Roundup's wrapped()). */
  wrapped(...args: unknown[]): string {
    const columns = Number(helperArgs(args, ['columns']).columns ?? 80);
    return this.text()
      .split('\n')
      .map((line) => wrapLine(line, columns))
      .join('\n');
  }

  /** Strings: an e-mail address with its parts obscured (`name at example dot com`). */
  email(): string {
    if (this.raw === undefined || this.raw === null) return this.text();
    return this.text().replace('@', ' at ').replace(/\./g, ' dot ');
  }

  /** The text URL-quoted. */
  url_quote(): string {
    return encodeURIComponent(this.text());
  }

  /** Dates: strftime-style format in the user's zone; Intervals: rough English; Numbers: printf-style `%0.3f`. */
  pretty(...args: unknown[]): string {
    const v = this.raw;
    if (v === undefined) return '[hidden]';
    if (v === null) return '';
    const format = helperArgs(args, ['format']).format as string | undefined;
    if (v instanceof DateTime) return v.pretty(format ?? '%d %B %Y', this.zone());
    if (v instanceof Interval) return v.pretty();
    if (typeof v === 'number') return formatNumber(v, format ?? '%0.3f');
    return this.text();
  }

  /** Dates: how long ago or ahead (`2 hours ago`, `in 3 days`). */
  reldate(): string {
    const v = this.raw;
    if (!(v instanceof DateTime)) return v === undefined ? '[hidden]' : '';
    return v.diff(this.views.settings.now()).pretty();
  }

  /** Dates: ISO 8601 in UTC, for `<time datetime>`. */
  iso(): string {
    return this.raw instanceof DateTime ? new Date(this.raw.epochMs).toISOString() : '';
  }

  // ---- links ----

  /** Links: the linked item's view (null when unset or not loaded). */
  get item(): ItemView | null {
    if (this.prop.kind !== 'Link' || typeof this.raw !== 'string') return null;
    return this.views.item(this.prop.target, this.raw);
  }

  /** Links: the address of the linked item (empty when unset). */
  url(): string {
    if (this.prop.kind !== 'Link' || typeof this.raw !== 'string') return '';
    return `${this.views.settings.base}${this.prop.target}${this.raw}`;
  }

  /** Multilinks: the linked ids (the ones the user may see are loaded). */
  get ids(): string[] {
    return this.prop.kind === 'Multilink' && Array.isArray(this.raw) ? [...this.raw] : [];
  }

  /** Multilinks: the linked items the user may see, in id order. */
  get items(): ItemView[] {
    if (this.prop.kind !== 'Multilink') return [];
    const target = this.prop.target;
    const out: ItemView[] = [];
    for (const id of this.ids) {
      const view = this.views.item(target, id);
      if (view) out.push(view);
    }
    return out;
  }

  get length(): number {
    return this.items.length;
  }

  [Symbol.iterator](): Iterator<ItemView> {
    return this.items[Symbol.iterator]();
  }

  /** Multilinks: the linked items newest first (Roundup's reverse()). */
  reverse(): ItemView[] {
    return this.items.reverse();
  }

  /** Multilinks: the linked items sorted by one of their properties (Roundup's sorted()). */
  sorted(...args: unknown[]): ItemView[] {
    const opts = helperArgs(args, ['property', 'reverse']);
    const prop = String(opts.property ?? 'id');
    const keyed = this.items.map((item) => ({ item, key: sortKey(item.prop(prop).value) }));
    keyed.sort((a, b) => compareKeys(a.key, b.key));
    if (opts.reverse) keyed.reverse();
    return keyed.map((k) => k.item);
  }

  /** Links and Multilinks: a `<select>` of the linked class's items; see menu.ts. */
  menu(...args: unknown[]): SafeHtml | string {
    if (this.prop.kind !== 'Link' && this.prop.kind !== 'Multilink') return this.plain(true);
    if (this.owner.itemid !== null && !this.is_edit_ok()) return this.plain(true);
    return renderMenu(this.views, this, this.prop, this.selectedValues(), helperArgs(args, []));
  }

  /** The ids (or key values typed into a form) a menu shows as chosen. */
  private selectedValues(): string[] {
    const typed = this.typedValue();
    if (typed !== undefined) return typed.split(',').map((s) => s.trim()).filter((s) => s !== '' && !s.startsWith('-'));
    if (Array.isArray(this.raw)) return [...this.raw];
    return typeof this.raw === 'string' ? [this.raw] : [];
  }

  /**
   * What the user typed for this property, when the form should win over
   * the stored value: after a failed submission, or on a new-item form
   * pre-filled from the URL (Roundup's form_wins).
   */
  private typedValue(): string | undefined {
    const settings = this.views.settings;
    if (this.owner.itemid !== null && !settings.formWins) return undefined;
    return settings.form.get(this.formname);
  }

  // ---- form widgets ----

  /**
   * An edit widget when the user may edit the property, the escaped plain
   * value when they may only see it, `[hidden]` otherwise (Roundup's
   * field()). Options: `size` and any HTML attribute (`id`, `class`,
   * `placeholder`, `required`, `aria-describedby`, ...); Dates take
   * `format`, Links and Multilinks `showid`, Booleans `y_label`/`n_label`.
   */
  field(...args: unknown[]): SafeHtml {
    if (!this.is_view_ok() && !this.is_edit_ok()) return safe('[hidden]');
    if (!this.is_edit_ok()) return safe(escapeHtml(this.text()));
    const opts = helperArgs(args, ['size']);
    const extra: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(opts)) if (!FIELD_OPTIONS.has(k)) extra[k] = v;
    const typed = this.typedValue();
    const size = opts.size ?? 30;
    switch (this.prop.kind) {
      case 'Password':
        return safe(`<input${attributes({ type: 'password', name: this.formname, size, autocomplete: 'new-password', ...extra })}>`);
      case 'Boolean':
        return this.booleanField(opts, extra, typed);
      case 'Date': {
        if (this.views.settings.browserDateInput && typed === undefined) {
          const v = this.raw instanceof DateTime ? this.raw.pretty('%Y-%m-%dT%H:%M:%S', this.zone()) : '';
          return safe(`<input${attributes({ type: 'datetime-local', name: this.formname, value: v, step: 1, ...extra })}>`);
        }
        const format = opts.format as string | undefined;
        const shown = typed ?? (this.raw instanceof DateTime && format ? this.raw.pretty(format, this.zone()) : this.text());
        return this.textInput(shown, size, extra);
      }
      case 'Link':
      case 'Multilink':
        return this.textInput(typed ?? this.linkText(Boolean(opts.showid)), size, extra);
      default:
        return this.textInput(typed ?? this.text(), size, extra);
    }
  }

  private textInput(value: string, size: unknown, extra: Record<string, unknown>): SafeHtml {
    return safe(`<input${attributes({ type: 'text', name: this.formname, value, size, ...extra })}>`);
  }

  /** Links and Multilinks in a text field: key values (or ids with showid), comma separated. */
  private linkText(showid: boolean): string {
    if (this.prop.kind !== 'Link' && this.prop.kind !== 'Multilink') return this.text();
    const target = this.views.data.schema.getClass(this.prop.target);
    const ids = Array.isArray(this.raw) ? this.raw : typeof this.raw === 'string' ? [this.raw] : [];
    if (showid || !target.getkey()) return ids.join(',');
    return ids.map((id) => this.views.data.label(target.name, id)).join(',');
  }

  private booleanField(opts: Record<string, unknown>, extra: Record<string, unknown>, typed: string | undefined): SafeHtml {
    const current = typed !== undefined ? typed.toLowerCase() : this.raw === true ? 'yes' : this.raw === false ? 'no' : '';
    const choices: Array<[string, string]> = [
      ['yes', String(opts.y_label ?? 'Yes')],
      ['no', String(opts.n_label ?? 'No')],
    ];
    if (opts.u_label !== undefined) choices.push(['', String(opts.u_label)]);
    const parts = choices.map(([value, label]) => {
      const input = `<input${attributes({ type: 'radio', name: this.formname, value, checked: current === value || (value === 'yes' && current === 'true'), ...extra, id: undefined })}>`;
      return opts.labelfirst ? `<label>${escapeHtml(label)} ${input}</label>` : `<label>${input} ${escapeHtml(label)}</label>`;
    });
    return safe(parts.join(' '));
  }

  /** Strings: a `<textarea>` (Roundup's multiline()). */
  multiline(...args: unknown[]): SafeHtml {
    if (!this.is_edit_ok()) return this.is_view_ok() ? safe(escapeHtml(this.text())) : safe('[hidden]');
    const opts = helperArgs(args, ['escape', 'rows', 'cols']);
    const { escape: _e, rows, cols, ...extra } = opts;
    const value = this.typedValue() ?? this.text();
    return safe(`<textarea${attributes({ name: this.formname, rows: rows ?? 5, cols: cols ?? 40, ...extra })}>${escapeHtml(value)}</textarea>`);
  }

  /**
   * Passwords: the confirmation input, named as the form grammar reads it:
   * `@confirm@password`, or `user3@confirm@password` when the property is
   * not the page's own.
   */
  confirm(...args: unknown[]): SafeHtml {
    if (this.prop.kind !== 'Password' || !this.is_edit_ok()) return safe('');
    const opts = helperArgs(args, ['size']);
    const { size, ...extra } = opts;
    const designator = this.formname.slice(0, -(this.prop.name.length + 1));
    const name = `${designator}@confirm@${this.prop.name}`;
    return safe(`<input${attributes({ type: 'password', name, size: size ?? 30, autocomplete: 'new-password', ...extra })}>`);
  }
}

function wrapLine(line: string, columns: number): string {
  if (line.length <= columns) return line;
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current && current.length + 1 + word.length > columns) {
      out.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  out.push(current);
  return out.join('\n');
}

/** printf-style formatting of one number (`%d`, `%0.3f`, `%5.1f`, `%e`), as Roundup's NumberHTMLProperty.pretty. */
function formatNumber(value: number, format: string): string {
  return format.replace(/%([-+0 ]*)(\d*)(?:\.(\d+))?([dfeis%])/g, (_all, flags: string, width: string, precision: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    let text: string;
    if (conv === 'd' || conv === 'i') text = Math.trunc(value).toString();
    else if (conv === 'e') text = value.toExponential(precision === undefined ? 6 : Number(precision));
    else if (conv === 's') text = String(value);
    else text = value.toFixed(precision === undefined ? 6 : Number(precision));
    if (flags.includes('+') && value >= 0) text = `+${text}`;
    const w = Number(width || 0);
    if (text.length < w) text = flags.includes('-') ? text.padEnd(w) : flags.includes('0') ? text.padStart(w, '0') : text.padStart(w);
    return text;
  });
}

type Key = number | string;

function sortKey(value: HyperValue | undefined): Key {
  if (value === undefined || value === null) return '';
  if (value instanceof DateTime) return value.epochMs;
  if (value instanceof Interval) return value.asSeconds();
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (Array.isArray(value)) return value.join(',');
  return /^\d+$/.test(value) ? Number(value) : value;
}

function compareKeys(a: Key, b: Key): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}
