import assert from 'node:assert/strict';
import { MAX_WORD_LENGTH, MIN_WORD_LENGTH, ROUNDUP_STOPWORDS, splitWords, stopwordSet } from '../../lib/indexer/tokenize.js';

describe('indexer/tokenize', () => {
  describe('ROUNDUP_STOPWORDS', () => {
    it("is Roundup's list of 32 stop words, exactly", () => {
      assert.deepEqual(
        [...ROUNDUP_STOPWORDS],
        [
          'A', 'AND', 'ARE', 'AS', 'AT', 'BE', 'BUT', 'BY', 'FOR', 'IF', 'IN', 'INTO', 'IS', 'IT', 'NO', 'NOT',
          'OF', 'ON', 'OR', 'SUCH', 'THAT', 'THE', 'THEIR', 'THEN', 'THERE', 'THESE', 'THEY', 'THIS', 'TO',
          'WAS', 'WILL', 'WITH',
        ],
      );
    });

    it('cannot be changed at run time', () => {
      assert.throws(() => (ROUNDUP_STOPWORDS as string[]).push('X'), TypeError);
    });

    it("uses Roundup's word length bounds of 2 and 50", () => {
      assert.equal(MIN_WORD_LENGTH, 2);
      assert.equal(MAX_WORD_LENGTH, 50);
    });
  });

  describe('splitWords', () => {
    it('upper-cases words and keeps each once, in order of first appearance', () => {
      assert.deepEqual(splitWords('blah Blub blah BLUB river'), ['BLAH', 'BLUB', 'RIVER']);
    });

    it('drops every built-in stop word, whatever its case', () => {
      assert.deepEqual(splitWords(ROUNDUP_STOPWORDS.join(' ').toLowerCase()), []);
      assert.deepEqual(splitWords('a the hello world'), ['HELLO', 'WORLD']);
      assert.deepEqual(splitWords('With hello WITH world'), ['HELLO', 'WORLD']);
    });

    it('drops one-character words and keeps two-character ones', () => {
      assert.deepEqual(splitWords('b hello world'), ['HELLO', 'WORLD']);
      assert.deepEqual(splitWords('blah py b'), ['BLAH', 'PY']);
    });

    it('keeps a run of 50 word characters and drops a run of 51 entirely instead of cutting it', () => {
      const fifty = 'abcdefghijklmnopqrstuvwxyz'.repeat(2).slice(0, 50);
      const fiftyOne = 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz'.slice(0, 51);
      assert.deepEqual(splitWords(`${fifty} river`), [fifty.toUpperCase(), 'RIVER']);
      assert.deepEqual(splitWords(`blah river b ${fiftyOne}`), ['BLAH', 'RIVER']);
      assert.deepEqual(splitWords('x'.repeat(200)), []);
    });

    it('splits on punctuation and symbols', () => {
      assert.deepEqual(splitWords('aaaa-aaa bbbb*bbb'), ['AAAA', 'AAA', 'BBBB', 'BBB']);
      assert.deepEqual(splitWords('see https://example.com/x?id=42, or mail bob@example.org'), [
        'SEE', 'HTTPS', 'EXAMPLE', 'COM', 'ID', '42', 'MAIL', 'BOB', 'ORG',
      ]);
    });

    it('treats an apostrophe as a separator, as Python\'s \\w does', () => {
      assert.deepEqual(splitWords("don't"), ['DON']);
      assert.deepEqual(splitWords("it's Mary's o'clock"), ['MARY', 'CLOCK']);
    });

    it('treats digits and the underscore as word characters', () => {
      assert.deepEqual(splitWords('issue42 1234 3.14 foo_bar _x'), ['ISSUE42', '1234', '14', 'FOO_BAR', '_X']);
    });

    it('keeps letters and digits of every script', () => {
      assert.deepEqual(splitWords('Sprünge'), ['SPRÜNGE']);
      assert.deepEqual(splitWords('\u0440\u0443\u0441\u0441\u043a\u0438\u0439 \u0442\u0435\u043a\u0441\u0442Spr\xfcnge'), [
        '\u0420\u0423\u0421\u0421\u041a\u0418\u0419',
        '\u0422\u0415\u041a\u0421\u0422SPR\xdcNGE',
      ]);
      assert.deepEqual(splitWords('ελληνικά 日本語 १२३'), ['ΕΛΛΗΝΙΚΆ', '日本語', '१२३']);
    });

    it('upper-cases with full case mapping before splitting, like Python\'s str.upper', () => {
      assert.deepEqual(splitWords('straße ß'), ['STRASSE', 'SS']);
    });

    it('ends a word at a combining mark, which Python does not count as a word character', () => {
      assert.deepEqual(splitWords('cafe\u0301 noe\u0308l'), ['CAFE', 'NOE']);
    });

    it('counts lengths in code points', () => {
      assert.deepEqual(splitWords('\u{1D400}\u{1D400} \u{1D401}'), ['\u{1D400}\u{1D400}']);
      assert.deepEqual(splitWords('\u{1D400}'.repeat(50)), ['\u{1D400}'.repeat(50)]);
      assert.deepEqual(splitWords('\u{1D400}'.repeat(51)), []);
    });

    it('ignores control characters between words', () => {
      assert.deepEqual(splitWords('\x00\x01fred\x255'), ['FRED']);
    });

    it('returns no words for an empty or word-free text', () => {
      assert.deepEqual(splitWords(''), []);
      assert.deepEqual(splitWords(' -- ... !!! '), []);
    });

    it('drops the words of the given stop-word set', () => {
      const stopwords = stopwordSet(['blah']);
      assert.deepEqual(splitWords('blah hello the world', stopwords), ['HELLO', 'WORLD']);
    });
  });

  describe('stopwordSet', () => {
    it('holds the built-in words when no extra ones are given', () => {
      assert.deepEqual([...stopwordSet()].sort(), [...ROUNDUP_STOPWORDS].sort());
    });

    it('adds configured words trimmed and upper-cased, skipping empty entries', () => {
      const set = stopwordSet(['foo', ' Bar ', '', '  ']);
      assert.equal(set.size, ROUNDUP_STOPWORDS.length + 2);
      assert.equal(set.has('FOO'), true);
      assert.equal(set.has('BAR'), true);
      assert.equal(set.has('THE'), true);
      assert.equal(set.has(''), false);
    });
  });
});
