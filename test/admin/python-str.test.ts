import assert from 'node:assert/strict';
import { dateRepr, pythonListRepr, pythonRepr, pythonStr, pythonTupleRepr } from '../../lib/admin/python-str.js';
import { pythonFloatRepr } from '../../lib/util/python-literal.js';
import { DateTime } from '../../lib/hyperdb/date.js';
import { Interval } from '../../lib/hyperdb/interval.js';
import { IntegerProperty, NumberProperty } from '../../lib/hyperdb/properties.js';

describe('admin value texts (Python str and repr)', () => {
  it('prints floats as Python repr does', () => {
    const cases: Array<[number, string]> = [
      [1, '1.0'],
      [-2, '-2.0'],
      [0, '0.0'],
      [-0, '-0.0'],
      [2.5, '2.5'],
      [0.1, '0.1'],
      [1e15, '1000000000000000.0'],
      [1e16, '1e+16'],
      [1.5e16, '1.5e+16'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [1.25e-7, '1.25e-07'],
      [123456.789, '123456.789'],
      [1e100, '1e+100'],
      [Infinity, 'inf'],
      [-Infinity, '-inf'],
      [NaN, 'nan'],
    ];
    for (const [n, text] of cases) assert.equal(pythonFloatRepr(n), text, String(n));
  });

  it('prints values as str() of Roundup hyperdb values', () => {
    assert.equal(pythonStr(null), 'None');
    assert.equal(pythonStr('a b'), 'a b');
    assert.equal(pythonStr(['1', '3']), "['1', '3']");
    assert.equal(pythonStr([]), '[]');
    assert.equal(pythonStr(true), 'True');
    assert.equal(pythonStr(false), 'False');
    assert.equal(pythonStr(3, new NumberProperty()), '3.0');
    assert.equal(pythonStr(3, new IntegerProperty()), '3');
    assert.equal(pythonStr(DateTime.parse('2026-11-21.13:55:35.250')), '2026-11-21.13:55:35');
    assert.equal(pythonStr(Interval.parse('1d 2:00')), '+ 1d 2:00');
    assert.equal(pythonStr(Buffer.from("a'b\n\x01")), `b"a'b\\n\\x01"`);
  });

  it('prints repr forms of lists, tuples, dicts and dates', () => {
    assert.equal(pythonListRepr(['1', "it's"]), `['1', "it's"]`);
    assert.equal(pythonTupleRepr(["'a'"]), "('a',)");
    assert.equal(pythonTupleRepr(["'a'", "'b'"]), "('a', 'b')");
    assert.equal(pythonRepr({ title: 'x', n: null, f: false, l: ['2'] }), "{'title': 'x', 'n': None, 'f': False, 'l': ['2']}");
    assert.equal(dateRepr(DateTime.parse('2026-11-21.13:55:35.025')), '<Date 2026-11-21.13:55:35.025>');
    assert.equal(pythonRepr(Interval.parse('-1w')), '<Interval - 7d>');
  });
});
