/**
 * Value types of config.ini options: how the text of an option is checked
 * and turned into the value code sees, and which canonical text is
 * written back when the file is generated. Each type mirrors one of
 * Roundup's `Option` classes in `roundup/configuration.py` (named in the
 * JSDoc) so a value Roundup accepts is accepted here and the other way
 * round; the "Allowed values" lines they add to the generated comments
 * are the same facts Roundup writes.
 */

import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** What a value check needs to know about where the file lives. */
export interface ParseContext {
  /** Directory holding config.ini; relative paths resolve against it. */
  readonly home: string;
}

/** A rejected option value; `message` reads after "[section] option: ". */
export class OptionValueProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionValueProblem';
  }
}

/** Result of parsing one option text. */
export interface Parsed<T> {
  /** The value code reads (before access-time resolution, see `resolve`). */
  readonly value: T;
  /** Canonical text written back into a generated config.ini. */
  readonly text: string;
}

/** One kind of option value. */
export interface OptionType<T = unknown> {
  /** Short name used in messages and by the writer. */
  readonly kind: string;
  /** Extra comment lines Roundup appends to the option's description. */
  readonly classDescription?: string;
  /** Check `text` (already interpolated) and convert it; throws OptionValueProblem. */
  parse(text: string, ctx: ParseContext): Parsed<T>;
  /**
   * Access-time transform, as Roundup's `Option.get()` overrides do
   * (relative paths joined to the home, mail domain appended).
   */
  resolve?(value: T, ctx: ResolveContext): unknown;
}

/** What access-time resolution may consult. */
export interface ResolveContext extends ParseContext {
  /** The `[mail] domain` value, when set. */
  readonly mailDomain: string | undefined;
}

const quote = (text: string): string => JSON.stringify(text);

function allowedList(values: readonly string[]): string {
  return values.join(', ');
}

/** Plain string, any value accepted (Roundup's `Option`). */
export const stringType: OptionType<string> = {
  kind: 'string',
  parse: (text) => ({ value: text, text }),
};

/** String that must not be empty (Roundup's `MandatoryOption`). */
export const mandatoryStringType: OptionType<string> = {
  kind: 'mandatory',
  parse(text) {
    if (text === '') throw new OptionValueProblem('value must not be empty');
    return { value: text, text };
  },
};

/** String where an empty value means "not set": null (Roundup's `NullableOption`). */
export const nullableStringType: OptionType<string | null> = {
  kind: 'nullable',
  parse: (text) => ({ value: text === '' ? null : text, text }),
};

const TRUE_WORDS = ['yes', 'true', 'on', '1'];
const FALSE_WORDS = ['no', 'false', 'off', '0'];

/** yes/no switch; also true/false, on/off, 1/0 in any case (Roundup's `BooleanOption`). */
export const booleanType: OptionType<boolean> = {
  kind: 'boolean',
  classDescription: 'Allowed values: yes, no',
  parse(text) {
    const word = text.toLowerCase();
    if (TRUE_WORDS.includes(word)) return { value: true, text: 'yes' };
    if (FALSE_WORDS.includes(word)) return { value: false, text: 'no' };
    throw new OptionValueProblem(`${quote(text)} is not a valid boolean (yes/no)`);
  },
};

/** Whole number (Roundup's `IntegerNumberOption` / `IntegerNumberGeqZeroOption`). */
export function integerType(options: { min?: number } = {}): OptionType<number> {
  return {
    kind: 'integer',
    parse(text) {
      if (!/^[+-]?\d+$/u.test(text)) throw new OptionValueProblem(`${quote(text)} is not an integer`);
      // BigInt keeps the canonical text exact for values beyond 2^53
      // (the [nosy] max_attachment_size default is 2^63-1).
      const exact = BigInt(text);
      if (options.min !== undefined && exact < BigInt(options.min)) {
        throw new OptionValueProblem(
          options.min === 0
            ? `${quote(text)} must be an integer greater than or equal to zero`
            : `${quote(text)} must be an integer of at least ${options.min}`,
        );
      }
      return { value: Number(exact), text: exact.toString() };
    },
  };
}

/** Octal number such as `0o002`, `002` or `2` (Roundup's `OctalNumberOption`). */
export const octalType: OptionType<number> = {
  kind: 'octal',
  parse(text) {
    const m = /^([+-]?)(?:0[oO])?([0-7]+)$/u.exec(text);
    if (!m) throw new OptionValueProblem(`${quote(text)} is not an octal integer`);
    const value = parseInt(m[2], 8) * (m[1] === '-' ? -1 : 1);
    // Python's oct() form, which is what Roundup writes (0o2 for 2).
    return { value, text: (value < 0 ? '-0o' : '0o') + Math.abs(value).toString(8) };
  },
};

/** One of a fixed list of words (Roundup's choice options such as `CsrfSettingOption`). */
export function choiceType(
  allowed: readonly string[],
  options: { caseInsensitive?: boolean; describe?: string; canonical?: (word: string) => string } = {},
): OptionType<string> {
  const caseInsensitive = options.caseInsensitive ?? true;
  return {
    kind: 'choice',
    classDescription: options.describe ?? `Allowed values: ${allowedList(allowed)}`,
    parse(text) {
      const probe = caseInsensitive ? text.toLowerCase() : text;
      const found = allowed.find((a) => (caseInsensitive ? a.toLowerCase() : a) === probe);
      if (found === undefined) {
        throw new OptionValueProblem(`${quote(text)} is not allowed (allowed values: ${allowedList(allowed)})`);
      }
      const value = options.canonical ? options.canonical(found) : found;
      return { value, text: value };
    },
  };
}

/** Comma separated words (Roundup's `WordListOption`); empty items are dropped. */
export const wordListType: OptionType<string[]> = {
  kind: 'wordlist',
  classDescription: 'Allowed values: comma-separated list of words',
  parse(text) {
    const value = text.split(',').map((w) => w.trim()).filter((w) => w !== '');
    return { value, text: value.join(',') };
  },
};

function resolvePath(home: string, path: string): string {
  return path !== '' && !isAbsolute(path) ? join(home, path) : path;
}

const PATH_DESCRIPTION = 'The path may be either absolute or relative\nto the directory containing this config file.';

/** File or directory path, relative ones resolved against the home (Roundup's `FilePathOption`). */
export const filePathType: OptionType<string> = {
  kind: 'path',
  classDescription: PATH_DESCRIPTION,
  parse: (text) => ({ value: text, text }),
  resolve: (value, ctx) => resolvePath(ctx.home, value),
};

/** Like {@link filePathType} but empty means null (Roundup's `NullableFilePathOption`). */
export const nullableFilePathType: OptionType<string | null> = {
  kind: 'nullable-path',
  classDescription: PATH_DESCRIPTION,
  parse: (text) => ({ value: text === '' ? null : text, text }),
  resolve: (value, ctx) => (value === null ? null : resolvePath(ctx.home, value)),
};

/**
 * Space separated paths (Roundup's `MultiFilePathOption`); null when
 * empty. A `-` element is kept as is: it marks the end of the static file
 * search list rather than naming a directory.
 */
export const multiFilePathType: OptionType<string[]> = {
  kind: 'paths',
  classDescription:
    'The space separated paths may be either absolute\nor relative to the directory containing this config file.',
  parse(text) {
    const value = text.split(/\s+/u).filter((p) => p !== '');
    return { value, text };
  },
  resolve: (value, ctx) => (value.length === 0 ? null : value.map((p) => (p === '-' ? p : resolvePath(ctx.home, p)))),
};

/**
 * Email address; a bare local part gets `@<[mail] domain>` appended when
 * read (Roundup's `MailAddressOption`).
 */
export const mailAddressType: OptionType<string> = {
  kind: 'mail-address',
  parse: (text) => ({ value: text, text }),
  resolve: (value, ctx) => (value.includes('@') || ctx.mailDomain === undefined ? value : `${value}@${ctx.mailDomain}`),
};

/** Tracker URL: http:// or https:// and a trailing slash (Roundup's `WebUrlOption`). */
export const webUrlType: OptionType<string> = {
  kind: 'web-url',
  parse(text) {
    if (text === '') throw new OptionValueProblem('value must not be empty');
    const faults: string[] = [];
    if (!text.startsWith('http://') && !text.startsWith('https://')) faults.push('start with http:// or https://');
    if (!text.endsWith('/')) faults.push('end with /');
    if (faults.length > 0) throw new OptionValueProblem(`${quote(text)} must ${faults.join(' and ')}`);
    return { value: text, text };
  },
};

/** True when Intl knows `name` as a time zone. */
function isKnownTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * Time zone: a whole number of hours east of UTC or a zone name. Roundup
 * checks names with pytz; Intl's time zone database plays that part here.
 */
export const timezoneType: OptionType<string> = {
  kind: 'timezone',
  classDescription:
    'The value may be a time zone name (e.g. UTC, EET or Europe/Warsaw)\n' +
    'or a whole number of hours giving the offset from UTC.',
  parse(text) {
    if (/^[+-]?\d+$/u.test(text) || (text !== '' && isKnownTimeZone(text))) return { value: text, text };
    throw new OptionValueProblem(`${quote(text)} is not a time zone name or a numeric hour offset`);
  },
};

/**
 * Turn a Python regular expression into a JavaScript one. The syntax the
 * two share covers what trackers put in config.ini; the Python-only named
 * group forms are rewritten and leading inline flags become JS flags.
 */
export function pythonRegExp(pattern: string, flags = ''): RegExp {
  let source = pattern.replace(/\(\?P<(\w+)>/gu, '(?<$1>').replace(/\(\?P=(\w+)\)/gu, '\\k<$1>');
  const inline = /^\(\?([aiLmsux]+)\)/u.exec(source);
  let jsFlags = flags;
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1]) {
      if (f === 'i' || f === 'm' || f === 's') {
        if (!jsFlags.includes(f)) jsFlags += f;
      } else if (f === 'x' || f === 'L') {
        throw new SyntaxError(`inline flag (?${f}) is not supported`);
      }
    }
  }
  return new RegExp(source, jsFlags);
}

/** Regular expression (Roundup's `RegExpOption`); the value is a compiled RegExp. */
export const regExpType: OptionType<RegExp> = {
  kind: 'regexp',
  classDescription: 'Value is a regular expression (Python syntax).',
  parse(text) {
    try {
      return { value: pythonRegExp(text, 'u'), text };
    } catch (err) {
      throw new OptionValueProblem(
        `${quote(text)} is not a valid regular expression: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  },
};

const SECRET_DESCRIPTION =
  "A value starting with 'file://' names a file, relative to the\n" +
  "tracker home ('file:///' for an absolute path), whose first line\n" +
  'is used as the value, trailing whitespace removed. Any other\n' +
  'value is used as it is.\n';

/**
 * Read a `file://` secret: the first line of the file, trailing
 * whitespace stripped; other texts are returned unchanged.
 */
export function readSecret(text: string, home: string): string {
  if (!text.startsWith('file://')) return text;
  const path = text.slice('file://'.length).trim();
  const full = isAbsolute(path) ? path : join(home, path);
  let content: string;
  try {
    content = readFileSync(full, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new OptionValueProblem(`unable to read the value from ${full}: ${reason}`);
  }
  return content.split(/\r\n|\r|\n/u, 1)[0].replace(/\s+$/u, '');
}

/**
 * Secret that may live in a file (Roundup's `SecretMandatoryOption`,
 * `SecretNullableOption`): the text (possibly `file://...`) is what is
 * written back, the value is the secret itself.
 */
export function secretType(inner: OptionType<string> | OptionType<string | null>): OptionType<string | null> {
  return {
    kind: 'secret',
    classDescription: SECRET_DESCRIPTION,
    parse(text, ctx) {
      const parsed = inner.parse(readSecret(text, ctx.home), ctx);
      return { value: parsed.value, text };
    },
  };
}

/**
 * Space separated list of allowed CORS origins (Roundup's
 * `OriginHeadersListOption`); `*` may only come first.
 */
export const originListType: OptionType<string[]> = {
  kind: 'origins',
  classDescription: "A list of space separated case sensitive\norigin headers 'scheme://host'.",
  parse(text) {
    const value = text.split(/\s+/u).filter((o) => o !== '');
    if (value.indexOf('*', 1) > 0) {
      throw new OptionValueProblem(`${quote(text)}: the '*' origin must be the first in the list`);
    }
    return { value, text };
  },
};

/**
 * Python logging format with `%(name)s` placeholders (Roundup's
 * `LoggingFormatOption`): every `%(...)` must end in a conversion letter.
 */
export const loggingFormatType: OptionType<string> = {
  kind: 'logging-format',
  parse(text) {
    const bad = /%\([^)]*\)(?![-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa])\S*/u.exec(text);
    if (bad) throw new OptionValueProblem(`unrecognized use of %(...) in: ${quote(bad[0])}`);
    return { value: text, text };
  },
};

/** Redis URL; `decode_responses` is refused as Roundup's `RedisUrlOption` does. */
export const redisUrlType: OptionType<string | null> = secretType({
  kind: 'redis-url',
  parse(text) {
    if (/[?&]decode_responses=/u.test(text)) {
      throw new OptionValueProblem(`${quote(text)}: the decode_responses parameter is not allowed`);
    }
    return { value: text, text };
  },
});
