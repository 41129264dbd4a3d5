/**
 * Python's `repr()` of a str, byte for byte as CPython 3 writes it: single
 * quotes unless the text holds a single quote and no double quote,
 * backslash escapes for the quote, backslash, \n \r \t, and \x/\u/\U
 * escapes for characters Python does not consider printable. Roundup's
 * messages and its export format both use it.
 */
export function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (isPrintable(ch, code)) out += ch;
    else if (code < 0x100) out += '\\x' + code.toString(16).padStart(2, '0');
    else if (code < 0x10000) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += '\\U' + code.toString(16).padStart(8, '0');
  }
  return out + quote;
}

// Python's str.isprintable: everything except categories Cc, Cf, Cs, Co, Cn,
// Zl, Zp and Zs other than the ASCII space.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function isPrintable(ch: string, code: number): boolean {
  if (code === 0x20) return true;
  if (code < 0x7f) return code > 0x20;
  return !NON_PRINTABLE.test(ch);
}
