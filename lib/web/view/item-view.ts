import { RupError } from '../../errors.js';
import type { DateTime } from '../../hyperdb/date.js';
import type { ClassDef } from '../../hyperdb/schema.js';
import type { ItemValues } from '../../hyperdb/values.js';
import { lastActivityValue } from '../actions/edit.js';
import { pyQuote } from '../actions/url-tools.js';
import { historyEntries, historyTable, type HistoryEntry } from './history.js';
import { type SafeHtml, attributes, escapeHtml, helperArgs, safe } from './html.js';
import { PropertyView } from './property-view.js';
import type { Views } from './views.js';

/**
 * One loaded item as templates use it (Roundup's HTMLItem): its
 * properties by name (`i.title`, or `i.prop(name)`), permission
 * questions, its history, and form helpers. Built by {@link Views} from
 * loaded data only; each class gets a subclass whose prototype has a
 * getter per property.
 */
export class ItemView {
  // Private fields (#) so no property name of a tracker's class can shadow them.
  readonly #props = new Map<string, PropertyView>();
  readonly #views: Views;
  readonly #def: ClassDef;
  readonly #values: ItemValues;
  readonly id: string;

  constructor(views: Views, def: ClassDef, id: string, values: ItemValues) {
    this.#views = views;
    this.#def = def;
    this.id = id;
    this.#values = values;
  }

  get classname(): string {
    return this.#def.name;
  }

  designator(): string {
    return `${this.#def.name}${this.id}`;
  }

  toString(): string {
    return this.designator();
  }

  /** True when this is the item the page is about (its fields use plain form names). */
  get isPageItem(): boolean {
    const page = this.#views.settings.pageItem;
    return page !== null && page.classname === this.#def.name && page.itemid === this.id;
  }

  /** The view of one property; RUP_ERR_NO_SUCH_PROPERTY for names the class does not have. */
  prop(name: string): PropertyView {
    let view = this.#props.get(name);
    if (!view) {
      const prop = this.#def.prop(name);
      const designator = this.designator();
      let value = name === 'id' ? this.id : Object.hasOwn(this.#values, name) ? this.#values[name] : undefined;
      if (name === 'content' && this.#def.kind === 'file' && value !== undefined) {
        // File content lives outside the item's row: the loader reads it when the template shows it.
        const text = this.#views.data.contents.get(designator);
        if (text === undefined) throw new RupError('RUP_ERR_TEMPLATE', `the content of ${designator} was not loaded: add {# load: content #} to the template`);
        value = text ?? undefined;
      }
      const plainNames = this.isPageItem;
      view = new PropertyView(this.#views, {
        classname: this.#def.name,
        itemid: this.id,
        formName: (p) => (plainNames ? p : `${designator}@${p}`),
      }, prop, value);
      this.#props.set(name, view);
    }
    return view;
  }

  get #perms() {
    return this.#views.data.permissions;
  }

  is_view_ok(): boolean {
    return this.#perms.has('Web Access') && this.#perms.hasOnItem('View', this.#def.name, this.id);
  }

  is_edit_ok(): boolean {
    return this.#perms.has('Web Access') && this.#perms.hasOnItem('Edit', this.#def.name, this.id);
  }

  is_retire_ok(): boolean {
    return this.#perms.has('Web Access') && this.#perms.hasOnItem('Retire', this.#def.name, this.id);
  }

  is_restore_ok(): boolean {
    return this.#perms.has('Web Access') && this.#perms.hasOnItem('Restore', this.#def.name, this.id);
  }

  /** Only-view: the user may see the item but not change it. */
  is_only_view_ok(): boolean {
    return this.is_view_ok() && !this.is_edit_ok();
  }

  is_retired(): boolean {
    return this.#views.data.retired.has(this.designator());
  }

  #journal() {
    const entries = this.#views.data.journals.get(this.designator());
    if (!entries) {
      throw new RupError('RUP_ERR_TEMPLATE', `the history of ${this.designator()} was not loaded: add {# load: history #} to the template`);
    }
    return entries;
  }

  /** The journal as data, newest first (or oldest first with `direction='ascending'`). */
  history_entries(...args: unknown[]): HistoryEntry[] {
    const opts = helperArgs(args, ['direction']);
    return historyEntries(this.#views, this.#def, this.#journal(), opts.direction === 'ascending');
  }

  /** The journal as an HTML table (Roundup's history()): Date, User, Action, Args. */
  history(...args: unknown[]): SafeHtml {
    return safe(historyTable(this.history_entries(...args)));
  }

  /**
   * The hidden `@csrf`, `@action` and `@lastactivity` inputs and a submit
   * button (Roundup's submit()). After a failed submission the
   * `@lastactivity` the user started from is kept, so collision detection
   * still sees it.
   */
  submit(...args: unknown[]): SafeHtml {
    const opts = helperArgs(args, ['label', 'action']);
    const settings = this.#views.settings;
    const parts = [
      `<input${attributes({ type: 'hidden', name: '@csrf', value: settings.csrfToken() })}>`,
      `<input${attributes({ type: 'hidden', name: '@action', value: String(opts.action ?? 'edit') })}>`,
    ];
    const typed = settings.formWins ? settings.form.get('@lastactivity') : undefined;
    const activity = this.#values.activity as DateTime | undefined;
    const last = typed ?? (activity ? lastActivityValue(activity) : undefined);
    if (last !== undefined) parts.push(`<input${attributes({ type: 'hidden', name: '@lastactivity', value: last })}>`);
    parts.push(`<input${attributes({ type: 'submit', name: 'submit_button', value: String(opts.label ?? 'Submit Changes') })}>`);
    return safe(parts.join('\n'));
  }

  /** File items: `file12/name.txt` (relative to the tracker base). */
  download_url(): string {
    const name = this.#values.name;
    return `${this.designator()}/${pyQuote(typeof name === 'string' && name ? name : this.designator())}`;
  }

  /**
   * A new-item URL pre-filled with this item's values (Roundup's
   * copy_url): every property but the automatic ones, passwords and
   * `exclude` (messages and files by default), and `@note=Copy of issue 42`.
   */
  copy_url(...args: unknown[]): string {
    const opts = helperArgs(args, ['exclude']);
    const exclude = new Set(Array.isArray(opts.exclude) ? opts.exclude.map(String) : ['messages', 'files']);
    const query: Array<[string, string]> = [
      ['@template', 'item'],
      ['@note', `Copy of ${this.#def.name} ${this.id}`],
    ];
    for (const [name, prop] of this.#def.properties) {
      if (exclude.has(name) || prop.kind === 'Password' || prop.computed || !Object.hasOwn(this.#values, name)) continue;
      const value = this.#values[name];
      if (prop.kind === 'Multilink') query.push([name, (value as string[]).join(',')]);
      else query.push([name, String(this.prop(name).plain())]);
    }
    return `${this.#def.name}?${query.map(([k, v]) => `${k}=${pyQuote(v)}`).join('&')}`;
  }

  /**
   * User items: whether this user has a role (any of the names). For the
   * current user the roles come from the session's permission model; for
   * other users from their `roles` value, when the viewer may see it.
   */
  hasRole(...names: unknown[]): boolean {
    const wanted = names.filter((n): n is string => typeof n === 'string').map((n) => n.trim().toLowerCase());
    const roles =
      this.#def.name === 'user' && this.id === this.#views.data.userid
        ? this.#views.data.permissions.roleNames
        : String(this.#values.roles ?? '')
            .split(',')
            .map((r) => r.trim().toLowerCase());
    return wanted.some((n) => roles.includes(n));
  }

  /**
   * The current user's permission (`request.user.hasPermission('Create',
   * 'issue')`); asking about another user is refused (false), as their
   * roles are not loaded.
   */
  hasPermission(...args: unknown[]): boolean {
    const opts = helperArgs(args, ['permission', 'classname', 'property', 'itemid']);
    if (this.#def.name !== 'user' || this.id !== this.#views.data.userid) return false;
    const perms = this.#views.data.permissions;
    const classname = (opts.classname as string | undefined) ?? null;
    const property = (opts.property as string | undefined) ?? null;
    if (opts.itemid !== undefined && opts.itemid !== null && classname) return perms.hasOnItem(String(opts.permission), classname, String(opts.itemid), property);
    return perms.has(String(opts.permission), classname, property);
  }

  /** A link to this item labelled with its label property. */
  link(): SafeHtml {
    return safe(`<a href="${escapeHtml(this.#views.settings.base + this.designator())}">${escapeHtml(this.#views.data.label(this.#def.name, this.id))}</a>`);
  }
}

const subclasses = new WeakMap<ClassDef, typeof ItemView>();

/**
 * The ItemView subclass of a class: a getter per property on its
 * prototype (`i.title`), made once per class definition. `id` stays the
 * id string; properties shadow helper names they collide with.
 */
export function itemViewClass(def: ClassDef): typeof ItemView {
  let cls = subclasses.get(def);
  if (!cls) {
    cls = class extends ItemView {};
    for (const name of def.getprops().keys()) {
      if (name === 'id') continue;
      Object.defineProperty(cls.prototype, name, {
        get(this: ItemView) {
          return this.prop(name);
        },
        configurable: true,
      });
    }
    subclasses.set(def, cls);
  }
  return cls;
}
