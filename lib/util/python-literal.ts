/**
 * Python literals, both ways: a parser for the values `ast.literal_eval`
 * accepts (what Roundup's export files hold: strings and bytes with every
 * escape form, ints, floats, None/True/False, tuples, lists, dicts) and a
 * writer producing exactly what Python 3's `repr()` prints.
 *
 * The value model keeps the distinctions repr needs: a JS `number` that is
 * an integer is a Python int (`bigint` past 2^53), `PyFloat` is a float
 * (so `3.0` stays `3.0`), `PyTuple` is a tuple, an array is a list,
 * `Uint8Array` is bytes and `PyDict` keeps its entries in order.
 */
import { RupError } from '../errors.js';
import { pythonStringRepr } from './python-repr.js';

/** A Python float (repr always shows it as one: `3.0`, `1e-05`, `inf`). */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A Python tuple. */
export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

/** A Python dict; entries keep the order they were written or given in. */
export class PyDict {
  constructor(readonly entries: ReadonlyArray<readonly [PyValue, PyValue]>) {}

  /** The value under a string key (the last one written, as Python keeps), or undefined. */
  get(key: string): PyValue | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]![0] === key) return this.entries[i]![1];
    return undefined;
  }
}

export type PyValue = null | boolean | number | bigint | string | PyFloat | Uint8Array | PyTuple | PyDict | PyValue[];

/** A malformed literal; `column` is the 1-based character where the problem was found. */
export class PythonLiteralError extends RupError {
  constructor(
    readonly reason: string,
    readonly column: number,
  ) {
    super('RUP_ERR_FORMAT', `${reason} (at character ${column})`);
    this.name = 'PythonLiteralError';
  }
}

// ---- writing ----

/**
 * Python 3's `repr()` of a value: strings as pythonStringRepr, bytes as
 * `b'...'`, ints, floats as Python prints them (pythonFloatRepr), `None`,
 * `True`, `False`, lists `[a, b]`, tuples `()`, `(a,)`, `(a, b)` and dicts
 * `{k: v}` in their entry order.
 */
export function pythonRepr(value: PyValue): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pythonStringRepr(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return pythonNumberRepr(value);
  if (value instanceof PyFloat) return pythonFloatRepr(value.value);
  if (value instanceof Uint8Array) return 'b' + pythonBytesRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (value instanceof PyTuple) {
    const items = value.items.map(pythonRepr);
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  return `{${value.entries.map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`;
}

/** A JS number as Python: an int when it is integral, else a float. */
function pythonNumberRepr(n: number): string {
  if (!Number.isInteger(n)) return pythonFloatRepr(n);
  return Number.isSafeInteger(n) ? String(n === 0 ? 0 : n) : BigInt(n).toString();
}

/**
 * Python's `repr(float)`: the shortest digits that read back to the same
 * value (as JavaScript finds them), laid out as CPython does: positional
 * with at least one decimal (`38.0`, `0.0001`) while the decimal exponent
 * is in [-4, 16), else scientific with a signed two-digit exponent
 * (`1e-05`, `1e+16`, `1.5e+300`); `inf`, `-inf`, `nan`, `-0.0`.
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, exponent] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exp = Number(exponent);
  // CPython's float_repr_style 'short': positional when -4 <= exp < 16.
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const point = exp + 1;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * Python's repr of a bytes object without the leading `b`: single quotes
 * unless the bytes hold a single quote and no double quote, `\\`, the
 * quote, `\t` `\n` `\r` escaped, other bytes outside 0x20-0x7e as `\xhh`.
 */
export function pythonBytesRepr(bytes: Uint8Array): string {
  const hasSingle = bytes.includes(0x27);
  const quote = hasSingle && !bytes.includes(0x22) ? 0x22 : 0x27;
  let out = String.fromCharCode(quote);
  for (const b of bytes) {
    if (b === quote || b === 0x5c) out += '\\' + String.fromCharCode(b);
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b < 0x20 || b >= 0x7f) out += '\\x' + b.toString(16).padStart(2, '0');
    else out += String.fromCharCode(b);
  }
  return out + String.fromCharCode(quote);
}

// ---- reading ----

const MAX_DEPTH = 200;
const NAME_RE = /[A-Za-z_][A-Za-z0-9_]*/y;
const STRING_PREFIX_RE = /(?:[rR][bB]?|[bB][rR]?|[uU])?(?='|")/y;
const DECIMAL_RE = /(\d(?:_?\d)*)?(\.(\d(?:_?\d)*)?)?([eE][+-]?\d(?:_?\d)*)?/y;
const RADIX_RE = /0(?:[xX]((?:_?[0-9a-fA-F])+)|[oO]((?:_?[0-7])+)|[bB]((?:_?[01])+))/y;
const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/**
 * Parses one Python literal (what `ast.literal_eval` accepts, minus sets
 * and complex numbers, plus `inf` and `nan`, which Python's repr writes).
 *
 * @throws PythonLiteralError (RUP_ERR_FORMAT) naming what is wrong and where.
 */
export function parsePythonLiteral(text: string): PyValue {
  // The shapes filling most export fields, read without the general parser.
  const fast = quickLiteral(text);
  if (fast !== undefined) return fast;
  const parser = new LiteralParser(text);
  return parser.parseAll();
}

function quickLiteral(text: string): PyValue | undefined {
  switch (text) {
    case 'None':
      return null;
    case 'True':
      return true;
    case 'False':
      return false;
    case '[]':
      return [];
    case '{}':
      return new PyDict([]);
  }
  const n = text.length;
  if (n >= 2 && text.charCodeAt(0) === 0x27 && text.charCodeAt(n - 1) === 0x27) {
    const body = text.slice(1, n - 1);
    if (!/['\\\n\r]/.test(body)) return body;
  }
  return undefined;
}

class LiteralParser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  parseAll(): PyValue {
    this.skipSpace();
    if (this.pos >= this.text.length) this.fail('empty value, expected a Python literal');
    const value = this.value();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected text after the value: ${pythonStringRepr(this.text.slice(this.pos, this.pos + 20))}`);
    return value;
  }

  private fail(reason: string, at = this.pos): never {
    throw new PythonLiteralError(reason, at + 1);
  }

  private skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c) this.pos++;
      else if (c === 0x5c && (t[this.pos + 1] === '\n' || t[this.pos + 1] === '\r')) this.pos += 2;
      else break;
    }
  }

  private value(): PyValue {
    if (++this.depth > MAX_DEPTH) this.fail('too deeply nested');
    try {
      return this.valueInner();
    } finally {
      this.depth--;
    }
  }

  private valueInner(): PyValue {
    const c = this.text[this.pos];
    if (c === undefined) this.fail('unexpected end of the value');
    if (c === '[') return this.list();
    if (c === '(') return this.tuple();
    if (c === '{') return this.dict();
    if (c === '+' || c === '-') return this.signed();
    if ((c >= '0' && c <= '9') || c === '.') return this.number();
    STRING_PREFIX_RE.lastIndex = this.pos;
    if (STRING_PREFIX_RE.test(this.text)) return this.strings();
    NAME_RE.lastIndex = this.pos;
    const m = NAME_RE.exec(this.text);
    if (m) return this.name(m[0]);
    return this.fail(`unexpected character ${pythonStringRepr(c)}`);
  }

  private name(word: string): PyValue {
    const start = this.pos;
    this.pos += word.length;
    switch (word) {
      case 'None':
        return null;
      case 'True':
        return true;
      case 'False':
        return false;
      case 'inf':
        return new PyFloat(Infinity);
      case 'nan':
        return new PyFloat(NaN);
      default:
        return this.fail(`unknown name ${pythonStringRepr(word)} (not a literal)`, start);
    }
  }

  /** Unary + and - apply to numbers only, as in ast.literal_eval. */
  private signed(): PyValue {
    let negative = false;
    while (this.text[this.pos] === '+' || this.text[this.pos] === '-') {
      if (this.text[this.pos] === '-') negative = !negative;
      this.pos++;
      this.skipSpace();
    }
    const start = this.pos;
    const c = this.text[this.pos];
    let value: PyValue;
    if (c !== undefined && ((c >= '0' && c <= '9') || c === '.')) value = this.number();
    else if (this.text.startsWith('inf', this.pos) || this.text.startsWith('nan', this.pos)) value = this.name(this.text.slice(this.pos, this.pos + 3));
    else return this.fail('a sign must be followed by a number', start);
    if (!negative) return value;
    if (value instanceof PyFloat) return new PyFloat(-value.value);
    if (typeof value === 'bigint') return -value;
    return value === 0 ? 0 : -(value as number);
  }

  private number(): PyValue {
    const start = this.pos;
    const t = this.text;
    RADIX_RE.lastIndex = start;
    const radix = RADIX_RE.exec(t);
    let value: PyValue;
    if (radix) {
      this.pos = RADIX_RE.lastIndex;
      const [digits, base] = radix[1] !== undefined ? [radix[1], 16] : radix[2] !== undefined ? [radix[2], 8] : [radix[3]!, 2];
      value = toInt(BigInt((base === 16 ? '0x' : base === 8 ? '0o' : '0b') + digits.replace(/_/g, '')));
    } else {
      DECIMAL_RE.lastIndex = start;
      const m = DECIMAL_RE.exec(t)!;
      if (m[1] === undefined && m[3] === undefined) this.fail('not a number', start);
      this.pos = DECIMAL_RE.lastIndex;
      const clean = m[0].replace(/_/g, '');
      if (m[2] !== undefined || m[4] !== undefined) {
        value = new PyFloat(Number(clean));
      } else {
        if (/^0+[1-9]/.test(clean)) this.fail('leading zeros in decimal integer literals are not permitted', start);
        value = toInt(BigInt(clean));
      }
    }
    const next = t[this.pos];
    if (next !== undefined && /[A-Za-z0-9_.]/.test(next)) this.fail(`invalid number literal ${pythonStringRepr(t.slice(start, this.pos + 1))}`, start);
    return value;
  }

  /** One or more adjacent string literals, concatenated as Python does. */
  private strings(): PyValue {
    let text: string | null = null;
    let bytes: number[] | null = null;
    for (;;) {
      STRING_PREFIX_RE.lastIndex = this.pos;
      const m = STRING_PREFIX_RE.exec(this.text);
      if (!m) break;
      const start = this.pos;
      const prefix = m[0].toLowerCase();
      this.pos += m[0].length;
      const isBytes = prefix.includes('b');
      const raw = prefix.includes('r');
      if ((isBytes && text !== null) || (!isBytes && bytes !== null)) this.fail('cannot mix bytes and nonbytes literals', start);
      const part = this.stringBody(raw, isBytes);
      if (isBytes) (bytes ??= []).push(...(part as number[]));
      else text = (text ?? '') + (part as string);
      const after = this.pos;
      this.skipSpace();
      STRING_PREFIX_RE.lastIndex = this.pos;
      if (!STRING_PREFIX_RE.test(this.text)) {
        this.pos = after;
        break;
      }
    }
    return bytes !== null ? Uint8Array.from(bytes) : text!;
  }

  /** The body of one literal after its prefix: the text, or the byte values for bytes. */
  private stringBody(raw: boolean, isBytes: boolean): string | number[] {
    const t = this.text;
    const start = this.pos;
    const q = t[this.pos]!;
    const triple = t.startsWith(q.repeat(3), this.pos);
    const close = triple ? q.repeat(3) : q;
    this.pos += close.length;
    let out = '';
    const bytes: number[] = [];
    /** Adds literal text found at `at`. */
    const emit = (s: string, at: number) => {
      if (!isBytes) {
        out += s;
        return;
      }
      for (let i = 0; i < s.length; i++) {
        const code = s.charCodeAt(i);
        if (code > 0x7f) this.fail('bytes can only contain ASCII literal characters', at + i);
        bytes.push(code);
      }
    };
    for (;;) {
      if (this.pos >= t.length) this.fail('unterminated string literal', start);
      if (t.startsWith(close, this.pos)) {
        this.pos += close.length;
        return isBytes ? bytes : out;
      }
      const c = t[this.pos]!;
      if ((c === '\n' || c === '\r') && !triple) this.fail('unterminated string literal', start);
      if (c !== '\\') {
        // Copy the run of plain characters at once.
        let end = this.pos + 1;
        while (end < t.length && t[end] !== '\\' && t[end] !== q && (triple || (t[end] !== '\n' && t[end] !== '\r'))) end++;
        emit(t.slice(this.pos, end), this.pos);
        this.pos = end;
        continue;
      }
      const next = t[this.pos + 1];
      if (next === undefined) this.fail('unterminated string literal', start);
      if (raw) {
        // A raw literal keeps the backslash; it only stops the next character from ending the literal.
        emit(c + next, this.pos);
        this.pos += 2;
        continue;
      }
      if (isBytes) {
        const at = this.pos;
        const code = this.escape(next, true);
        if (typeof code === 'number') bytes.push(code);
        else emit(code, at);
      } else {
        const s = this.escape(next, false);
        out += typeof s === 'number' ? String.fromCodePoint(s) : s;
      }
    }
  }

  /** Reads the escape at pos (a backslash, then `next`); a code for \x, \u, \U and octal, else the text to add. */
  private escape(next: string, isBytes: boolean): number | string {
    const t = this.text;
    const at = this.pos;
    if (next === '\n') {
      this.pos += 2;
      return '';
    }
    if (next === '\r') {
      this.pos += t[at + 2] === '\n' ? 3 : 2;
      return '';
    }
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      this.pos += 2;
      return simple;
    }
    if (next >= '0' && next <= '7') {
      let end = at + 1;
      while (end < at + 4 && t[end]! >= '0' && t[end]! <= '7') end++;
      const code = parseInt(t.slice(at + 1, end), 8);
      if (isBytes && code > 0xff) this.fail(`octal escape ${t.slice(at, end)} is out of range for bytes`, at);
      this.pos = end;
      return code;
    }
    const hexLength = next === 'x' ? 2 : !isBytes && next === 'u' ? 4 : !isBytes && next === 'U' ? 8 : 0;
    if (hexLength) {
      const hex = t.slice(at + 2, at + 2 + hexLength);
      if (hex.length < hexLength || !/^[0-9a-fA-F]+$/.test(hex)) this.fail(`truncated \\${next}${'X'.repeat(hexLength)} escape`, at);
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) this.fail('illegal Unicode character', at);
      this.pos = at + 2 + hexLength;
      return code;
    }
    if (!isBytes && next === 'N') this.fail('\\N{...} escapes are not supported', at);
    // Python keeps unknown escapes as they are (with a warning).
    this.pos += 2;
    return '\\' + next;
  }

  private list(): PyValue[] {
    this.pos++;
    return this.items(']');
  }

  private tuple(): PyValue {
    const start = this.pos;
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ')') {
      this.pos++;
      return new PyTuple([]);
    }
    const first = this.value();
    this.skipSpace();
    if (this.text[this.pos] === ')') {
      // A parenthesised value, not a tuple.
      this.pos++;
      return first;
    }
    if (this.text[this.pos] !== ',') this.fail("expected ',' or ')' in a tuple", this.pos >= this.text.length ? start : this.pos);
    this.pos++;
    return new PyTuple([first, ...this.items(')')]);
  }

  /** Comma-separated values up to `end` (a trailing comma allowed); pos is past the opening bracket. */
  private items(end: string): PyValue[] {
    const out: PyValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length) this.fail(`missing '${end}'`);
      if (this.text[this.pos] === end) {
        this.pos++;
        return out;
      }
      out.push(this.value());
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c !== end) this.fail(c === undefined ? `missing '${end}'` : `expected ',' or '${end}'`);
    }
  }

  private dict(): PyDict {
    this.pos++;
    const entries: Array<[PyValue, PyValue]> = [];
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length) this.fail("missing '}'");
      if (this.text[this.pos] === '}') {
        this.pos++;
        return new PyDict(entries);
      }
      const keyAt = this.pos;
      const key = this.value();
      if (Array.isArray(key) || key instanceof PyDict) this.fail(`unhashable type: '${Array.isArray(key) ? 'list' : 'dict'}'`, keyAt);
      this.skipSpace();
      const after = this.text[this.pos];
      if (after !== ':') this.fail(entries.length === 0 && (after === ',' || after === '}') ? 'set literals are not supported' : "expected ':' in a dict");
      this.pos++;
      this.skipSpace();
      entries.push([key, this.value()]);
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c !== '}') this.fail(c === undefined ? "missing '}'" : "expected ',' or '}'");
    }
  }
}

function toInt(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** A numeric literal as a JS number (ints, bigints and floats alike); null for anything else. */
export function pyNumber(value: PyValue): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof PyFloat) return value.value;
  return null;
}
