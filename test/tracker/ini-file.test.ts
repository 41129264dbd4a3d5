import assert from 'node:assert/strict';
import { interpolate, lookupEntry, parseIni } from '../../lib/tracker/ini-file.js';

/** Raw value of `[section] option` in `text`. */
function raw(text: string, section: string, option: string): string | undefined {
  return lookupEntry(parseIni(text), section, option)?.value;
}

/** Interpolated value of `[section] option` in `text`. */
function value(text: string, section: string, option: string, vars: Record<string, string> = {}): unknown {
  const doc = parseIni(text);
  const entry = lookupEntry(doc, section, option);
  assert.ok(entry, `${section} ${option} missing`);
  const result = interpolate(doc, section, option, entry.value, vars);
  return result.ok ? result.value : { error: result.message };
}

describe('tracker/ini-file', () => {
  describe('parseIni', () => {
    it('reads "name = value" and "name: value" lines, splitting at the first delimiter', () => {
      const text = '[s]\na = 1\nb: 2\nc = x: y = z\nd:e = f\n';
      assert.equal(raw(text, 's', 'a'), '1');
      assert.equal(raw(text, 's', 'b'), '2');
      assert.equal(raw(text, 's', 'c'), 'x: y = z');
      assert.equal(raw(text, 's', 'd'), 'e = f');
    });

    it('lower-cases option names but keeps section names as written', () => {
      const doc = parseIni('[Main]\nAdmin_Email = a@b\n');
      assert.deepEqual([...doc.sections.keys()], ['Main']);
      assert.equal(lookupEntry(doc, 'Main', 'admin_email')?.value, 'a@b');
      assert.equal(lookupEntry(doc, 'main', 'admin_email'), undefined);
    });

    it('treats only whole lines starting with # or ; as comments, never inline text', () => {
      const text = '# top\n[s]\n  ; indented comment\na = 1 ; not a comment # nor this\n#b = 2\n';
      assert.equal(raw(text, 's', 'a'), '1 ; not a comment # nor this');
      assert.equal(raw(text, 's', 'b'), undefined);
    });

    it('keeps quotes as part of the value', () => {
      assert.equal(raw('[s]\na = "quoted"\n', 's', 'a'), '"quoted"');
    });

    it('joins deeper-indented continuation lines with newlines and keeps inner blank lines', () => {
      const text = '[s]\na = first\n  second\n\n  third\n\n\nb = 2\n';
      assert.equal(raw(text, 's', 'a'), 'first\nsecond\n\nthird');
      assert.equal(raw(text, 's', 'b'), '2');
    });

    it('does not continue a value across a section header', () => {
      const doc = parseIni('[s]\na = 1\n[t]\n  b = 2\n');
      assert.equal(lookupEntry(doc, 's', 'a')?.value, '1');
      assert.equal(lookupEntry(doc, 't', 'b')?.value, '2');
    });

    it('records the line of each section and option', () => {
      const doc = parseIni('# c\n\n[s]\n\na = 1\n  more\nb = 2\n');
      assert.equal(doc.sections.get('s')?.line, 3);
      assert.equal(lookupEntry(doc, 's', 'a')?.line, 5);
      assert.equal(lookupEntry(doc, 's', 'b')?.line, 7);
    });

    it('accepts CRLF line ends and a byte-order mark', () => {
      assert.equal(raw('\uFEFF# c\r\n[s]\r\na = 1\r\n', 's', 'a'), '1');
    });

    it('falls back to the [DEFAULT] section', () => {
      const text = '[DEFAULT]\nshared = yes\n[s]\nown = 1\n';
      assert.equal(raw(text, 's', 'shared'), 'yes');
      assert.deepEqual([...parseIni(text).sections.keys()], ['s']);
    });

    it('reports every malformed line with its number and keeps reading', () => {
      const doc = parseIni('orphan = 1\n[s]\njunk line\n: no name\na = 1\na = 2\n[s]\n');
      assert.deepEqual(doc.problems, [
        { line: 1, message: "option line outside any [section]: 'orphan = 1'" },
        { line: 3, message: 'line is neither a [section] header, a "name = value" option nor a comment: \'junk line\'' },
        { line: 4, message: 'option name missing before the "=" or ":": \': no name\'' },
        { line: 6, message: "option 'a' in section [s] already exists" },
        { line: 7, message: 'section [s] already exists' },
      ]);
      assert.equal(lookupEntry(doc, 's', 'a')?.value, '2');
    });
  });

  describe('interpolate', () => {
    it('turns %% into a literal %', () => {
      assert.equal(value('[s]\na = 100%% sure\n', 's', 'a'), '100% sure');
    });

    it('substitutes %(name)s from the same section, then DEFAULT, then the given variables', () => {
      const text = '[DEFAULT]\nsite = example.org\n[s]\nhost = www\nurl = %(HOST)s.%(site)s%(home)s\n';
      assert.equal(value(text, 's', 'url', { HOME: '/trackers/t' }), 'www.example.org/trackers/t');
    });

    it('expands references recursively', () => {
      assert.equal(value('[s]\na = %(b)s!\nb = %(c)s%%\nc = x\n', 's', 'a'), 'x%!');
    });

    it('reports a lone % with configparser\'s wording', () => {
      assert.deepEqual(value('[s]\na = 100% sure\n', 's', 'a'), {
        error: "'%' must be followed by '%' or '(', found: '% sure'",
      });
    });

    it('reports a reference to an unknown name with configparser\'s wording', () => {
      assert.deepEqual(value('[logging]\nformat = %(asctime)s\n', 'logging', 'format'), {
        error:
          "Bad value substitution: option 'format' in section 'logging' contains an interpolation key 'asctime' " +
          "which is not a valid option name. Raw value: '%(asctime)s'",
      });
    });

    it('reports a malformed reference', () => {
      assert.deepEqual(value('[s]\na = %(b\n', 's', 'a'), { error: "bad interpolation variable reference '%(b'" });
    });

    it('stops self-referencing values after 10 levels', () => {
      assert.deepEqual(value('[s]\na = %(a)s\n', 's', 'a'), {
        error:
          "Recursion limit exceeded in value substitution: option 'a' in section 's' contains an interpolation " +
          "key which cannot be substituted in 10 steps. Raw value: '%(a)s'",
      });
    });
  });
});
