import type { JournalEntry } from '../../hyperdb/journal.js';
import type { Schema } from '../../hyperdb/schema.js';
import type { Timezone } from '../../hyperdb/timezone.js';
import type { ItemValues } from '../../hyperdb/values.js';
import type { PagePermissions } from './permissions.js';

/**
 * Everything a page's loaders read, held for the synchronous views the
 * template uses: items by class (only what the user may see: a property
 * the user may not view is absent from the values), ordered id lists
 * for menus and `list()`, file texts, journals, and the permission
 * answers. Nothing here queries: what is not loaded is not there.
 */
export class PageData {
  private readonly items = new Map<string, Map<string, ItemValues>>();
  private readonly labels = new Map<string, Map<string, string>>();
  /** Ordered ids per class: every active item the user may view (menus, `list()`). */
  readonly lists = new Map<string, string[]>();
  /** Text of file items, by designator; null when the user may not read it. */
  readonly contents = new Map<string, string | null>();
  /** Journals (viewable entries, oldest first), by designator. */
  readonly journals = new Map<string, JournalEntry[]>();
  /** Designators of retired items among the loaded ones that were asked about. */
  readonly retired = new Set<string>();

  constructor(
    readonly schema: Schema,
    readonly permissions: PagePermissions,
    /** The user's zone, for every date shown. */
    readonly timezone: Timezone,
    /** The current user's id. */
    readonly userid: string,
  ) {}

  /** The loaded values of an item, or undefined when it was not loaded (or the user may see none of it). */
  values(classname: string, itemid: string): ItemValues | undefined {
    return this.items.get(classname)?.get(itemid);
  }

  /** Whether the item was loaded. */
  has(classname: string, itemid: string): boolean {
    return this.items.get(classname)?.has(itemid) ?? false;
  }

  /**
   * Sets the labels of items, read without the permission checks: as in
   * Roundup, whoever may see a Link property sees the label of the item
   * it points at (an issue's assignee by name), even without View on
   * the linked class.
   */
  addLabels(classname: string, labels: ReadonlyMap<string, string>): void {
    let known = this.labels.get(classname);
    if (!known) {
      known = new Map();
      this.labels.set(classname, known);
    }
    for (const [id, label] of labels) known.set(id, label);
  }

  /** The ids of a class among `ids` that are not loaded yet. */
  missing(classname: string, ids: Iterable<string>): string[] {
    const known = this.items.get(classname);
    const out = new Set<string>();
    for (const id of ids) if (!known?.has(id)) out.add(id);
    return [...out];
  }

  /** Adds loaded items of a class. */
  add(classname: string, loaded: ReadonlyMap<string, ItemValues>): void {
    let known = this.items.get(classname);
    if (!known) {
      known = new Map();
      this.items.set(classname, known);
    }
    for (const [id, values] of loaded) known.set(id, values);
  }

  /**
   * The label of an item as Roundup shows a link to it: its label
   * property (key, `name`, `title`, else the id), or the id when that
   * value is not loaded or empty (or `fallback`, if given).
   */
  label(classname: string, itemid: string, fallback: string = itemid): string {
    const known = this.labels.get(classname)?.get(itemid);
    if (known !== undefined) return known;
    const cls = this.schema.classes.get(classname);
    if (!cls) return fallback;
    const labelProp = cls.labelprop(true);
    if (labelProp === 'id') return fallback;
    const value = this.values(classname, itemid)?.[labelProp];
    return value === undefined || value === null || value === '' ? fallback : String(value);
  }
}
