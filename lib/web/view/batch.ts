import { DateTime } from '../../hyperdb/date.js';
import type { HyperValue } from '../../hyperdb/values.js';
import { splitArgs } from './html.js';
import type { ItemView } from './item-view.js';

/** Where a neighbouring page starts, for paging links. */
export interface PageRef {
  /** 0-based offset (`@startwith`). */
  first: number;
  size: number;
  /** 1-based number of its first row. */
  start: number;
}

/**
 * One page of index rows (Roundup's Batch): the item views of this page
 * and where it sits in the whole result. Iterating gives the rows.
 */
export class BatchView {
  constructor(
    readonly items: ItemView[],
    /** 0-based offset of the first row. */
    readonly first: number,
    /** The page size. */
    readonly size: number,
    /** Number of matching items in all. */
    readonly sequence_length: number,
  ) {}

  get length(): number {
    return this.items.length;
  }

  /** 1-based number of the first row (Roundup's start). */
  get start(): number {
    return this.first + 1;
  }

  /** 0-based offset just after the last row. */
  get end(): number {
    return this.first + this.items.length;
  }

  [Symbol.iterator](): Iterator<ItemView> {
    return this.items[Symbol.iterator]();
  }

  /** The page before this one, or null on the first page. */
  previous(): PageRef | null {
    if (this.first <= 0) return null;
    const first = Math.max(0, this.first - this.size);
    return { first, size: this.size, start: first + 1 };
  }

  /** The page after this one, or null on the last page. */
  next(): PageRef | null {
    const first = this.first + this.size;
    return first < this.sequence_length ? { first, size: this.size, start: first + 1 } : null;
  }

  /**
   * Whether row `item` starts a new group: it is the first row of the
   * page, or one of `props` differs from the previous row (Roundup's
   * propchanged, given the row instead of tracking the loop).
   */
  propchanged(...args: unknown[]): boolean {
    const { positional } = splitArgs(args);
    const [item, ...props] = positional as [ItemView, ...string[]];
    const index = this.items.indexOf(item);
    if (index <= 0) return true;
    const previous = this.items[index - 1]!;
    return props.some((p) => !same(previous.prop(p).value, item.prop(p).value));
  }
}

function same(a: HyperValue | undefined, b: HyperValue | undefined): boolean {
  if (a instanceof DateTime && b instanceof DateTime) return a.epochMs === b.epochMs;
  if (Array.isArray(a) && Array.isArray(b)) return a.join(',') === b.join(',');
  return String(a ?? '') === String(b ?? '');
}
