import assert from 'node:assert/strict';
import {
  MalformedMailError,
  headerAddresses,
  headerReferences,
  headerText,
  parseMail,
  rawFromAddresses,
  rawHeaderBlock,
} from '../../../lib/mail/gateway/mime-message.js';
import { fixtureMail, mail } from './gateway-fixtures.js';

describe('mail gateway: reading a message', () => {
  it('decodes encoded words in the subject and in address names', async () => {
    const parsed = await parseMail(fixtureMail('10-utf8-alternate-address.eml'));
    assert.equal(headerText(parsed.headers, 'subject'), 'Grüße aus München — 中文');
    assert.deepEqual(headerAddresses(parsed.headers, 'from'), [{ name: 'Jürgen', address: 'alice.adams@example.com' }]);
  });

  it('unfolds a folded subject', async () => {
    const parsed = await parseMail(fixtureMail('02-followup-props.eml'));
    assert.equal(headerText(parsed.headers, 'subject'), 'Re: [issue1] Login page rejects valid password [status=in-progress;priority=urgent]');
    assert.equal(headerText(parsed.headers, 'in-reply-to'), '<plain-1@mua.example.com>');
  });

  it('builds the part tree with transfer-decoded leaves and file names', async () => {
    const parsed = await parseMail(fixtureMail('03-attachments-latin1.eml'));
    assert.equal(parsed.root.contentType, 'multipart/mixed');
    assert.deepEqual(
      parsed.root.children.map((p) => [p.contentType, p.params.charset ?? null, p.disposition, p.filename, p.body.length]),
      [
        ['text/plain', 'iso-8859-1', null, null, 32],
        ['text/plain', 'utf-8', 'attachment', 'server.log', 14],
        ['image/png', null, 'attachment', 'screen shot.png', 2048],
      ],
    );
    assert.equal(parsed.root.children[0]!.body.toString('latin1'), 'Voilà the log and a screenshot.\n');
    const png = parsed.root.children[2]!.body;
    assert.deepEqual([...png.subarray(0, 4)], [0, 1, 2, 3]);
    assert.equal(png[2047], 255);
  });

  it('reads a multipart without its closing boundary and a part without headers', async () => {
    const parsed = await parseMail(fixtureMail('08-no-from-broken-mime.eml'));
    assert.equal(parsed.root.children.length, 1);
    assert.equal(parsed.root.children[0]!.contentType, 'text/plain');
    assert.equal(parsed.root.children[0]!.body.toString('utf8'), 'no closing boundary and no sender\r\n');
    assert.deepEqual(headerAddresses(parsed.headers, 'from'), []);
  });

  it('reads Resent-From, Cc and groups as address lists', async () => {
    const parsed = await parseMail(
      mail(`From: Chef <chef@bork.bork.bork>
Resent-From: "Contrary, Mary" <mary@test.test>
To: team: a@x.test, "B, b" <b@x.test>;
Cc: richard@test.test
Subject: x
References: <a@x> <b@x>
  <c@x>

body
`),
    );
    assert.deepEqual(headerAddresses(parsed.headers, 'resent-from'), [{ name: 'Contrary, Mary', address: 'mary@test.test' }]);
    assert.deepEqual(headerAddresses(parsed.headers, 'to').map((a) => a.address), ['a@x.test', 'b@x.test']);
    assert.deepEqual(headerAddresses(parsed.headers, 'cc'), [{ name: '', address: 'richard@test.test' }]);
    assert.deepEqual(headerAddresses(parsed.headers, 'bcc'), []);
    assert.deepEqual(headerReferences(parsed.headers), ['<a@x>', '<b@x>', '<c@x>']);
  });

  it('refuses a message whose header block exceeds the parser limit, and still finds its sender in the raw text', async () => {
    const raw = Buffer.from(`From: Chef <chef@bork.bork.bork>\nSubject: x\nX-Filler: ${'y'.repeat(1024 * 1024 + 10)}\n\nbody\n`);
    await assert.rejects(parseMail(raw), (err: unknown) => err instanceof MalformedMailError && err.code === 'RUP_ERR_FORMAT' && /could not be read as MIME/.test(err.message));
    assert.deepEqual(rawFromAddresses(raw), [{ name: 'Chef', address: 'chef@bork.bork.bork' }]);
    assert.ok(rawHeaderBlock(raw, 100).startsWith('From: Chef <chef@bork.bork.bork>\nSubject: x\nX-Filler: yyy'));
  });

  it('finds a folded From in the raw header block', () => {
    assert.deepEqual(rawFromAddresses(Buffer.from('Subject: x\r\nFrom: "Long\r\n Name" <l@x.test>\r\n\r\nFrom: not@header.test\r\n')), [{ name: 'Long Name', address: 'l@x.test' }]);
    assert.deepEqual(rawFromAddresses(Buffer.from('Subject: x\n\nbody')), []);
  });
});
