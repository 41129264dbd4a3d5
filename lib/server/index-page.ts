import { readFileSync } from 'node:fs';
import nunjucks from 'nunjucks';
import { RupError } from '../errors.js';

/**
 * The page at the server's root listing its trackers: Roundup's built-in
 * "Roundup trackers index" (trackers sorted by name, each linking to
 * `<name>/index`), or the page an `-i` template renders. Roundup's
 * template is TAL and receives `trackers`; ours is Nunjucks (autoescaped)
 * and receives `trackers`, an object from tracker name to
 * `{ name, url }` (`url` is the tracker's absolute path, ending in `/`),
 * plus `base`, the path the server is mounted at.
 */

/** A tracker as the index page shows it. */
export interface IndexEntry {
  name: string;
  url: string;
}

/** Renders the index page for a list of trackers (sorted by name). */
export type IndexRenderer = (entries: readonly IndexEntry[], base: string) => string;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Roundup's built-in page. */
export const builtinIndex: IndexRenderer = (entries) =>
  '<html><head><title>Roundup trackers index</title></head>\n' +
  '<body><h1>Roundup trackers index</h1><ol>\n' +
  entries.map((entry) => `<li><a href="${escapeHtml(entry.url)}index">${escapeHtml(entry.name)}</a>\n`).join('') +
  '</ol></body></html>';

/**
 * Compiles the `-i` template at `file` now, so a broken one stops the
 * server at start-up: RUP_ERR_TEMPLATE with the file, line and reason.
 * Rendering errors later are reported the same way.
 */
export function templateIndex(file: string): IndexRenderer {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RupError('RUP_ERR_FILE', `cannot read the index template ${file}: ${(err as Error).message}`, { cause: err });
  }
  const env = new nunjucks.Environment(null, { autoescape: true, throwOnUndefined: false });
  let template: nunjucks.Template;
  try {
    template = new nunjucks.Template(source, env, file, true);
  } catch (err) {
    throw templateError(file, err);
  }
  return (entries, base) => {
    const trackers = Object.fromEntries(entries.map((entry) => [entry.name, entry]));
    try {
      return template.render({ trackers, base });
    } catch (err) {
      throw templateError(file, err);
    }
  };
}

/** Nunjucks puts `(file) [Line n, Column m]` in its messages; keep them, and the line in the location. */
function templateError(file: string, err: unknown): RupError {
  const message = (err as Error).message ?? String(err);
  const line = /\[Line (\d+)/.exec(message)?.[1];
  return new RupError('RUP_ERR_TEMPLATE', `index template ${file}: ${message.replace(/\s+/g, ' ').trim()}`, {
    cause: err,
    location: { file, ...(line ? { line: Number(line) } : {}) },
  });
}
