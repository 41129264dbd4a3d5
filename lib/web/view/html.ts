import nunjucks from 'nunjucks';

/**
 * The small HTML toolkit the view helpers build their output with. Every
 * value that reaches HTML goes through `escapeHtml` or `attributes`; the
 * finished fragment is marked safe so the autoescaping template engine
 * prints it as it is.
 */

export type SafeHtml = nunjucks.runtime.SafeString;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and double- or single-quoted attributes. */
export function escapeHtml(text: unknown): string {
  const s = String(text ?? '');
  return SPECIAL.test(s) ? s.replace(SPECIALS, (c) => ESCAPES[c]!) : s;
}

const SPECIAL = /[&<>"']/;
const SPECIALS = /[&<>"']/g;

/** Marks finished HTML as safe for the template engine. */
export function safe(html: string): SafeHtml {
  return new nunjucks.runtime.SafeString(html);
}

/** True for a value the template engine prints without escaping. */
export function isSafe(value: unknown): value is SafeHtml {
  return value instanceof nunjucks.runtime.SafeString;
}

/**
 * HTML attributes from an object, each ` name="value"` (escaped). `true`
 * gives a bare attribute, `false`, null and undefined leave it out. Names
 * that are not plain attribute names are dropped, so a template cannot
 * smuggle markup through an option name.
 */
export function attributes(attrs: Record<string, unknown>): string {
  let out = '';
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (!/^[A-Za-z_:][A-Za-z0-9_:.-]*$/.test(name)) continue;
    out += value === true ? ` ${name}` : ` ${name}="${escapeHtml(value)}"`;
  }
  return out;
}

/**
 * The options object of a helper called from a template. Nunjucks passes
 * keyword arguments (`field(size=40)`) as a trailing object marked
 * `__keywords`; positional callers may pass a plain object. Returns the
 * options without the marker, and the positional arguments before them.
 */
export function splitArgs(args: readonly unknown[]): { positional: unknown[]; options: Record<string, unknown> } {
  const last = args[args.length - 1];
  if (last !== null && typeof last === 'object' && (last as { __keywords?: unknown }).__keywords === true) {
    const { __keywords: _marker, ...options } = last as Record<string, unknown>;
    return { positional: args.slice(0, -1), options };
  }
  return { positional: [...args], options: {} };
}

/**
 * Reads helper arguments given either positionally (in `names` order) or
 * as keywords / one options object, as Roundup's helpers accept both.
 */
export function helperArgs(args: readonly unknown[], names: readonly string[]): Record<string, unknown> {
  const { positional, options } = splitArgs(args);
  if (positional.length === 1 && names.length > 0 && isPlainObject(positional[0])) {
    return { ...(positional[0] as Record<string, unknown>), ...options };
  }
  const out: Record<string, unknown> = {};
  positional.forEach((value, i) => {
    if (i < names.length) out[names[i]!] = value;
  });
  return { ...out, ...options };
}

function isPlainObject(value: unknown): boolean {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}
