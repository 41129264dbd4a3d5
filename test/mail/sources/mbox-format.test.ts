import assert from 'node:assert/strict';
import { looksLikeMbox, mboxEntry, splitMbox } from '../../../lib/mail/sources/mbox-format.js';

describe('the Unix mailbox format', () => {
  it('writes entries with an asctime separator and ">From " quoting, and splits them back byte for byte', () => {
    const a = Buffer.from('Subject: a\n\nFrom here\n>From there\n');
    const b = Buffer.from('Subject: b\r\n\r\nno newline at the end');
    const data = Buffer.concat([mboxEntry(a, 'x@example.com', new Date(Date.UTC(2026, 2, 2, 9, 5, 7))), mboxEntry(b)]);
    assert.ok(data.toString('latin1').startsWith('From x@example.com Mon Mar  2 09:05:07 2026\nSubject: a\n\n>From here\n>>From there\n\nFrom MAILER-DAEMON '));
    assert.ok(looksLikeMbox(data));
    const messages = splitMbox(data);
    assert.deepEqual(messages.map((m) => m.raw.toString('latin1')), [a.toString('latin1'), 'Subject: b\r\n\r\nno newline at the end\n']);
    assert.equal(messages[0]!.separator, 'From x@example.com Mon Mar  2 09:05:07 2026');
    assert.deepEqual([messages[0]!.start, messages[1]!.end], [0, data.length]);
  });

  it('splits only at "From " lines that follow an empty line', () => {
    const data = Buffer.from('From a Mon Mar  2 09:05:07 2026\nSubject: x\n\nline\nFrom inside the body\n\nFrom b Mon Mar  2 09:05:08 2026\nSubject: y\n\nz\n');
    assert.deepEqual(splitMbox(data).map((m) => m.separator), ['From a Mon Mar  2 09:05:07 2026', 'From b Mon Mar  2 09:05:08 2026']);
    assert.equal(looksLikeMbox(Buffer.from('Subject: no separator\n')), false);
  });
});
