import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeMail, newMessageId } from '../../lib/mail/compose.js';
import { parseDebugFile } from '../../lib/mail/debug-file.js';
import { sharedFixtures } from '../support/paths.js';
import { decodeQuotedPrintable, decodeWords, header, splitMessage, testSettings } from './mail-helpers.js';

const NOW = Date.UTC(2026, 10, 21, 13, 57, 38);
const fixtureMails = () => parseDebugFile(readFileSync(join(sharedFixtures, 'roundup-nosy-mail.mbox'), 'utf8'));

describe('composing mail', () => {
  it('lays out a nosy-style mail with the header order of the mails Roundup wrote to the fixture mbox', () => {
    const fixture = fixtureMails()[0]!;
    const fixtureHeaders = splitMessage(fixture.message).headers;
    const composed = composeMail(
      {
        to: ['bob@example.org'],
        subject: '[issue2] Export drops retired users',
        body: 'Carol Chen <carol@example.net> added the comment:\n\nFollow-up 0 from carol on issue 2.\n',
        from: { name: 'Carol Chen', address: 'issue_tracker@example.com' },
        headers: {
          'Reply-To': 'Roundup issue tracker <issue_tracker@example.com>',
          'Message-Id': '<1795269458.252306.EIEI3SC5OLFL3TBA.issue2@example.com>',
          'X-Roundup-issue-keyword': 'ui, backend',
          'X-Roundup-issue-priority': 'urgent',
          'X-Roundup-issue-status': 'chatting',
          'X-Roundup-issue-files': 'shot-1.png',
          'X-Roundup-issue-Id': '2',
        },
      },
      { ...testSettings, version: '2.6.0' },
      NOW,
    );
    const ours = splitMessage(composed.text).headers;
    assert.deepEqual(ours.map(([name]) => name), fixtureHeaders.map(([name]) => name));
    // Everything but the body encoding's line breaks is the same text as Roundup wrote.
    assert.deepEqual(ours, fixtureHeaders);
    assert.equal(composed.messageId, '<1795269458.252306.EIEI3SC5OLFL3TBA.issue2@example.com>');
    assert.deepEqual(composed.envelope, { from: 'roundup-admin@example.com', to: ['bob@example.org'] });
  });

  it('gives a standard mail Roundup\'s fixed headers, the tracker name with admin_email as sender, and a generated Message-Id', () => {
    const composed = composeMail({ to: ['alice@example.com'], subject: 'Password reset for Roundup issue tracker', body: 'Hi\n' }, testSettings, NOW);
    const { headers, body } = splitMessage(composed.text);
    assert.deepEqual(headers.map(([n]) => n), [
      'MIME-Version', 'Content-Type', 'Message-Id', 'Content-Transfer-Encoding', 'Subject', 'To', 'From', 'Date',
      'Precedence', 'X-Roundup-Name', 'X-Roundup-Loop', 'X-Roundup-Version',
    ]);
    assert.equal(header(composed.text, 'From'), 'Roundup issue tracker <roundup-admin@example.com>');
    assert.equal(header(composed.text, 'Date'), 'Sat, 21 Nov 2026 13:57:38 +0000');
    assert.equal(header(composed.text, 'Content-Type'), 'text/plain; charset="utf-8"');
    assert.equal(header(composed.text, 'X-Roundup-Version'), '9.9.9');
    assert.match(composed.messageId, /^<1795269458\.\d+\.[A-Z2-7]{16}@example\.com>$/);
    assert.equal(header(composed.text, 'Message-Id'), composed.messageId);
    assert.equal(body, 'Hi\n');
  });

  it('writes Date in the tracker zone', () => {
    const composed = composeMail({ to: ['a@example.com'], subject: 's', body: 'b' }, { ...testSettings, offsetAt: () => 120 }, NOW);
    assert.equal(header(composed.text, 'Date'), 'Sat, 21 Nov 2026 15:57:38 +0200');
  });

  it('encodes non-ASCII subjects, names and tracker names and quoted-printables the body', () => {
    const composed = composeMail(
      { to: ['a@example.com'], subject: 'Ünïcode ✓', body: 'Grüße\n', from: { name: 'Jörg', address: 'tracker@example.com' } },
      { ...testSettings, trackerName: 'Trackér' },
      NOW,
    );
    assert.equal(decodeWords(header(composed.text, 'Subject')!), 'Ünïcode ✓');
    assert.equal(decodeWords(header(composed.text, 'X-Roundup-Name')!), 'Trackér');
    assert.equal(header(composed.text, 'From'), '=?utf-8?b?SsO2cmc=?= <tracker@example.com>');
    assert.equal(decodeQuotedPrintable(splitMessage(composed.text).body).toString('utf8'), 'Grüße\n');
    assert.ok(/^[\x00-\x7f]*$/.test(composed.text), 'the whole message is 7-bit');
  });

  describe('header injection', () => {
    const inject = '\r\nBcc: victim@example.com\r\n\r\nforged body';

    it('a subject with line breaks stays one Subject header and adds no recipient', () => {
      const composed = composeMail({ to: ['a@example.com'], subject: `Hello${inject}`, body: 'real body' }, testSettings, NOW);
      const { headers, body } = splitMessage(composed.text);
      assert.equal(headers.filter(([n]) => n.toLowerCase() === 'bcc').length, 0);
      assert.equal(header(composed.text, 'Subject'), 'Hello Bcc: victim@example.com forged body');
      assert.equal(decodeQuotedPrintable(body).toString(), 'real body');
      assert.deepEqual(composed.envelope.to, ['a@example.com']);
    });

    it('a sender name or tracker name with line breaks stays inside its header', () => {
      const composed = composeMail(
        { to: ['a@example.com'], subject: 's', body: 'b', from: { name: `Mallory${inject}`, address: 'tracker@example.com' } },
        { ...testSettings, trackerName: `Tracker${inject}` },
        NOW,
      );
      const names = splitMessage(composed.text).headers.map(([n]) => n);
      assert.equal(names.includes('Bcc'), false);
      assert.equal(header(composed.text, 'From'), '"Mallory Bcc: victim@example.com forged body" <tracker@example.com>');
      assert.equal(header(composed.text, 'X-Roundup-Name'), 'Tracker Bcc: victim@example.com forged body');
    });

    it('an extra header value with line breaks is flattened', () => {
      const composed = composeMail({ to: ['a@example.com'], subject: 's', body: 'b', headers: { 'X-Roundup-issue-status': `open${inject}` } }, testSettings, NOW);
      assert.equal(header(composed.text, 'X-Roundup-issue-status'), 'open Bcc: victim@example.com forged body');
      assert.equal(splitMessage(composed.text).headers.some(([n]) => n === 'Bcc'), false);
    });

    it('a recipient address with a line break is refused', () => {
      assert.throws(() => composeMail({ to: ['a@example.com\r\nBcc: victim@example.com'], subject: 's', body: 'b' }, testSettings, NOW), {
        code: 'RUP_ERR_VALUE',
        message: 'Invalid mail address "a@example.com\\r\\nBcc: victim@example.com"',
      });
    });

    it('a header name with a colon or line break is refused', () => {
      assert.throws(() => composeMail({ to: ['a@example.com'], subject: 's', body: 'b', headers: { 'X-A: b\r\nBcc': 'x' } }, testSettings, NOW), {
        code: 'RUP_ERR_VALUE',
      });
    });
  });

  it('refuses headers the mailer sets itself', () => {
    for (const name of ['Subject', 'from', 'Content-Type', 'X-Roundup-Loop', 'Bcc']) {
      assert.throws(() => composeMail({ to: ['a@example.com'], subject: 's', body: 'b', headers: { [name]: 'x' } }, testSettings, NOW), {
        code: 'RUP_ERR_VALUE',
        message: `The ${name} header is set by the mailer`,
      });
    }
  });

  it('refuses a mail without recipients', () => {
    assert.throws(() => composeMail({ to: [], subject: 's', body: 'b' }, testSettings, NOW), { code: 'RUP_ERR_VALUE', message: 'A mail needs at least one recipient' });
  });

  it('shows Cc recipients, keeps Bcc ones in the envelope only, and takes the envelope sender given', () => {
    const composed = composeMail(
      { to: ['a@example.com'], cc: ['c@example.com'], bcc: ['hidden@example.com'], subject: 's', body: 'b', sender: 'bounces@example.com' },
      testSettings,
      NOW,
    );
    assert.equal(header(composed.text, 'Cc'), 'c@example.com');
    assert.equal(composed.text.includes('hidden@example.com'), false);
    assert.deepEqual(composed.envelope, { from: 'bounces@example.com', to: ['a@example.com', 'c@example.com', 'hidden@example.com'] });
  });

  it('attaches files in a multipart/mixed mail as Roundup attaches them', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]);
    const composed = composeMail(
      {
        to: ['a@example.com'],
        subject: 's',
        body: 'See attached.\n',
        attachments: [
          { filename: 'trace-3.txt', content: 'line 1\nline 2\n', contentType: 'text/plain' },
          { filename: 'notes.txt', content: 'Grüße\n', contentType: 'text/plain' },
          { filename: 'shot-1.png', content: png, contentType: 'image/png' },
          { filename: 'blob', content: Buffer.from('raw') },
          { filename: 'log.txt', content: `From the log\n${'y'.repeat(1200)}\n`, contentType: 'text/plain' },
        ],
      },
      testSettings,
      NOW,
    );
    const contentType = header(composed.text, 'Content-Type')!;
    const boundary = /^multipart\/mixed; boundary="(.+)"$/.exec(contentType)![1]!;
    assert.equal(header(composed.text, 'Content-Transfer-Encoding'), undefined);
    const body = splitMessage(composed.text).body;
    assert.ok(body.endsWith(`--${boundary}--`));
    const parts = body.split(`--${boundary}`).slice(1, -1).map((p) => splitMessage(p.replace(/^\n/, '').replace(/\n$/, '')));
    assert.equal(parts.length, 6);
    assert.deepEqual(parts[0]!.headers, [['Content-Type', 'text/plain; charset="utf-8"'], ['MIME-Version', '1.0'], ['Content-Transfer-Encoding', 'quoted-printable']]);
    assert.equal(parts[0]!.body, 'See attached.\n');
    assert.deepEqual(parts[1]!.headers, [['Content-Type', 'text/plain; charset="us-ascii"'], ['MIME-Version', '1.0'], ['Content-Disposition', 'attachment;\n filename="trace-3.txt"']]);
    assert.equal(parts[1]!.body, 'line 1\nline 2\n');
    assert.equal(header(`${parts[2]!.headers.map(([n, v]) => `${n}: ${v}`).join('\n')}\n\n`, 'Content-Transfer-Encoding'), 'quoted-printable');
    assert.equal(decodeQuotedPrintable(parts[2]!.body).toString('utf8'), 'Grüße\n');
    assert.deepEqual(parts[3]!.headers, [['Content-Type', 'image/png'], ['MIME-Version', '1.0'], ['Content-Transfer-Encoding', 'base64'], ['Content-Disposition', 'attachment;\n filename="shot-1.png"']]);
    assert.deepEqual(Buffer.from(parts[3]!.body, 'base64'), png);
    assert.equal(parts[4]!.headers[0]![1], 'application/octet-stream');
    // ASCII that could split an mbox or break SMTP's line limit is quoted-printable instead.
    assert.deepEqual(parts[5]!.headers.slice(0, 3), [['Content-Type', 'text/plain; charset="utf-8"'], ['MIME-Version', '1.0'], ['Content-Transfer-Encoding', 'quoted-printable']]);
    assert.ok(parts[5]!.body.split('\n').every((l) => l.length <= 76));
    assert.equal(decodeQuotedPrintable(parts[5]!.body).toString(), `From the log\n${'y'.repeat(1200)}\n`);
  });

  it('refuses an attachment type that could break the part header', () => {
    assert.throws(
      () => composeMail({ to: ['a@example.com'], subject: 's', body: 'b', attachments: [{ filename: 'x', content: 'x', contentType: 'text/plain\r\nX-Evil: 1' }] }, testSettings, NOW),
      { code: 'RUP_ERR_VALUE', message: 'Invalid attachment type "text/plain\\r\\nX-Evil: 1"' },
    );
  });

  it('sends an HTML body as a multipart/alternative with the text first', () => {
    const composed = composeMail({ to: ['a@example.com'], subject: 's', body: 'plain', html: '<p>rich</p>' }, testSettings, NOW);
    const boundary = /^multipart\/alternative; boundary="(.+)"$/.exec(header(composed.text, 'Content-Type')!)![1]!;
    const parts = splitMessage(composed.text).body.split(`--${boundary}`).slice(1, -1).map((p) => splitMessage(p.replace(/^\n/, '').replace(/\n$/, '')));
    assert.deepEqual(parts.map((p) => p.headers[0]![1]), ['text/plain; charset="utf-8"', 'text/html; charset="utf-8"']);
    assert.deepEqual(parts.map((p) => p.body), ['plain', '<p>rich</p>']);
  });

  it('newMessageId makes distinct ids in Roundup\'s shape', () => {
    const a = newMessageId('example.com', NOW);
    const b = newMessageId('example.com', NOW);
    assert.match(a, /^<1795269458\.\d+\.[A-Z2-7]{16}@example\.com>$/);
    assert.notEqual(a, b);
  });
});
