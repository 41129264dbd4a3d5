import { randomBytes } from 'node:crypto';

/**
 * Rendered pages, kept for the next request that would render the same
 * page: the same user asking for the same URL while the tracker's data
 * has not changed. Rendering is a pure function of those three, except
 * for what a page renderer reports (RenderMarks): its CSRF tokens, which
 * are left as slots and filled with fresh tokens for every request; a
 * relative date ("2 hours ago"), which makes the page good for a short
 * while only; and anything else that depends on the moment (the
 * registration form's timestamp, a tracker extension's helper), which
 * keeps the page out of the cache.
 *
 * "The data has not changed" is the read cache's version (SQLite's
 * `PRAGMA data_version`, PostgreSQL's current snapshot; read-cache.ts):
 * a commit by any process empties the cache.
 */

/** What a page's rendering used besides the user, the URL and the data. */
export interface RenderMarks {
  /** The page shows a time relative to now. */
  relativeTime: boolean;
  /** The page depends on something else of the moment: never kept. */
  volatile: boolean;
}

/**
 * The CSRF tokens of one rendering, as slots: unguessable markers made of
 * letters and digits (unchanged by HTML escaping and URL encoding), each
 * remembering the lifetime its token is to have.
 */
const SLOT_MARKER = `rupcsrf${randomBytes(8).toString('hex')}s`;
const SLOT_PATTERN = new RegExp(`${SLOT_MARKER}(\\d+)e`, 'g');

export class TokenSlots {
  private readonly lifetimes: Array<number | undefined> = [];
  /** The text last filled, cut at its slots: text, slot number, text, ... (a kept page is filled many times). */
  private cut: { html: string; parts: Array<string | number> } | null = null;

  /** A slot for a token of `lifetimeMinutes` (the configured lifetime when undefined). */
  slot(lifetimeMinutes?: number): string {
    this.lifetimes.push(lifetimeMinutes);
    return `${SLOT_MARKER}${this.lifetimes.length - 1}e`;
  }

  /** `html` with every slot replaced by a new token from `issue`. */
  fill(html: string, issue: (lifetimeMinutes?: number) => string): string {
    if (this.lifetimes.length === 0) return html;
    if (this.cut?.html !== html) this.cut = { html, parts: cutAtSlots(html) };
    let out = '';
    for (const part of this.cut.parts) out += typeof part === 'string' ? part : issue(this.lifetimes[part]);
    return out;
  }
}

/** `html` as text and slot numbers, in order. */
function cutAtSlots(html: string): Array<string | number> {
  const parts: Array<string | number> = [];
  const pattern = new RegExp(SLOT_PATTERN);
  let last = 0;
  for (let m = pattern.exec(html); m !== null; m = pattern.exec(html)) {
    parts.push(html.slice(last, m.index), Number(m[1]));
    last = m.index + m[0].length;
  }
  parts.push(html.slice(last));
  return parts;
}

/** A rendered page with its token slots. */
export interface RenderedPage {
  readonly html: string;
  readonly slots: TokenSlots;
  readonly marks: RenderMarks;
}

interface Entry {
  page: RenderedPage;
  /** Milliseconds since the epoch after which the page is not used. */
  expires: number;
  bytes: number;
}

/** The page cache of one tracker app. */
export class PageCache {
  private version: string | null = null;
  private readonly pages = new Map<string, Entry>();
  private bytes = 0;

  /**
   * `maxBytes` bounds the memory the pages take (UTF-16, two bytes a
   * character); `relativeMs` is how long a page with relative dates is
   * used (they are shown to the minute).
   */
  constructor(
    private readonly maxBytes = 64 * 1024 * 1024,
    private readonly relativeMs = 15_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The key of a request's page. */
  static key(userid: string, url: string): string {
    return `${userid} ${url}`;
  }

  /** The page kept under `key` at data version `version`, if any. */
  get(version: string | null, key: string): RenderedPage | undefined {
    if (version === null) return undefined;
    this.sync(version);
    const entry = this.pages.get(key);
    if (!entry) return undefined;
    this.pages.delete(key);
    if (entry.expires <= this.clock()) {
      this.bytes -= entry.bytes;
      return undefined;
    }
    // Most recently used last: the oldest go first when memory runs short.
    this.pages.set(key, entry);
    return entry.page;
  }

  /**
   * Keeps a page rendered at data version `version`, unless its marks say
   * it must not be or the data has changed since (the version a later
   * `get` saw is newer).
   */
  put(version: string | null, key: string, page: RenderedPage): void {
    if (version === null || version !== this.version || page.marks.volatile) return;
    const bytes = 2 * page.html.length;
    if (bytes > this.maxBytes / 8) return;
    const old = this.pages.get(key);
    if (old) {
      this.pages.delete(key);
      this.bytes -= old.bytes;
    }
    this.pages.set(key, { page, bytes, expires: page.marks.relativeTime ? this.clock() + this.relativeMs : Infinity });
    this.bytes += bytes;
    for (const [oldest, entry] of this.pages) {
      if (this.bytes <= this.maxBytes) break;
      this.pages.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }

  /** Forgets every page when the data version moved. */
  private sync(version: string): void {
    if (version === this.version) return;
    this.pages.clear();
    this.bytes = 0;
    this.version = version;
  }
}
