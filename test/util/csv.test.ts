import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvError, CsvParser, type CsvRecord, formatCsvField, formatCsvRow, readCsvFile } from '../../lib/util/csv.js';

function parse(text: string, options: { fieldSizeLimit?: number; chunk?: number } = {}): CsvRecord[] {
  const parser = new CsvParser({ file: 'x.csv', fieldSizeLimit: options.fieldSizeLimit });
  const out: CsvRecord[] = [];
  const step = options.chunk ?? text.length;
  for (let i = 0; i < text.length; i += step) parser.push(text.slice(i, i + step), out);
  parser.end(out);
  return out;
}

function parseError(text: string, options: { fieldSizeLimit?: number } = {}): CsvError {
  try {
    parse(text, options);
  } catch (err) {
    assert.ok(err instanceof CsvError);
    return err;
  }
  assert.fail('parsed');
}

describe('csv', () => {
  describe('writing', () => {
    it('quotes only fields holding the delimiter, a double quote or a line end, doubling quotes', () => {
      assert.equal(formatCsvField("'plain text'"), "'plain text'");
      assert.equal(formatCsvField("'a:b'"), `"'a:b'"`);
      assert.equal(formatCsvField(`'say "hi"'`), `"'say ""hi""'"`);
      assert.equal(formatCsvField('a\nb'), '"a\nb"');
      assert.equal(formatCsvField('a\rb'), '"a\rb"');
      assert.equal(formatCsvField(''), '');
    });

    it('ends rows with \\n and separates fields with :', () => {
      assert.equal(formatCsvRow(["'1'", '(2026, 1, 2, 3, 4, 5.0, 0, 0, 0)', "{'a': 1}"]), `'1':(2026, 1, 2, 3, 4, 5.0, 0, 0, 0):"{'a': 1}"\n`);
    });
  });

  describe('reading', () => {
    it('reads what the writer wrote, whatever the chunking', () => {
      const rows = [["'1'", `'a "quoted": word'`, 'None'], ["'2'", "'x'", "{'k': ['1']}"]];
      const text = rows.map(formatCsvRow).join('');
      for (const chunk of [1, 2, 3, 7, 1000]) {
        assert.deepEqual(
          parse(text, { chunk }).map((r) => r.fields),
          rows,
          `chunk ${chunk}`,
        );
      }
    });

    it('numbers rows by the line they start on, counting line ends inside quoted fields', () => {
      const out = parse('a:"x\ny"\nb:c\r\nd\r"e\n\nf":g\n');
      assert.deepEqual(
        out.map((r) => [r.line, r.fields]),
        [
          [1, ['a', 'x\ny']],
          [3, ['b', 'c']],
          [4, ['d']],
          [5, ['e\n\nf', 'g']],
        ],
      );
    });

    it('reads an empty line as a row of no fields and empty fields as empty strings', () => {
      assert.deepEqual(
        parse('a::\n\n:b\n').map((r) => r.fields),
        [['a', '', ''], [], ['', 'b']],
      );
    });

    it('keeps a quote inside an unquoted field and text after a closing quote, as Python does', () => {
      assert.deepEqual(parse('a"b:"c"d\n')[0]!.fields, ['a"b', 'cd']);
    });

    it('refuses a file that ends inside a quoted field', () => {
      const err = parseError('a:b\n"c:d\n');
      assert.equal(err.message, 'x.csv:2: unexpected end of file inside a quoted field (the file looks truncated)');
      assert.deepEqual(err.location, { file: 'x.csv', line: 2 });
    });

    it('refuses a last row without its line end', () => {
      assert.equal(parseError('a:b\nc:d').message, 'x.csv:2: the last row has no line end (the file looks truncated)');
    });

    it('refuses a field longer than the limit, as Python csv does', () => {
      assert.deepEqual(parse('abcd\n', { fieldSizeLimit: 4 })[0]!.fields, ['abcd']);
      assert.equal(parseError('ok\nabcde\n', { fieldSizeLimit: 4 }).message, 'x.csv:2: field larger than field limit (4)');
    });

    it('streams a file and names it in errors', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rup-csv-'));
      try {
        const file = join(dir, 'issue.csv');
        writeFileSync(file, 'id:title\n' + Array.from({ length: 3000 }, (_, i) => `'${i + 1}':'title ${i + 1}'\n`).join(''));
        let count = 0;
        let last: CsvRecord | undefined;
        for await (const rows of readCsvFile(file)) {
          count += rows.length;
          last = rows[rows.length - 1];
        }
        assert.equal(count, 3001);
        assert.deepEqual(last, { fields: ["'3000'", "'title 3000'"], line: 3001 });
        writeFileSync(file, 'id\n"1\n');
        await assert.rejects(
          async () => {
            for await (const rows of readCsvFile(file)) assert.ok(rows);
          },
          { code: 'RUP_ERR_FORMAT', message: `${file}:2: unexpected end of file inside a quoted field (the file looks truncated)` },
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
