/**
 * Roundup's parseContent: splits a message body into its summary and the
 * content worth keeping. The body is divided into sections by blank lines;
 * sections whose second and later lines start with ">" or "|" are quotes.
 * The first line of the first non-quoted section (or its first sentence)
 * is the summary. Quotes, a trailing signature and an Outlook-style
 * "Original Message" are dropped unless the settings keep them.
 */

export interface ContentSettings {
  /** `[mailgw] keep_quoted_text`: yes | no | new. */
  keepQuotedText: string | boolean;
  /** `[mailgw] leave_body_unchanged`: yes | no | new. */
  leaveBodyUnchanged: string | boolean;
  eol: RegExp;
  blankLine: RegExp;
  signature: RegExp;
  originalMessage: RegExp;
}

export const DEFAULT_CONTENT_SETTINGS: ContentSettings = {
  keepQuotedText: 'yes',
  leaveBodyUnchanged: 'no',
  eol: /[\r\n]+/,
  blankLine: /[\r\n]+\s*[\r\n]+/,
  signature: /^[>|\s]*-- ?$/,
  originalMessage: /^[>|\s]*-----\s?Original Message\s?-----$/,
};

/** Reads the settings from a tracker configuration (Roundup's MAILGW_* options). */
export function contentSettingsFrom(config: Record<string, unknown> | null | undefined): ContentSettings {
  if (!config) return DEFAULT_CONTENT_SETTINGS;
  const pick = <T>(key: string, dflt: T): T => (config[key] === undefined || config[key] === null ? dflt : (config[key] as T));
  return {
    keepQuotedText: pick('MAILGW_KEEP_QUOTED_TEXT', DEFAULT_CONTENT_SETTINGS.keepQuotedText),
    leaveBodyUnchanged: pick('MAILGW_LEAVE_BODY_UNCHANGED', DEFAULT_CONTENT_SETTINGS.leaveBodyUnchanged),
    eol: pick('MAILGW_EOL_RE', DEFAULT_CONTENT_SETTINGS.eol),
    blankLine: pick('MAILGW_BLANKLINE_RE', DEFAULT_CONTENT_SETTINGS.blankLine),
    signature: pick('MAILGW_SIGN_RE', DEFAULT_CONTENT_SETTINGS.signature),
    originalMessage: pick('MAILGW_ORIGMSG_RE', DEFAULT_CONTENT_SETTINGS.originalMessage),
  };
}

function yesNoNew(value: string | boolean, isNewIssue: boolean): boolean {
  if (typeof value === 'boolean') return value;
  return value === 'yes' || (value === 'new' && isNewIssue);
}

/** Python's re.match: a match anchored at the start of the text (not necessarily the end). */
function matchesAtStart(re: RegExp, text: string): boolean {
  const sticky = new RegExp(re.source, re.flags.replace(/[gy]/g, '') + 'y');
  return sticky.test(text);
}

function splitBy(re: RegExp, text: string): string[] {
  return text.split(new RegExp(re.source, re.flags.replace(/[gy]/g, '')));
}

const isQuote = (line: string | undefined) => !!line && (line[0] === '>' || line[0] === '|');

/** Returns `{ summary, content }` for a message body, with Roundup's rules. */
export function parseContent(body: string, settings: ContentSettings = DEFAULT_CONTENT_SETTINGS, isNewIssue = false): { summary: string; content: string } {
  const keepCitations = yesNoNew(settings.keepQuotedText, isNewIssue);
  const keepBody = yesNoNew(settings.leaveBodyUnchanged, isNewIssue);
  const sections = splitBy(settings.blankLine, body.replace(/^[\r\n]+/, ''));
  let lastNonEmpty = sections.length - 1;
  while (lastNonEmpty > 0 && !sections[lastNonEmpty]) lastNonEmpty--;

  let summary = '';
  const kept: string[] = [];
  for (let ns = 0; ns < sections.length; ns++) {
    let section = sections[ns]!;
    if (!section) continue;
    let lines = splitBy(settings.eol, section);
    const quoteFirst = isQuote(lines[0]);
    const quoteSecond = lines.length > 1 && isQuote(lines[1]);
    if (quoteFirst || quoteSecond) {
      // A non-quoted first line of a later section is kept, unless it introduces the quote ("X wrote:").
      if (ns && !quoteFirst && lines[0] && !keepCitations && !lines[0].endsWith(':')) kept.push(lines[0]);
      const reply = lines.slice(1).findIndex((line) => line && !isQuote(line));
      if (reply < 0) {
        if (keepCitations) kept.push(section);
        continue;
      }
      // The section has a response inside it (no blank line after the quote): keep that part.
      if (!keepCitations) lines = lines.slice(reply + 1);
      section = lines.join('\n');
    }
    const isLast = ns === lastNonEmpty;
    if (!summary) {
      summary = section;
    } else if (isLast && matchesAtStart(settings.signature, lines[0] ?? '') && lines.length >= 2 && lines.length <= 10) {
      break;
    } else if (matchesAtStart(settings.originalMessage, lines[0] ?? '')) {
      break;
    }
    kept.push(section);
  }
  const sentence = /^([^!?.]+[!?.])/.exec(summary)?.[1] ?? '';
  const firstLine = splitBy(settings.eol, summary)[0] ?? '';
  // Roundup takes max() of the two strings: the greater one in string order, not the longer.
  return { summary: sentence > firstLine ? sentence : firstLine, content: keepBody ? body : kept.join('\n\n') };
}
