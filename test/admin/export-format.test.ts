import assert from 'node:assert/strict';
import {
  ExportValueError,
  compareCodePoints,
  evalImport,
  exportField,
  exportJournalRow,
  importField,
  importJournalRow,
  importRetired,
  reprExport,
} from '../../lib/admin/export-format.js';
import { DateTime } from '../../lib/hyperdb/date.js';
import { Interval } from '../../lib/hyperdb/interval.js';
import { propertyConstructors as P } from '../../lib/hyperdb/properties.js';
import { ClassDef } from '../../lib/hyperdb/schema.js';
import { PyDict, PyFloat, PyTuple } from '../../lib/util/python-literal.js';

const cls = new ClassDef('thing', 'class', {
  name: P.String(),
  secret: P.Password(),
  when: P.Date(),
  span: P.Interval(),
  size: P.Number(),
  count: P.Integer(),
  flag: P.Boolean(),
  owner: P.Link('user'),
  tags: P.Multilink('tag'),
});
const prop = (name: string) => cls.prop(name);
const when = DateTime.fromTuple([2026, 11, 21, 13, 57, 38.175, 0, 0, 0]);

describe('export format', () => {
  describe("Roundup's repr_export and eval_import", () => {
    it('writes strings as the repr of their UTF-8 bytes, and reads them back', () => {
      assert.equal(reprExport('Unicode élève'), "'Unicode \\xc3\\xa9l\\xc3\\xa8ve'");
      assert.equal(reprExport("it's"), `"it's"`);
      assert.equal(reprExport('中\t\n'), "'\\xe4\\xb8\\xad\\t\\n'");
      assert.equal(evalImport("'Unicode \\xc3\\xa9l\\xc3\\xa8ve'"), 'Unicode élève');
      assert.equal(evalImport("'\\xe4\\xb8\\xad\\t\\n'"), '中\t\n');
    });

    it('reads a Python 3 style string as it is', () => {
      assert.equal(evalImport("'élève'"), 'élève');
      assert.equal(evalImport("'\\u4e2d'"), '中');
      assert.equal(evalImport("'\\xe9'"), 'é', 'not UTF-8 bytes: kept');
    });

    it('sorts dict keys and decodes the strings directly inside a dict only', () => {
      assert.equal(reprExport(new PyDict([['z', 'é'], ['a', new PyTuple(['é'])], ['m', null]])), "{'a': ('é',), 'm': None, 'z': '\\xc3\\xa9'}");
      assert.deepEqual(evalImport("{'z': '\\xc3\\xa9', 'a': ('\\xc3\\xa9',)}"), new PyDict([['z', 'é'], ['a', new PyTuple(['Ã©'])]]));
    });

    it('orders strings by code point as Python does', () => {
      assert.ok(compareCodePoints('\uffff', '\u{10000}') < 0);
      assert.ok(compareCodePoints('B', 'a') < 0);
      assert.ok(compareCodePoints('ab', 'abc') < 0);
      assert.equal(compareCodePoints('x', 'x'), 0);
    });
  });

  describe('property values', () => {
    it('writes each type as Roundup 2.6 exports it from an SQL backend', () => {
      assert.equal(exportField(prop('name'), 'a:b'), "'a:b'");
      assert.equal(exportField(prop('when'), when), '(2026, 11, 21, 13, 57, 38.175, 0, 0, 0)');
      assert.equal(exportField(prop('when'), DateTime.fromTuple([2024, 1, 2, 3, 4, 0, 0, 0, 0])), '(2024, 1, 2, 3, 4, 0.0, 0, 0, 0)');
      assert.equal(exportField(prop('span'), Interval.parse('-1y 2:03')), '(-1, 1, 0, 0, 2, 3, 0)');
      assert.equal(exportField(prop('size'), 3), '3.0');
      assert.equal(exportField(prop('size'), 1e-5), '1e-05');
      assert.equal(exportField(prop('count'), 3), '3');
      assert.equal(exportField(prop('flag'), true), '1');
      assert.equal(exportField(prop('flag'), false), '0');
      assert.equal(exportField(prop('owner'), '7'), "'7'");
      assert.equal(exportField(prop('tags'), ['2', '10']), "['2', '10']");
      assert.equal(exportField(prop('tags'), undefined), '[]');
      assert.equal(exportField(prop('name'), null), 'None');
    });

    it('reads each type back, accepting what Roundup accepts', () => {
      assert.deepEqual(importField(prop('when'), evalImport('(2026, 11, 21, 13, 57, 38.175, 0, 0, 0)')), when);
      assert.deepEqual(importField(prop('when'), '2026-11-21.13:57:38.175'), when);
      assert.deepEqual(importField(prop('span'), evalImport('(-1, 1, 0, 0, 2, 3, 0)')), Interval.parse('-1y 2:03'));
      assert.deepEqual(importField(prop('span'), '3d'), Interval.parse('3d'));
      assert.equal(importField(prop('size'), new PyFloat(2.5)), 2.5);
      assert.equal(importField(prop('size'), 3), 3);
      assert.equal(importField(prop('count'), 12), 12);
      assert.equal(importField(prop('flag'), 1), true);
      assert.equal(importField(prop('flag'), false), false);
      assert.equal(importField(prop('owner'), '7'), '7');
      assert.deepEqual(importField(prop('tags'), ['10', '2', '2']), ['2', '10']);
      assert.deepEqual(importField(prop('tags'), null), []);
      assert.equal(importField(prop('name'), null), null);
    });

    const bad: Array<[string, unknown, string]> = [
      ['name', 5, 'property "name" is not a string: 5'],
      ['owner', 'x', 'property "owner" is not an item id: \'x\''],
      ['tags', ['1', 'b'], 'property "tags" is not a list of item ids: [\'1\', \'b\']'],
      ['when', new PyTuple([2026, 13, 1, 0, 0, 0, 0, 0, 0]), 'property "when" is not a date tuple: (2026, 13, 1, 0, 0, 0, 0, 0, 0)'],
      ['when', new PyTuple([2026, 1, 1]), 'property "when" is not a date tuple: (2026, 1, 1)'],
      ['span', new PyTuple([2, 0, 0, 0, 0, 0, 0]), 'property "span" is not an interval tuple: (2, 0, 0, 0, 0, 0, 0)'],
      ['size', 'x', 'property "size" is not a number: \'x\''],
      ['count', new PyFloat(1.5), 'property "count" is not an integer: 1.5'],
      ['flag', 'yes', 'property "flag" is not a boolean: \'yes\''],
    ];
    for (const [name, value, message] of bad) {
      it(`refuses ${message}`, () => assert.throws(() => importField(prop(name), value as never), new ExportValueError(message)));
    }

    it('reads the retired column as Roundup does (int(value))', () => {
      assert.equal(importRetired(true), true);
      assert.equal(importRetired(0), false);
      assert.throws(() => importRetired('no'), new ExportValueError('"is retired" is not True, False or a number: \'no\''));
    });
  });

  describe('journal rows', () => {
    it('writes the parameters of every action as export_journals does', () => {
      const row = (action: string, params: never) => exportJournalRow(cls, { nodeid: '3', date: when, userid: '5', action, params });
      assert.deepEqual(row('create', { name: 'old data' } as never), ["'3'", '(2026, 11, 21, 13, 57, 38.175, 0, 0, 0)', "'5'", "'create'", '{}']);
      assert.equal(row('link', ['issue', '1', 'files'] as never)[4], "('issue', '1', 'files')");
      assert.equal(row('retired', null as never)[4], 'None');
      assert.equal(
        row('set', {
          tags: [['+', ['3']], ['-', ['1', '2']]],
          when,
          span: Interval.parse('1d'),
          secret: '{PBKDF2S5}*encrypted*',
          size: 2,
          flag: true,
          name: 'é',
          gone: 'dropped',
        } as never)[4],
        "{'flag': 1, 'name': '\\xc3\\xa9', 'secret': '{PBKDF2S5}*encrypted*', 'size': 2.0, 'span': (1, 0, 0, 1, 0, 0, 0), 'tags': (('+', ['3']), ('-', ['1', '2'])), 'when': (2026, 11, 21, 13, 57, 38.175, 0, 0, 0)}",
      );
    });

    it('reads rows back into entries', () => {
      const fields = exportJournalRow(cls, {
        nodeid: '3',
        date: when,
        userid: '5',
        action: 'set',
        params: { tags: [['+', ['3']]], when, span: Interval.parse('1d'), secret: '{SHA}*encrypted*', size: 2, flag: true, name: null },
      });
      assert.deepEqual(importJournalRow(cls, fields), {
        nodeid: '3',
        date: when,
        userid: '5',
        action: 'set',
        params: { flag: true, name: null, secret: '{SHA}*encrypted*', size: 2, span: Interval.parse('1d'), tags: [['+', ['3']]], when },
      });
      assert.deepEqual(importJournalRow(cls, ["'3'", '(2026, 11, 21, 13, 57, 38.175, 0, 0, 0)', "'5'", "'set'", "{'secret': '{PBKDF2S5}1000$salt$hash'}"]).params, {
        secret: '{PBKDF2S5}*encrypted*',
      });
      assert.deepEqual(importJournalRow(cls, ["'4'", '(2026, 1, 1, 0, 0, 0.0, 0, 0, 0)', "'1'", "'unlink'", "('issue', '2', 'tags')"]).params, ['issue', '2', 'tags']);
      assert.deepEqual(importJournalRow(cls, ["'4'", '(2026, 1, 1, 0, 0, 0.0, 0, 0, 0)', "'1'", "'create'", "{'name': 'x'}"]).params, {});
    });

    const badRows: Array<[string[], string]> = [
      [["'x'", '(2026, 1, 1, 0, 0, 0.0, 0, 0, 0)', "'1'", "'create'", '{}'], "the item id is not an id: 'x'"],
      [["'1'", "'soon'", "'1'", "'create'", '{}'], "the date is not a date tuple: 'soon'"],
      [["'1'", '(2026, 1, 1, 0, 0, 0.0, 0, 0, 0)', "'1'", '5', '{}'], 'the action is not a string: 5'],
      [["'1'", '(2026, 1, 1, 0, 0, 0.0, 0, 0, 0)', "'1'", "'set'", 'None'], 'the parameters of a "set" entry are not a dict: None'],
      [["'1'", '(2026, 1, 1, 0, 0, 0.0, 0, 0, 0)', "'1'", "'set'", "{'tags': ['1']}"], 'journal value of "tags" is not a Multilink change: [\'1\']'],
      [["'1'", '(2026, 1, 1, 0, 0, 0.0, 0, 0, 0)', "'1'", "'link'", "('issue', '2')"], 'the parameters of a "link" entry are not (class, id, property): (\'issue\', \'2\')'],
    ];
    for (const [fields, message] of badRows) {
      it(`refuses a row where ${message}`, () => assert.throws(() => importJournalRow(cls, fields), new ExportValueError(message)));
    }
  });
});
