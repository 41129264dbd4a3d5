/**
 * Splits an interactive roundup-admin line into arguments, with the rules
 * of Roundup's `token_split`:
 * - spaces, tabs, CR and LF separate tokens;
 * - `'` or `"` starts a quoted stretch that runs to the same quote char and
 *   may sit inside a token (`address="1 2 3"` is one token `address=1 2 3`);
 *   the other quote char inside it is plain text (`"Roch'e"`);
 * - a backslash takes the next character literally (a space, a quote, a
 *   backslash), also inside quotes (`"test\"q"`), except `\n`, `\r` and
 *   `\t`, which become newline, carriage return and tab; any other escaped
 *   character stands for itself (`\o` is `o`);
 * - `''` is an empty token.
 *
 * @throws TokenizeError when a quote is not closed (Roundup then ignores
 *   the line).
 */
export function tokenize(line: string): string[] {
  const tokens: string[] = [];
  let token = '';
  let inToken = false;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\') {
      // Roundup drops a token that ends in a lone backslash; so do we.
      if (i + 1 === line.length) return tokens;
      const next = line[++i]!;
      token += ESCAPES[next] ?? next;
      inToken = true;
      continue;
    }
    if (quote !== null) {
      if (c === quote) quote = null;
      else token += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inToken = true;
      continue;
    }
    if (WHITESPACE.includes(c)) {
      if (inToken) tokens.push(token);
      token = '';
      inToken = false;
      continue;
    }
    token += c;
    inToken = true;
  }
  if (quote !== null) throw new TokenizeError(`no closing ${quote} quote`);
  if (inToken) tokens.push(token);
  return tokens;
}

/** A line with an unclosed quote. */
export class TokenizeError extends Error {
  override name = 'TokenizeError';
}

const WHITESPACE = ' \r\n\t';
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t' };
