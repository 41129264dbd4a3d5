import assert from 'node:assert/strict';
import {
  base64Lines,
  checkAddress,
  checkHeaderName,
  encodeText,
  encodeWords,
  filenameParameter,
  formatAddress,
  formatAddressList,
  headerText,
  mboxDate,
  quotedPrintable,
  rfc2822Date,
  unstructuredValue,
} from '../../lib/mail/mime.js';
import { decodeQuotedPrintable, decodeWords } from './mail-helpers.js';

describe('mail MIME helpers', () => {
  describe('formatAddress (Roundup nice_sender_header)', () => {
    it('writes an ASCII name as is', () => {
      assert.equal(formatAddress('ascii', 'ascii@test.com', 'iso8859-1'), 'ascii <ascii@test.com>');
    });

    it('Q-encodes a latin-1 name in iso-8859-1, as Roundup test_mailer expects', () => {
      assert.equal(formatAddress('café', 'ascii@test.com', 'iso8859-1'), '=?iso-8859-1?q?caf=E9?= <ascii@test.com>');
    });

    it('picks the shorter B encoding for café in utf-8, as Roundup test_mailer expects', () => {
      assert.equal(formatAddress('café', 'ascii@test.com', 'utf-8'), '=?utf-8?b?Y2Fmw6k=?= <ascii@test.com>');
    });

    it('picks Q for a mostly ASCII utf-8 name, as the fixture mbox shows', () => {
      assert.equal(formatAddress('Dave Østergaard', 'issue_tracker@example.com'), '=?utf-8?q?Dave_=C3=98stergaard?= <issue_tracker@example.com>');
    });

    it('quotes a name holding specials and escapes its quotes', () => {
      assert.equal(formatAddress('as"ii', 'ascii@test.com'), '"as\\"ii" <ascii@test.com>');
      assert.equal(formatAddress('Doe, John', 'jd@example.com'), '"Doe, John" <jd@example.com>');
    });

    it('gives the bare address when there is no name', () => {
      assert.equal(formatAddress('', 'a@example.com'), 'a@example.com');
      assert.equal(formatAddress(null, 'a@example.com'), 'a@example.com');
    });

    it('turns line breaks in a name into spaces', () => {
      assert.equal(formatAddress('Eve\r\nBcc: victim@example.com', 'eve@example.com'), '"Eve Bcc: victim@example.com" <eve@example.com>');
    });
  });

  describe('checkAddress', () => {
    it('accepts and trims a plain address', () => {
      assert.equal(checkAddress(' user.name+tag@example.co.uk '), 'user.name+tag@example.co.uk');
      assert.equal(checkAddress('a@b.com\n'), 'a@b.com');
    });

    for (const bad of ['a@b.com\r\nBcc: x@y.com', 'a b@c.com', '<a@b.com>', 'a@b.com,c@d.com', 'nobody', '@example.com', 'a@', 'jörg@example.com']) {
      it(`refuses ${JSON.stringify(bad)} with RUP_ERR_VALUE`, () => {
        assert.throws(
          () => checkAddress(bad),
          (err: Error & { code?: string }) => err.code === 'RUP_ERR_VALUE' && err.message === `Invalid mail address ${JSON.stringify(bad)}`,
        );
      });
    }
  });

  it('checkHeaderName refuses names with a colon, space or line break', () => {
    assert.equal(checkHeaderName('X-Roundup-issue-Id'), 'X-Roundup-issue-Id');
    for (const bad of ['Bad:Name', 'Bad Name', 'X\r\nBcc', '']) {
      assert.throws(() => checkHeaderName(bad), { code: 'RUP_ERR_VALUE', message: `Invalid mail header name ${JSON.stringify(bad)}` });
    }
  });

  it('headerText replaces every run of control characters but tabs with one space', () => {
    assert.equal(headerText('one\r\ntwo\nthree\u0000four\tfive\u007f'), 'one two three four\tfive');
    assert.equal(headerText('\r\n  padded \n'), 'padded');
  });

  describe('encodeWords and unstructuredValue', () => {
    it('leaves plain ASCII alone and folds it at spaces past 78 columns', () => {
      assert.equal(unstructuredValue('[issue2] Export drops retired users', 'utf-8', 7), '[issue2] Export drops retired users');
      const long = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
      const folded = unstructuredValue(long, 'utf-8', 7);
      const lines = folded.split('\n');
      assert.ok(lines.length > 1);
      assert.ok(lines.every((l, i) => (i === 0 ? l.length + 9 : l.length) <= 78), folded);
      assert.equal(folded.replace(/\n /g, ' '), long);
    });

    it('splits long non-ASCII text into encoded words of at most 75 characters that decode back', () => {
      const text = 'Überprüfung der Änderungen für die nächste Version — ' + 'ä'.repeat(60);
      const encoded = encodeWords(text);
      const words = encoded.split('\n ');
      assert.ok(words.length > 1);
      for (const w of words) {
        assert.ok(w.length <= 75, w);
        assert.match(w, /^=\?utf-8\?[qb]\?[^?\s]*\?=$/);
      }
      assert.equal(decodeWords(encoded), text);
    });

    it('encodes a word too long for one header line so that no line passes 998 characters', () => {
      const word = 'x'.repeat(2000);
      const value = unstructuredValue(`see ${word}`, 'utf-8', 7);
      assert.ok(value.split('\n').every((line) => line.length <= 78), 'folded into short lines');
      assert.equal(decodeWords(value), `see ${word}`);
    });

    it('encodes a subject with a line break into one line of encoded words, never a new header', () => {
      const value = unstructuredValue('Grüße\r\nBcc: evil@example.com', 'utf-8', 7);
      assert.doesNotMatch(value, /\nBcc:/);
      assert.equal(decodeWords(value), 'Grüße Bcc: evil@example.com');
    });
  });

  describe('encodeText', () => {
    it('writes iso-8859-1 when the text fits it', () => {
      assert.deepEqual(encodeText('café', 'ISO-8859-1'), { charset: 'iso-8859-1', bytes: Buffer.from([0x63, 0x61, 0x66, 0xe9]) });
    });

    it('falls back to utf-8 when the charset cannot hold the text or is unknown', () => {
      assert.deepEqual(encodeText('5 €', 'iso-8859-1'), { charset: 'utf-8', bytes: Buffer.from('5 €', 'utf8') });
      assert.deepEqual(encodeText('é', 'koi8-r'), { charset: 'utf-8', bytes: Buffer.from('é', 'utf8') });
    });
  });

  describe('quotedPrintable', () => {
    it('escapes =, non-ASCII bytes, trailing white space and a leading "From "', () => {
      assert.equal(quotedPrintable(Buffer.from('a=b\nÅ\ntrailing \nFrom me\n From you', 'utf8')), 'a=3Db\n=C3=85\ntrailing=20\n=46rom me\n From you');
    });

    it('keeps lines within 76 characters with soft breaks and decodes to the same bytes', () => {
      const text = `${'x'.repeat(200)}\n${'é'.repeat(50)}\r\nend`;
      const encoded = quotedPrintable(Buffer.from(text, 'utf8'));
      for (const line of encoded.split('\n')) assert.ok(line.length <= 76, line);
      assert.equal(decodeQuotedPrintable(encoded).toString('utf8'), text.replace(/\r\n/g, '\n'));
    });
  });

  it('base64Lines wraps at 76 characters', () => {
    const lines = base64Lines(Buffer.alloc(100, 7)).split('\n');
    assert.deepEqual(lines.map((l) => l.length), [76, 60]);
    assert.deepEqual(Buffer.from(lines.join(''), 'base64'), Buffer.alloc(100, 7));
  });

  it('rfc2822Date writes the wall time and offset of the zone', () => {
    const instant = Date.UTC(2026, 10, 21, 13, 57, 38);
    assert.equal(rfc2822Date(instant, 0), 'Sat, 21 Nov 2026 13:57:38 +0000');
    assert.equal(rfc2822Date(instant, 60), 'Sat, 21 Nov 2026 14:57:38 +0100');
    assert.equal(rfc2822Date(instant, -330), 'Sat, 21 Nov 2026 08:27:38 -0530');
    assert.equal(rfc2822Date(Date.UTC(2026, 0, 1, 2, 0, 0), -300), 'Wed, 31 Dec 2025 21:00:00 -0500');
  });

  it('mboxDate writes the day of the month (not the month number Roundup prints)', () => {
    assert.equal(mboxDate(Date.UTC(2026, 10, 21, 13, 57, 38)), 'Sat Nov 21 13:57:38 2026');
    assert.equal(mboxDate(Date.UTC(2026, 1, 3, 4, 5, 6)), 'Tue Feb 03 04:05:06 2026');
  });

  it('formatAddressList joins with ", " and folds after a comma when long', () => {
    assert.equal(formatAddressList(['alice@example.com', 'carol@example.net'], 2), 'alice@example.com, carol@example.net');
    const many = Array.from({ length: 8 }, (_, i) => `user${i}@example.com`);
    const folded = formatAddressList(many, 2);
    assert.ok(folded.split('\n').length > 1);
    assert.equal(folded.replace(/\n /g, ' '), many.join(', '));
    assert.throws(() => formatAddressList(['ok@example.com', 'bad\n@example.com'], 2), { code: 'RUP_ERR_VALUE' });
  });

  it('filenameParameter quotes ASCII names and uses RFC 2231 for others', () => {
    assert.equal(filenameParameter('trace "3".txt'), 'filename="trace \\"3\\".txt"');
    assert.equal(filenameParameter('a\r\nb.txt'), 'filename="a b.txt"');
    assert.equal(filenameParameter('résumé.pdf'), "filename*=utf-8''r%C3%A9sum%C3%A9.pdf");
  });
});
