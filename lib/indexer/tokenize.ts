/**
 * The word splitter of Roundup's native indexers (indexer_rdbms, indexer_dbm),
 * used for indexed texts and for search queries alike, so a query word
 * matches exactly the words a text was indexed under.
 *
 * Roundup upper-cases the whole text, then takes every match of the Python
 * regex `\b\w{2,50}\b`, then drops stop words. The facts that follow from
 * Python's Unicode `\w` and `\b`, which this module reproduces:
 * - a word character is a letter (any script), a number (any Unicode
 *   number, not only 0-9) or `_`; combining marks (Mn/Mc) and apostrophes
 *   are not, so they split words: "don't" gives DON (T is too short),
 *   a decomposed "é" ends the word before its accent;
 * - a run of word characters longer than 50 yields nothing at all (the
 *   regex needs a word boundary on both sides), it is not cut into pieces;
 * - lengths count code points, as Python's `len` does;
 * - upper-casing happens before splitting, with full case mapping
 *   ("ß" becomes "SS"), exactly like Python's `str.upper`.
 */

/** Roundup's built-in stop words (indexer_common.STOPWORDS), already upper-case. */
export const ROUNDUP_STOPWORDS: readonly string[] = Object.freeze([
  'A', 'AND', 'ARE', 'AS', 'AT', 'BE', 'BUT', 'BY',
  'FOR', 'IF', 'IN', 'INTO', 'IS', 'IT',
  'NO', 'NOT', 'OF', 'ON', 'OR', 'SUCH',
  'THAT', 'THE', 'THEIR', 'THEN', 'THERE', 'THESE',
  'THEY', 'THIS', 'TO', 'WAS', 'WILL', 'WITH',
]);

/** Shortest indexed word, in code points (Roundup's `minlength`). */
export const MIN_WORD_LENGTH = 2;
/** Longest indexed word, in code points (Roundup's `maxlength`; older releases used 25). */
export const MAX_WORD_LENGTH = 50;

// Python's str `\w`: str.isalnum() (letters Lu/Ll/Lt/Lm/Lo, and numerics) or "_".
// Whole runs are matched and their length checked after, which is `\b\w{2,50}\b`
// without the look-arounds that make the regex slow.
const WORD_RUNS = /[\p{L}\p{N}_]+/gu;
// The same for text that is all ASCII (most of it), where the Unicode classes reduce to these.
const ASCII_TEXT = /^[\x00-\x7f]*$/;
const ASCII_WORD_RUNS = /[A-Za-z0-9_]+/g;

/** Length in code points (a surrogate pair counts once). */
function codePoints(word: string): number {
  let n = word.length;
  for (let i = 0; i < word.length; i++) {
    const unit = word.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) n--;
  }
  return n;
}

/**
 * The stop-word set of a tracker: Roundup's list plus `[main] indexer_stopwords`.
 *
 * Extra words are trimmed and upper-cased. Roundup adds the configured words
 * as written (split on commas only), so a lower-case or space-padded entry
 * there silently never matches an upper-cased word; normalising them makes
 * the option do what its documentation says. Empty entries are ignored.
 */
export function stopwordSet(extra: readonly string[] = []): ReadonlySet<string> {
  const set = new Set(ROUNDUP_STOPWORDS);
  for (const word of extra) {
    const normalised = word.trim().toUpperCase();
    if (normalised) set.add(normalised);
  }
  return set;
}

const DEFAULT_STOPWORDS = stopwordSet();

/**
 * The distinct words of `text`, upper-cased, in order of first appearance,
 * without stop words and without runs shorter than 2 or longer than 50.
 * Never throws; an empty or word-free text gives an empty array.
 */
export function splitWords(text: string, stopwords: ReadonlySet<string> = DEFAULT_STOPWORDS): string[] {
  const seen = new Set<string>();
  const upper = text.toUpperCase();
  for (const word of upper.match(ASCII_TEXT.test(upper) ? ASCII_WORD_RUNS : WORD_RUNS) ?? []) {
    // A run is at most twice as many UTF-16 units as code points.
    if (word.length < MIN_WORD_LENGTH || word.length > 2 * MAX_WORD_LENGTH) continue;
    const length = codePoints(word);
    if (length >= MIN_WORD_LENGTH && length <= MAX_WORD_LENGTH && !stopwords.has(word)) seen.add(word);
  }
  return [...seen];
}
