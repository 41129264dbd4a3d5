/**
 * The subject line grammar of the mail gateway, as Roundup's
 * `parsedMessage.parse_subject` reads it:
 *
 *     Re: Fwd: "[issue42] The title [status=resolved;nosy=+alice]"
 *     ^^^^^^^^ ^^^^^^^^^ ^^^^^^^^^ ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
 *     refwd    prefix    title     suffix (property assignments)
 *
 * - leading reply/forward markers (`[mailgw] refwd_re`) are removed and
 *   remembered (title matching only happens for replies);
 * - a leading `"` (some mail programs quote the subject) is removed, and a
 *   trailing one with it;
 * - the first `[<class>]` or `[<class><id>]` anywhere is the prefix; text
 *   before it (a mailing list tag) is dropped. Unlike Roundup, the class
 *   name is matched whatever its case and returned as the schema spells
 *   it, and blanks inside the brackets are allowed (`[ issue 2 ]`);
 * - a bracketed group at the very end is the suffix;
 * - what remains is the title.
 *
 * The brackets are `[mailgw] subject_suffix_delimiters` (default `[]`).
 * Everything here is pure: what the parts mean is decided by the caller.
 */

import { RupError } from '../../errors.js';

/** What parsing a subject needs to know. */
export interface SubjectSettings {
  /** `[mailgw] refwd_re`: one or more reply/forward markers. */
  refwd: RegExp;
  /** `[mailgw] subject_suffix_delimiters`: the opening and closing bracket. */
  delimiters: string;
  /** The schema's class names. */
  classnames: readonly string[];
}

/** A subject taken apart. */
export interface ParsedSubject {
  /** The whole subject as received. */
  subject: string;
  /** The reply/forward markers found at the start (`Re: Fwd:`), or null. */
  refwd: string | null;
  /** True when the subject (after the markers) started with a `"`. */
  quoted: boolean;
  /** True when the subject starts with a bracketed single word (`[word]`), class or not. */
  hasPrefix: boolean;
  /** The class named by the prefix (schema spelling), or null. */
  classname: string | null;
  /** The id of the prefix's designator, or null. */
  nodeid: string | null;
  /** What remains once markers, prefix and suffix are removed (trimmed). */
  title: string;
  /** The text inside the suffix brackets, or null when there is no suffix. */
  args: string | null;
  /** The suffix with its brackets, as written, or null. */
  argsWhole: string | null;
}

/** Escapes the characters a regular expression (unicode mode) treats specially outside a character class. */
function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** Escapes a character for use inside a character class (unicode mode). */
function escapeClassChar(ch: string): string {
  return /[\\\]\[^-]/.test(ch) ? `\\${ch}` : ch;
}

/**
 * The two bracket characters of `[mailgw] subject_suffix_delimiters`.
 * @throws RupError RUP_ERR_CONFIG unless the setting is exactly two characters.
 */
export function subjectDelimiters(setting: string): { open: string; close: string } {
  const chars = [...setting];
  if (chars.length !== 2) {
    throw new RupError('RUP_ERR_CONFIG', `[mailgw] subject_suffix_delimiters must be two characters (an opening and a closing one), not ${JSON.stringify(setting)}`, {
      location: { section: 'mailgw', option: 'subject_suffix_delimiters' },
    });
  }
  return { open: chars[0]!, close: chars[1]! };
}

/**
 * Takes a subject apart (see the module comment). Case is ignored
 * throughout; the class name is returned as the schema spells it.
 * @throws RupError RUP_ERR_CONFIG for bad delimiters.
 */
export function parseSubject(subject: string, settings: SubjectSettings): ParsedSubject {
  const { open, close } = subjectDelimiters(settings.delimiters);
  const o = escapeRegExp(open);
  const c = escapeRegExp(close);
  let rest = subject;

  // Reply/forward markers: only the markers are consumed, the blanks after them stay (the title is trimmed).
  let refwd: string | null = null;
  const markers = new RegExp(`^(?:${settings.refwd.source})`, 'iu').exec(rest);
  if (markers && markers[0]) {
    refwd = markers[0];
    rest = rest.slice(refwd.length);
  }

  const quote = /^\s*"/.exec(rest);
  if (quote) rest = rest.slice(quote[0].length);

  const hasPrefix = new RegExp(`^${o}[\\p{L}\\p{N}\\p{M}_]+${c}`, 'u').test(rest.trim());

  // The designator may follow other bracketed text (a mailing list tag): search, do not anchor.
  let classname: string | null = null;
  let nodeid: string | null = null;
  if (settings.classnames.length) {
    const names = [...settings.classnames].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');
    const designator = new RegExp(`${o}\\s*(${names})\\s*(\\d+)?\\s*${c}`, 'iu').exec(rest);
    if (designator) {
      const written = designator[1]!.toLowerCase();
      classname = settings.classnames.find((name) => name.toLowerCase() === written) ?? null;
      nodeid = designator[2] === undefined ? null : String(Number(designator[2]));
      rest = rest.slice(designator.index + designator[0].length);
    }
  }

  // The suffix is a bracketed group ending the subject (a closing quote may follow it).
  rest = rest.trim();
  let args: string | null = null;
  let argsWhole: string | null = null;
  const suffix = new RegExp(`(${o}([^${escapeClassChar(close)}]*)${c})${quote ? '"?' : ''}$`, 'u').exec(rest);
  if (suffix) {
    argsWhole = suffix[1]!;
    args = suffix[2]!;
    rest = rest.slice(0, suffix.index);
  }

  let title = rest.trim();
  // A closing quote without a suffix: Re: "[issue1] the title"
  if (quote && argsWhole === null && title.endsWith('"')) title = title.slice(0, -1).trim();

  return { subject, refwd, quoted: !!quote, hasPrefix, classname, nodeid, title, args, argsWhole };
}

/** One `name=value` of a suffix or a `-S` option, before conversion. */
export interface PropertyAssignment {
  name: string;
  value: string;
}

/** Roundup's wording for a suffix that is not a list of `name=value`. */
export const NOT_ASSIGNMENTS = 'not of form [arg=value,value,...;arg=value,value,...]';

/**
 * Splits `name=value;name=value` (Roundup's setPropArrayFromString): the
 * parts are separated by `;` and each must hold exactly one `=`. Returns
 * the assignments, or the form error (Roundup stops at the first part that
 * is not an assignment, and reports only that).
 */
export function splitAssignments(text: string): { assignments: PropertyAssignment[]; formError: string | null } {
  const assignments: PropertyAssignment[] = [];
  for (const part of text.split(';')) {
    const pieces = part.split('=');
    if (pieces.length !== 2) return { assignments, formError: NOT_ASSIGNMENTS };
    assignments.push({ name: pieces[0]!.trim(), value: pieces[1]! });
  }
  return { assignments, formError: null };
}

/** A subject that asks for the gateway's help text (Roundup: the whole subject is `help`, any case). */
export function isHelpSubject(subject: string): boolean {
  return subject.trim().toLowerCase() === 'help';
}

/**
 * The one-time key of a registration reply (`-- key <key>` in the title),
 * or null. Roundup's keys are 32 letters and digits; ours (web
 * registration) are 43 characters of URL-safe base64, so both forms are
 * recognised.
 */
export function registrationKey(title: string): string | null {
  const m = /-- key ([A-Za-z0-9_-]{32,64})(?![A-Za-z0-9_-])/.exec(title);
  return m ? m[1]! : null;
}
