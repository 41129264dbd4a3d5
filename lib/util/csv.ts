/**
 * CSV in the dialect of Roundup's export files: Python's `csv.excel` with
 * `:` as the delimiter and `\n` line ends. Writing quotes a field only when
 * it holds the delimiter, a double quote, CR or LF, and doubles the quotes
 * inside (QUOTE_MINIMAL). Reading follows Python's reader (non-strict):
 * quoted fields may span lines, a quote inside an unquoted field is kept,
 * CR, LF and CRLF all end a row, an empty line is a row of no fields. Two
 * things Python lets through are errors here, because they mean the file
 * was cut short: end of file inside a quoted field, and a last row with no
 * line end (Roundup always ends its rows with one).
 */
import { createReadStream } from 'node:fs';
import { RupError } from '../errors.js';

export const CSV_DELIMITER = ':';

/** One field as Roundup's writer puts it in the file. */
export function formatCsvField(field: string): string {
  if (!/[:"\r\n]/.test(field)) return field;
  return `"${field.replace(/"/g, '""')}"`;
}

/** A whole row, with its `\n`. */
export function formatCsvRow(fields: readonly string[]): string {
  let out = '';
  for (let i = 0; i < fields.length; i++) out += (i ? CSV_DELIMITER : '') + formatCsvField(fields[i]!);
  return out + '\n';
}

/** One row read, with the line of the file it starts on (1-based). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** A malformed CSV file; `location` holds the file and line, the message starts with `file:line:`. */
export class CsvError extends RupError {
  constructor(file: string, line: number, reason: string) {
    super('RUP_ERR_FORMAT', `${file}:${line}: ${reason}`, { location: { file, line } });
    this.name = 'CsvError';
  }
}

export interface CsvParserOptions {
  /** The file name used in error messages. */
  file: string;
  /** Longest field accepted, in characters (Python's csv.field_size_limit; default 131072). */
  fieldSizeLimit?: number;
  /** Added to the "field larger than field limit" message (what to change to allow more). */
  fieldSizeAdvice?: string;
}

const DEFAULT_FIELD_SIZE_LIMIT = 131072;
const QUOTE = 0x22;
const COLON = 0x3a;
const LF = 0x0a;
const CR = 0x0d;

/**
 * An incremental reader: feed text with `push`, collect complete rows;
 * `end` checks that the input did not stop inside a row.
 */
export class CsvParser {
  private buffer = '';
  private line = 1;
  private readonly limit: number;

  constructor(private readonly options: CsvParserOptions) {
    this.limit = options.fieldSizeLimit ?? DEFAULT_FIELD_SIZE_LIMIT;
  }

  /** Adds text; appends every row completed by it to `out`. */
  push(text: string, out: CsvRecord[]): void {
    this.buffer = this.buffer ? this.buffer + text : text;
    this.drain(out, false);
  }

  /** Ends the input; appends a last row if one is pending, or throws if the input stopped inside it. */
  end(out: CsvRecord[]): void {
    this.drain(out, true);
  }

  private drain(out: CsvRecord[], final: boolean): void {
    const s = this.buffer;
    let pos = 0;
    while (pos < s.length) {
      const next = this.record(s, pos, final, out);
      if (next < 0) break;
      pos = next;
    }
    this.buffer = pos ? s.slice(pos) : s;
  }

  /** Parses the row starting at `start`; returns where the next begins, or -1 when the text ends before the row does. */
  private record(s: string, start: number, final: boolean, out: CsvRecord[]): number {
    const fields: string[] = [];
    let pos = start;
    let lines = 0;
    const n = s.length;
    if (s.charCodeAt(pos) === LF || s.charCodeAt(pos) === CR) {
      const after = this.lineEnd(s, pos, final);
      if (after < 0) return -1;
      out.push({ fields, line: this.line });
      this.line++;
      return after;
    }
    for (;;) {
      let field = '';
      let c = s.charCodeAt(pos);
      if (c === QUOTE) {
        pos++;
        for (;;) {
          const q = s.indexOf('"', pos);
          if (q < 0) {
            if (final) throw this.error(this.line, `unexpected end of file inside a quoted field (the file looks truncated)`);
            return -1;
          }
          const chunk = s.slice(pos, q);
          lines += countLineEnds(chunk);
          field += chunk;
          if (q + 1 >= n && !final) return -1;
          if (s.charCodeAt(q + 1) === QUOTE) {
            field += '"';
            pos = q + 2;
            continue;
          }
          pos = q + 1;
          break;
        }
        c = s.charCodeAt(pos);
      }
      // Unquoted text, or what follows a closing quote (kept, as Python's non-strict reader does).
      let end = pos;
      while (end < n) {
        c = s.charCodeAt(end);
        if (c === COLON || c === LF || c === CR) break;
        end++;
      }
      if (end > pos) field += s.slice(pos, end);
      if (field.length > this.limit) {
        const advice = this.options.fieldSizeAdvice ? `; ${this.options.fieldSizeAdvice}` : '';
        throw this.error(this.line, `field larger than field limit (${this.limit})${advice}`);
      }
      fields.push(field);
      if (end >= n) {
        if (!final) return -1;
        throw this.error(this.line, 'the last row has no line end (the file looks truncated)');
      }
      if (c === COLON) {
        pos = end + 1;
        continue;
      }
      const after = this.lineEnd(s, end, final);
      if (after < 0) return -1;
      out.push({ fields, line: this.line });
      this.line += lines + 1;
      return after;
    }
  }

  /** Position after the line end at `pos` (CRLF counts as one), or -1 if a CR ends the text and more may follow. */
  private lineEnd(s: string, pos: number, final: boolean): number {
    if (s.charCodeAt(pos) === LF) return pos + 1;
    if (pos + 1 >= s.length) return final ? pos + 1 : -1;
    return s.charCodeAt(pos + 1) === LF ? pos + 2 : pos + 1;
  }

  private error(line: number, reason: string): CsvError {
    return new CsvError(this.options.file, line, reason);
  }
}

function countLineEnds(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) count++;
    else if (c === CR && text.charCodeAt(i + 1) !== LF) count++;
  }
  return count;
}

/**
 * Reads a CSV file as it streams in, yielding the rows completed by each
 * chunk (arrays, so a caller handles them in batches). Errors name the
 * file and line.
 */
export async function* readCsvFile(path: string, options: Partial<CsvParserOptions> = {}): AsyncGenerator<CsvRecord[]> {
  const parser = new CsvParser({ file: path, ...options });
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) {
      const rows: CsvRecord[] = [];
      parser.push(chunk as string, rows);
      if (rows.length) yield rows;
    }
    const rows: CsvRecord[] = [];
    parser.end(rows);
    if (rows.length) yield rows;
  } finally {
    stream.destroy();
  }
}
