import { RupError } from '../../errors.js';
import type { ClassDef } from '../../hyperdb/schema.js';
import { pyQuote } from '../actions/url-tools.js';
import { type SafeHtml, attributes, escapeHtml, helperArgs, safe } from './html.js';
import type { ItemView } from './item-view.js';
import { PropertyView } from './property-view.js';
import type { Views } from './views.js';

/**
 * A class as templates use it (Roundup's HTMLClass): empty property views
 * for new-item and search forms (pre-filled from the URL on the page's
 * own class), class-wide permission questions, the loaded `list()`, the
 * classhelp link and the submit button of a new-item form. Like item
 * views, each class gets a subclass with a getter per property.
 */
export class ClassView {
  readonly #views: Views;
  readonly #def: ClassDef;
  readonly #props = new Map<string, PropertyView>();

  constructor(views: Views, def: ClassDef) {
    this.#views = views;
    this.#def = def;
  }

  get classname(): string {
    return this.#def.name;
  }

  toString(): string {
    return this.#def.name;
  }

  /** The (empty) view of one property; RUP_ERR_NO_SUCH_PROPERTY for unknown names. */
  prop(name: string): PropertyView {
    let view = this.#props.get(name);
    if (!view) {
      const page = this.#views.settings.pageItem;
      const plainNames = page !== null && page.classname === this.#def.name && page.itemid === null;
      const classname = this.#def.name;
      view = new PropertyView(this.#views, { classname, itemid: null, formName: (p) => (plainNames ? p : `${classname}@${p}`) }, this.#def.prop(name), null);
      this.#props.set(name, view);
    }
    return view;
  }

  /**
   * Property views of the class's properties sorted by name; with
   * `cansearch` (the default) only those the user may search.
   */
  properties(...args: unknown[]): PropertyView[] {
    const opts = helperArgs(args, ['sort', 'cansearch']);
    const cansearch = opts.cansearch ?? true;
    const perms = this.#views.data.permissions;
    return this.propnames()
      .filter((name) => !cansearch || perms.maySearch(this.#def.name, name))
      .map((name) => this.prop(name));
  }

  propnames(): string[] {
    return [...this.#def.getprops().keys()].sort();
  }

  getkey(): string | null {
    return this.#def.getkey();
  }

  labelprop(): string {
    return this.#def.labelprop(true);
  }

  orderprop(): string {
    return this.#def.orderprop();
  }

  get #perms() {
    return this.#views.data.permissions;
  }

  /** May the user create items of the class (Roundup's HTMLClass.is_edit_ok asks Create). */
  is_edit_ok(): boolean {
    return this.#perms.has('Web Access') && this.#perms.has('Create', this.#def.name);
  }

  is_view_ok(): boolean {
    return this.#perms.has('Web Access') && this.#perms.has('View', this.#def.name);
  }

  is_retire_ok(): boolean {
    return this.#perms.has('Web Access') && this.#perms.has('Retire', this.#def.name);
  }

  is_restore_ok(): boolean {
    return this.#perms.has('Web Access') && this.#perms.has('Restore', this.#def.name);
  }

  is_only_view_ok(): boolean {
    return this.is_view_ok() && !this.is_edit_ok();
  }

  /**
   * Every active item the user may view, in order-property order.
   * @throws RupError RUP_ERR_TEMPLATE when the page did not load the list.
   */
  list(): ItemView[] {
    const ids = this.#views.data.lists.get(this.#def.name);
    if (!ids) {
      throw new RupError('RUP_ERR_TEMPLATE', `the items of ${this.#def.name} were not loaded: add {# load: list:${this.#def.name} #} to the template`);
    }
    return ids.map((id) => this.#views.item(this.#def.name, id)).filter((v): v is ItemView => v !== null);
  }

  /** The view of a loaded item of this class, or null. */
  getItem(id: unknown): ItemView | null {
    return this.#views.item(this.#def.name, String(id));
  }

  /**
   * A link to the class's help page (Roundup's classhelp: `_generic.help.html`
   * listing `properties`), opening in a new tab. With `property` (a Link
   * or Multilink of the page's class) the help page knows which field it
   * helps with, and whether one value (radio) or several (checkbox) fit.
   */
  classhelp(...args: unknown[]): SafeHtml {
    const opts = helperArgs(args, ['properties', 'label', 'width', 'height', 'property', 'form', 'pagesize', 'sort', 'filter']);
    const properties = String(opts.properties ?? this.#def.labelprop(true));
    const label = String(opts.label ?? '(list)');
    const sort = String(opts.sort ?? this.#def.labelprop(true));
    const pagesize = String(opts.pagesize ?? 50);
    const query: Array<[string, string]> = [
      ['@startwith', '0'],
      ['@template', 'help'],
      ['properties', properties],
    ];
    if (opts.property) {
      const page = this.#views.settings.pageItem;
      const owner = page ? this.#views.data.schema.classes.get(page.classname) : undefined;
      const kind = owner?.getprops().get(String(opts.property))?.kind;
      query.push(['property', String(opts.property)], ['form', String(opts.form ?? 'itemSynopsis')], ['type', kind === 'Multilink' ? 'checkbox' : 'radio']);
    }
    query.push(['@sort', sort], ['@pagesize', pagesize]);
    if (opts.filter) query.push(['@filter', String(opts.filter)]);
    const href = `${this.#views.settings.base}${this.#def.name}?${query.map(([k, v]) => `${k}=${pyQuote(v, '/,')}`).join('&')}`;
    return safe(`<a${attributes({ href, class: 'classhelp', target: '_blank', rel: 'noopener' })}>${escapeHtml(label)}</a>`);
  }

  /** Hidden `@csrf` and `@action` inputs and a submit button for a new-item form. */
  submit(...args: unknown[]): SafeHtml {
    const opts = helperArgs(args, ['label', 'action']);
    return safe(
      [
        `<input${attributes({ type: 'hidden', name: '@csrf', value: this.#views.settings.csrfToken() })}>`,
        `<input${attributes({ type: 'hidden', name: '@action', value: String(opts.action ?? 'new') })}>`,
        `<input${attributes({ type: 'submit', name: 'submit_button', value: String(opts.label ?? 'Submit New Entry') })}>`,
      ].join('\n'),
    );
  }
}

const subclasses = new WeakMap<ClassDef, typeof ClassView>();

/** The ClassView subclass of a class, with a getter per property (`db.issue.title`). */
export function classViewClass(def: ClassDef): typeof ClassView {
  let cls = subclasses.get(def);
  if (!cls) {
    cls = class extends ClassView {};
    for (const name of def.getprops().keys()) {
      Object.defineProperty(cls.prototype, name, {
        get(this: ClassView) {
          return this.prop(name);
        },
        configurable: true,
      });
    }
    subclasses.set(def, cls);
  }
  return cls;
}
