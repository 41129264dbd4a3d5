/**
 * A reader for INI files with the semantics of Python's `configparser`
 * (`ConfigParser` with `BasicInterpolation`, default settings), which is
 * what Roundup uses for a tracker's `config.ini`, `detectors/config.ini`
 * and `extensions/config.ini`. Matching it matters because people move
 * their existing files over unchanged:
 *
 * - `[section]` headers; section names are case-sensitive, option names
 *   are lower-cased; a `[DEFAULT]` section supplies fallbacks for every
 *   section.
 * - `name = value` and `name: value` (the first `=` or `:` splits).
 * - A line whose first non-blank character is `#` or `;` is a comment.
 *   There are no inline comments: `x = a ; b` has the value `a ; b`.
 * - A line indented deeper than its option line continues the value;
 *   blank lines inside a continued value are kept, trailing ones dropped.
 * - Values are interpolated when read: `%(name)s` takes another option of
 *   the same section (or DEFAULT, or the caller's variables) and `%%` is a
 *   literal `%`. A lone `%` is an error.
 *
 * Unlike configparser, which stops at the first duplicate, every problem
 * in the file is collected with its line number so a caller can report
 * them all at once.
 */

/** One `name = value` entry as read from the file. */
export interface IniEntry {
  /** Lower-cased option name. */
  readonly name: string;
  /** Raw (not yet interpolated) value; continuation lines joined by `\n`. */
  readonly value: string;
  /** 1-based line of the `name = value` line. */
  readonly line: number;
}

/** A `[section]` and its entries in file order. */
export interface IniSection {
  readonly name: string;
  /** 1-based line of the first `[name]` header. */
  readonly line: number;
  readonly entries: Map<string, IniEntry>;
}

/** A syntax problem found while reading. */
export interface IniProblem {
  readonly line: number;
  readonly message: string;
}

/** The parsed content of one INI file. */
export interface IniDocument {
  /** Entries of the `[DEFAULT]` section. */
  readonly defaults: Map<string, IniEntry>;
  /** Sections other than DEFAULT, in file order. */
  readonly sections: Map<string, IniSection>;
  /** Every syntax problem, in line order; empty when the file is clean. */
  readonly problems: IniProblem[];
}

/** Result of interpolating one value. */
export type InterpolationResult = { ok: true; value: string } | { ok: false; message: string };

const DEFAULT_SECTION = 'DEFAULT';
/** Same depth limit as configparser's MAX_INTERPOLATION_DEPTH. */
const MAX_INTERPOLATION_DEPTH = 10;

interface PendingEntry {
  name: string;
  parts: string[];
  line: number;
}

/** Python's `repr()` of a str, as configparser's messages show values. */
function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return out + quote;
}

/**
 * Parse INI text. Never throws: syntax problems (a line outside any
 * section, a line that is neither header, option nor comment, an empty
 * option name, a repeated section or option) are returned in `problems`
 * and the rest of the file is still read, as configparser does for
 * malformed lines.
 */
export function parseIni(text: string): IniDocument {
  const defaults = new Map<string, IniEntry>();
  const sections = new Map<string, IniSection>();
  const problems: IniProblem[] = [];
  // A byte-order mark would otherwise hide the first line's comment.
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();

  let current: Map<string, IniEntry> | undefined;
  let currentName = '';
  let pending: PendingEntry | undefined;
  let indentLevel = 0;
  const seenSections = new Set<string>();

  const flush = (): void => {
    if (pending && current) {
      const value = pending.parts.join('\n').replace(/\s+$/u, '');
      current.set(pending.name, { name: pending.name, value, line: pending.line });
    }
    pending = undefined;
  };

  lines.forEach((line, index) => {
    const lineNo = index + 1;
    const stripped = line.trim();
    if (stripped.startsWith('#') || stripped.startsWith(';')) return;
    if (stripped === '') {
      // configparser keeps blank lines inside a value being continued.
      if (pending) pending.parts.push('');
      return;
    }
    const indent = line.search(/\S/u);
    if (pending && indent > indentLevel) {
      pending.parts.push(stripped);
      return;
    }
    indentLevel = indent;
    const header = /^\[(.+)\]/u.exec(stripped);
    if (header) {
      flush();
      const name = header[1];
      if (name === DEFAULT_SECTION) {
        current = defaults;
      } else {
        if (seenSections.has(name)) {
          problems.push({ line: lineNo, message: `section [${name}] already exists` });
        }
        seenSections.add(name);
        let section = sections.get(name);
        if (!section) {
          section = { name, line: lineNo, entries: new Map() };
          sections.set(name, section);
        }
        current = section.entries;
      }
      currentName = name;
      return;
    }
    if (!current) {
      flush();
      problems.push({ line: lineNo, message: `option line outside any [section]: ${pyRepr(line)}` });
      return;
    }
    const option = /^(.*?)\s*[=:]\s*(.*)$/u.exec(stripped);
    if (!option || option[1].trim() === '') {
      flush();
      problems.push({
        line: lineNo,
        message: option
          ? `option name missing before the "=" or ":": ${pyRepr(line)}`
          : `line is neither a [section] header, a "name = value" option nor a comment: ${pyRepr(line)}`,
      });
      return;
    }
    flush();
    const name = option[1].replace(/\s+$/u, '').toLowerCase();
    if (current.has(name)) {
      problems.push({ line: lineNo, message: `option '${name}' in section [${currentName}] already exists` });
    }
    pending = { name, parts: [option[2].trim()], line: lineNo };
  });
  flush();
  return { defaults, sections, problems };
}

/** The entry for `option` in `section`, falling back to `[DEFAULT]`. */
export function lookupEntry(doc: IniDocument, section: string, option: string): IniEntry | undefined {
  return doc.sections.get(section)?.entries.get(option) ?? doc.defaults.get(option);
}

/**
 * Interpolate the raw value of `option` in `section` the way
 * configparser's BasicInterpolation does: `%%` becomes `%`, `%(name)s` is
 * replaced by the (itself interpolated) value of `name` looked up in the
 * section, then `[DEFAULT]`, then `vars` (names lower-cased). Error
 * messages carry configparser's wording so they read the same as
 * Roundup's.
 */
export function interpolate(
  doc: IniDocument,
  section: string,
  option: string,
  raw: string,
  vars: Readonly<Record<string, string>> = {},
): InterpolationResult {
  const lookup = (name: string): string | undefined => {
    const entry = lookupEntry(doc, section, name);
    if (entry) return entry.value;
    for (const [key, value] of Object.entries(vars)) if (key.toLowerCase() === name) return value;
    return undefined;
  };
  const out: string[] = [];
  const expand = (rest: string, depth: number): string | undefined => {
    if (depth > MAX_INTERPOLATION_DEPTH) {
      return (
        `Recursion limit exceeded in value substitution: option ${pyRepr(option)} in section ${pyRepr(section)} ` +
        `contains an interpolation key which cannot be substituted in ${MAX_INTERPOLATION_DEPTH} steps. ` +
        `Raw value: ${pyRepr(raw)}`
      );
    }
    while (rest !== '') {
      const p = rest.indexOf('%');
      if (p < 0) {
        out.push(rest);
        return undefined;
      }
      out.push(rest.slice(0, p));
      rest = rest.slice(p);
      const next = rest.charAt(1);
      if (next === '%') {
        out.push('%');
        rest = rest.slice(2);
      } else if (next === '(') {
        const key = /^%\(([^)]+)\)s/u.exec(rest);
        if (!key) return `bad interpolation variable reference ${pyRepr(rest)}`;
        const name = key[1].toLowerCase();
        rest = rest.slice(key[0].length);
        const value = lookup(name);
        if (value === undefined) {
          return (
            `Bad value substitution: option ${pyRepr(option)} in section ${pyRepr(section)} contains an ` +
            `interpolation key ${pyRepr(name)} which is not a valid option name. Raw value: ${pyRepr(raw)}`
          );
        }
        if (value.includes('%')) {
          const err = expand(value, depth + 1);
          if (err !== undefined) return err;
        } else {
          out.push(value);
        }
      } else {
        return `'%' must be followed by '%' or '(', found: ${pyRepr(rest)}`;
      }
    }
    return undefined;
  };
  const error = expand(raw, 1);
  return error === undefined ? { ok: true, value: out.join('') } : { ok: false, message: error };
}
