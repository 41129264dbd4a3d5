import assert from 'node:assert/strict';
import { TokenizeError, tokenize } from '../../lib/admin/tokenize.js';

describe('admin tokenize (Roundup token_split rules)', () => {
  it('splits on spaces, tabs, CR and LF and ignores runs of them', () => {
    assert.deepEqual(tokenize('  hello \t world\r\nagain  '), ['hello', 'world', 'again']);
  });

  it('keeps a double-quoted stretch as one token', () => {
    assert.deepEqual(tokenize('"hello world"'), ['hello world']);
  });

  it("keeps the other quote char inside quotes: \"Roch'e\" Compaan", () => {
    assert.deepEqual(tokenize(`"Roch'e" Compaan`), ["Roch'e", 'Compaan']);
  });

  it('takes a backslash-escaped quote literally: Roch\\\'e Compaan', () => {
    assert.deepEqual(tokenize("Roch\\'e Compaan"), ["Roch'e", 'Compaan']);
  });

  it('joins a quoted value to its property name: address="1 2 3"', () => {
    assert.deepEqual(tokenize('set user1 address="1 2 3"'), ['set', 'user1', 'address=1 2 3']);
  });

  it('reads single quotes like double quotes', () => {
    assert.deepEqual(tokenize("title='a b' x"), ['title=a b', 'x']);
  });

  it('turns \\\\ into one backslash', () => {
    assert.deepEqual(tokenize('\\\\'), ['\\']);
  });

  it('turns \\n \\r \\t into newline, carriage return and tab', () => {
    assert.deepEqual(tokenize('\\n\\r\\t'), ['\n\r\t']);
  });

  it('takes an escaped space as part of the token', () => {
    assert.deepEqual(tokenize('a\\ b c'), ['a b', 'c']);
  });

  it('escapes a quote inside quotes: f "test\\"q"', () => {
    assert.deepEqual(tokenize('f "test\\"q"'), ['f', 'test"q']);
  });

  it('drops the backslash before any other character (\\o is o), as Roundup does', () => {
    assert.deepEqual(tokenize('\\o'), ['o']);
  });

  it("reads '' as an empty token", () => {
    assert.deepEqual(tokenize("set issue1 title=''"), ['set', 'issue1', 'title=']);
    assert.deepEqual(tokenize("''"), ['']);
  });

  it('gives no tokens for an empty or blank line', () => {
    assert.deepEqual(tokenize(''), []);
    assert.deepEqual(tokenize('   '), []);
  });

  it('drops a token ending in a lone backslash, as Roundup does', () => {
    assert.deepEqual(tokenize('list abc\\'), ['list']);
  });

  it('refuses an unclosed quote', () => {
    assert.throws(() => tokenize('"hello world'), (err: unknown) => err instanceof TokenizeError && err.message === 'no closing " quote');
    assert.throws(() => tokenize("Roch'e Compaan"), (err: unknown) => err instanceof TokenizeError && err.message === "no closing ' quote");
  });
});
