import assert from 'node:assert/strict';
import { isRupError } from '../../lib/errors.js';
import {
  PyDict,
  PyFloat,
  PyTuple,
  PythonLiteralError,
  type PyValue,
  parsePythonLiteral,
  pythonBytesRepr,
  pythonFloatRepr,
  pythonRepr,
} from '../../lib/util/python-literal.js';

function parseError(text: string): PythonLiteralError {
  try {
    parsePythonLiteral(text);
  } catch (err) {
    assert.ok(err instanceof PythonLiteralError, `not a PythonLiteralError: ${err}`);
    assert.ok(isRupError(err, 'RUP_ERR_FORMAT'));
    return err;
  }
  assert.fail(`${text} parsed`);
}

describe('python-literal', () => {
  describe('pythonFloatRepr writes floats as Python 3 repr does', () => {
    const cases: Array<[number, string]> = [
      [38.0, '38.0'],
      [38.186, '38.186'],
      [38.175, '38.175'],
      [0, '0.0'],
      [-0, '-0.0'],
      [1e-5, '1e-05'],
      [1e-4, '0.0001'],
      [1.5e-7, '1.5e-07'],
      [1e16, '1e+16'],
      [1e15, '1000000000000000.0'],
      [123456789012345678, '1.2345678901234568e+17'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [5e-324, '5e-324'],
      [0.1, '0.1'],
      [-2.5, '-2.5'],
      [Infinity, 'inf'],
      [-Infinity, '-inf'],
      [NaN, 'nan'],
    ];
    for (const [value, text] of cases) {
      it(`${value} -> ${text}`, () => assert.equal(pythonFloatRepr(value), text));
    }
  });

  describe('pythonRepr', () => {
    it('writes None, booleans, ints and big ints', () => {
      assert.equal(pythonRepr(null), 'None');
      assert.equal(pythonRepr(true), 'True');
      assert.equal(pythonRepr(false), 'False');
      assert.equal(pythonRepr(42), '42');
      assert.equal(pythonRepr(-7), '-7');
      assert.equal(pythonRepr(12345678901234567890n), '12345678901234567890');
      assert.equal(pythonRepr(new PyFloat(3)), '3.0');
    });

    it('writes one-element tuples with a trailing comma, empty tuples as ()', () => {
      assert.equal(pythonRepr(new PyTuple(['x'])), "('x',)");
      assert.equal(pythonRepr(new PyTuple([])), '()');
      assert.equal(pythonRepr(new PyTuple([new PyTuple(['+', ['3']])])), "(('+', ['3']),)");
    });

    it('writes lists and dicts in their order', () => {
      assert.equal(pythonRepr(['1', '10', '2']), "['1', '10', '2']");
      assert.equal(pythonRepr(new PyDict([['b', 1], ['a', [null]]])), "{'b': 1, 'a': [None]}");
      assert.equal(pythonRepr(new PyDict([])), '{}');
    });

    it('writes strings with Python 3 escapes and quote choice', () => {
      assert.equal(pythonRepr("it's"), `"it's"`);
      assert.equal(pythonRepr(`say "hi" it's`), `'say "hi" it\\'s'`);
      assert.equal(pythonRepr('tab\there\nline\\'), "'tab\\there\\nline\\\\'");
      assert.equal(pythonRepr('élève \x00\x7f\u200b'), "'élève \\x00\\x7f\\u200b'");
    });

    it('writes bytes as b-literals with \\x escapes for non-ASCII bytes', () => {
      assert.equal(pythonRepr(Buffer.from('élève', 'utf8')), "b'\\xc3\\xa9l\\xc3\\xa8ve'");
      assert.equal(pythonBytesRepr(Buffer.from(`a'b`)), `"a'b"`);
      assert.equal(pythonBytesRepr(Buffer.from(`a'b"c`)), `'a\\'b"c'`);
      assert.equal(pythonBytesRepr(Uint8Array.from([9, 10, 13, 0x5c, 0, 0x7f, 0xff])), "'\\t\\n\\r\\\\\\x00\\x7f\\xff'");
    });
  });

  describe('parsePythonLiteral', () => {
    it('reads the constants and numbers', () => {
      assert.equal(parsePythonLiteral('None'), null);
      assert.equal(parsePythonLiteral('True'), true);
      assert.equal(parsePythonLiteral('False'), false);
      assert.equal(parsePythonLiteral('42'), 42);
      assert.equal(parsePythonLiteral('-42'), -42);
      assert.equal(parsePythonLiteral('1_000'), 1000);
      assert.equal(parsePythonLiteral('0x1F'), 31);
      assert.equal(parsePythonLiteral('0o17'), 15);
      assert.equal(parsePythonLiteral('0b101'), 5);
      assert.equal(parsePythonLiteral('123456789012345678901'), 123456789012345678901n);
      assert.deepEqual(parsePythonLiteral('38.175'), new PyFloat(38.175));
      assert.deepEqual(parsePythonLiteral('1e-05'), new PyFloat(1e-5));
      assert.deepEqual(parsePythonLiteral('1e+16'), new PyFloat(1e16));
      assert.deepEqual(parsePythonLiteral('.5'), new PyFloat(0.5));
      assert.deepEqual(parsePythonLiteral('5.'), new PyFloat(5));
      assert.deepEqual(parsePythonLiteral('inf'), new PyFloat(Infinity));
      assert.deepEqual(parsePythonLiteral('-inf'), new PyFloat(-Infinity));
      assert.ok(Number.isNaN((parsePythonLiteral('nan') as PyFloat).value));
    });

    it('reads every escape form of str literals', () => {
      assert.equal(parsePythonLiteral("'a\\'b'"), "a'b");
      assert.equal(parsePythonLiteral('"a\\"b"'), 'a"b');
      assert.equal(parsePythonLiteral("'\\\\ \\n \\r \\t \\a \\b \\f \\v'"), '\\ \n \r \t \x07 \b \f \v');
      assert.equal(parsePythonLiteral("'\\x41\\xe9'"), 'Aé');
      assert.equal(parsePythonLiteral("'\\u00e9\\u200b'"), 'é\u200b');
      assert.equal(parsePythonLiteral("'\\U0001F600'"), '😀');
      assert.equal(parsePythonLiteral("'\\0\\101\\1234'"), '\0A\u{53}4');
      assert.equal(parsePythonLiteral("'\\q'"), '\\q');
      assert.equal(parsePythonLiteral("'line\\\ncontinued'"), 'linecontinued');
      assert.equal(parsePythonLiteral("'''tri'ple\nquoted'''"), "tri'ple\nquoted");
      assert.equal(parsePythonLiteral('"élève"'), 'élève');
      assert.equal(parsePythonLiteral("u'x'"), 'x');
      assert.equal(parsePythonLiteral("r'\\n\\''"), "\\n\\'");
      assert.equal(parsePythonLiteral("'a' \"b\" 'c'"), 'abc');
    });

    it('reads bytes literals, where \\u is no escape', () => {
      assert.deepEqual(parsePythonLiteral("b'\\xc3\\xa9'"), Uint8Array.from([0xc3, 0xa9]));
      assert.deepEqual(parsePythonLiteral("b'\\u00e9'"), Uint8Array.from(Buffer.from('\\u00e9')));
      assert.deepEqual(parsePythonLiteral("rb'\\x'"), Uint8Array.from(Buffer.from('\\x')));
      assert.deepEqual(parsePythonLiteral("b'a' b'b'"), Uint8Array.from(Buffer.from('ab')));
    });

    it('reads tuples (one-element included), lists and dicts, with trailing commas and spaces', () => {
      assert.deepEqual(parsePythonLiteral("('x',)"), new PyTuple(['x']));
      assert.deepEqual(parsePythonLiteral('()'), new PyTuple([]));
      assert.equal(parsePythonLiteral('(5)'), 5);
      assert.deepEqual(parsePythonLiteral("[ '1' , '2' , ]"), ['1', '2']);
      assert.deepEqual(parsePythonLiteral('(2026, 11, 21, 13, 57, 38.175, 0, 0, 0)'), new PyTuple([2026, 11, 21, 13, 57, new PyFloat(38.175), 0, 0, 0]));
      const d = parsePythonLiteral("{'messages': (('+', ['3']),), 'status': '1', }") as PyDict;
      assert.deepEqual(d, new PyDict([['messages', new PyTuple([new PyTuple(['+', ['3']])])], ['status', '1']]));
      assert.equal(d.get('status'), '1');
      assert.deepEqual(parsePythonLiteral('{\n 1: [\n None]}'), new PyDict([[1, [null]]]));
    });

    it('round-trips values through repr', () => {
      const values: PyValue[] = [
        null,
        [new PyFloat(1e-5), new PyFloat(1e16), -3, 'x'],
        new PyTuple([new PyTuple(['-', ['4', '5']]), new PyTuple(['+', []])]),
        new PyDict([['a', 'it\'s "q"'], ['b', new PyTuple(['élève\n\t\\'])], ['c', Uint8Array.from([0, 0x27, 0x80])]]),
        '😀 \u0085 \ue000',
      ];
      for (const value of values) assert.deepEqual(parsePythonLiteral(pythonRepr(value)), value);
      for (const text of ["(('+', ['3']),)", "{'alternate_addresses': None}", "('issue', '1', 'files')", "'\\x00\\u200b\\U000e0001'", '1e-05']) {
        assert.equal(pythonRepr(parsePythonLiteral(text)), text);
      }
    });

    const errors: Array<[string, string]> = [
      ['', 'empty value, expected a Python literal (at character 1)'],
      ["'abc", 'unterminated string literal (at character 1)'],
      ["'ab\ncd'", 'unterminated string literal (at character 1)'],
      ["'\\x4'", 'truncated \\xXX escape (at character 2)'],
      ["'\\u12'", 'truncated \\uXXXX escape (at character 2)'],
      ["'\\U00110000'", 'illegal Unicode character (at character 2)'],
      ["'\\N{DASH}'", '\\N{...} escapes are not supported (at character 2)'],
      ["b'é'", 'bytes can only contain ASCII literal characters (at character 3)'],
      ["b'a' 'b'", 'cannot mix bytes and nonbytes literals (at character 6)'],
      ['(2026, 11', "missing ')' (at character 10)"],
      ['[1, 2', "missing ']' (at character 6)"],
      ["{'a' 1}", "expected ':' in a dict (at character 6)"],
      ['{1, 2}', 'set literals are not supported (at character 3)'],
      ['{[1]: 2}', "unhashable type: 'list' (at character 2)"],
      ['Nonsense', "unknown name 'Nonsense' (not a literal) (at character 1)"],
      ['None None', "unexpected text after the value: 'None' (at character 6)"],
      ['007', 'leading zeros in decimal integer literals are not permitted (at character 1)'],
      ['1j', "invalid number literal '1j' (at character 1)"],
      ['-x', 'a sign must be followed by a number (at character 2)'],
      ['@', "unexpected character '@' (at character 1)"],
      ['[1 2]', "expected ',' or ']' (at character 4)"],
      ['[' .repeat(300), 'too deeply nested (at character 201)'],
    ];
    for (const [text, message] of errors) {
      it(`refuses ${JSON.stringify(text.slice(0, 20))} with "${message}"`, () => assert.equal(parseError(text).message, message));
    }

    it('reports the column of the problem', () => {
      const err = parseError("(1, 'x', 2, @)");
      assert.equal(err.column, 13);
      assert.equal(err.reason, "unexpected character '@'");
    });
  });
});
