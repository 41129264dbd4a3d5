import type { DateTime } from '../../hyperdb/date.js';
import type { FormData } from '../web-types.js';
import { type ClassView, classViewClass } from './class-view.js';
import { type ItemView, itemViewClass } from './item-view.js';
import type { PageData } from './page-data.js';

/** What the views of one page need besides the loaded data. */
export interface ViewSettings {
  /** The tracker's base URL, ending in `/`. */
  base: string;
  /** The submitted form (query string and body). */
  form: FormData;
  /** After a failed submission, widgets show what the user typed (Roundup's form_wins). */
  formWins: boolean;
  /**
   * The item (or, with a null itemid, the new item of the class) the page
   * is about: its widgets use plain form names (`title`), others
   * `designator@prop`.
   */
  pageItem: { classname: string; itemid: string | null } | null;
  /** A CSRF token for a form on this page. */
  csrfToken(): string;
  /** The current time, for relative dates (a page showing one goes stale). */
  now(): DateTime;
  /** `[web] use_browser_date_input`: date widgets are `datetime-local` inputs. */
  browserDateInput: boolean;
}

/**
 * The view objects of one page over its loaded data: one item view per
 * loaded item and one class view per class, made on first use.
 */
export class Views {
  readonly #items = new Map<string, ItemView | null>();
  readonly #classes = new Map<string, ClassView>();

  constructor(
    readonly data: PageData,
    readonly settings: ViewSettings,
  ) {}

  /** The view of a loaded item, or null when it was not loaded (or the user may see none of it). */
  item(classname: string, itemid: string): ItemView | null {
    const key = `${classname}${itemid}`;
    let view = this.#items.get(key);
    if (view === undefined) {
      const values = this.data.values(classname, itemid);
      const def = this.data.schema.classes.get(classname);
      view = values && def ? new (itemViewClass(def))(this, def, itemid, values) : null;
      this.#items.set(key, view);
    }
    return view;
  }

  /** The view of a class; RUP_ERR_NO_SUCH_CLASS for unknown names. */
  cls(classname: string): ClassView {
    let view = this.#classes.get(classname);
    if (!view) {
      const def = this.data.schema.getClass(classname);
      view = new (classViewClass(def))(this, def);
      this.#classes.set(classname, view);
    }
    return view;
  }

  /** The `db` templates see: every class as a class view (`db.issue`), and `classnames`. */
  db(): Record<string, unknown> {
    const out: Record<string, unknown> = { classnames: this.data.schema.classNames() };
    for (const name of this.data.schema.classNames()) {
      Object.defineProperty(out, name, { get: () => this.cls(name), enumerable: true });
    }
    return out;
  }
}
