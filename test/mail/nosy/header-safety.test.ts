import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { decodeWords, header, splitMessage } from '../mail-helpers.js';
import { type NosyTracker, nosyTracker } from './nosy-fixtures.js';

/*
 * Whatever people type into titles, names, keywords, file names and
 * message ids must never start a header of its own or end the header
 * block (Roundup's email package raises on a newline in a header; we
 * write the text on one line instead).
 */

/** The header names of a mail, in order; fails when a header line is not a header or a continuation. */
function headerNamesStrict(message: string): string[] {
  const head = message.slice(0, message.indexOf('\n\n'));
  const names: string[] = [];
  for (const line of head.split('\n')) {
    if (/^[ \t]/.test(line)) continue;
    const m = /^([\x21-\x39\x3b-\x7e]+): /.exec(line);
    assert.ok(m, `not a header line: ${JSON.stringify(line)}`);
    names.push(m[1]!);
  }
  return names;
}

const NOSY_HEADERS = [
  'MIME-Version', 'Content-Type', 'Reply-To', 'Message-Id', 'X-Roundup-issue-keyword', 'X-Roundup-issue-status', 'X-Roundup-issue-Id',
  'Content-Transfer-Encoding', 'Subject', 'To', 'From', 'Date', 'Precedence', 'X-Roundup-Name', 'X-Roundup-Loop', 'X-Roundup-Version',
];

describe('nosy mail header safety', () => {
  let t: NosyTracker;

  afterEach(async () => {
    await t?.cleanup();
  });

  it('a title, real name, keyword and message ids with line breaks and control characters stay on their header line', async () => {
    t = await nosyTracker({ tracker_replyto_address: 'AUTHOR' });
    await t.as('admin', async (db) => {
      await db.getclass('user').set(t.ids.alice, { realname: 'Alice\r\nBcc: eve@example.com\u0000' });
      await db.getclass('keyword').create({ name: 'evil\nX-Injected: keyword' });
    });
    const msg = await t.as('alice', async (db) => {
      const m = await db.getclass('msg').create({ content: 'Body\n\nBcc: not-a-header@example.com', author: t.ids.alice, messageid: '<id@x>\r\nX-Injected: id' });
      await db.getclass('issue').create({
        title: 'Hello\r\nBcc: eve@example.com\r\n\r\nFake body',
        messages: [m],
        nosy: [t.ids.bob],
        keyword: [await db.getclass('keyword').lookup('evil\nX-Injected: keyword')],
      });
      return m;
    });
    const [mail] = t.sent();
    assert.deepEqual(mail!.recipients, ['bob@example.org']);
    assert.deepEqual(headerNamesStrict(mail!.message), NOSY_HEADERS);
    assert.equal(header(mail!.message, 'Subject'), '[issue1] Hello Bcc: eve@example.com Fake body');
    assert.equal(header(mail!.message, 'From'), '"Alice Bcc: eve@example.com" <issue_tracker@example.com>');
    assert.equal(header(mail!.message, 'Reply-To'), '"Alice Bcc: eve@example.com" <alice@example.com>');
    assert.equal(header(mail!.message, 'X-Roundup-issue-keyword'), 'evil X-Injected: keyword');
    assert.equal(header(mail!.message, 'Message-Id'), '<id@x> X-Injected: id');
    const parsed = await simpleParser(mail!.message);
    assert.equal(parsed.bcc, undefined);
    assert.equal(parsed.headers.has('x-injected'), false);
    assert.equal(parsed.subject, '[issue1] Hello Bcc: eve@example.com Fake body');
    assert.match(parsed.text ?? '', /^Body\n\nBcc: not-a-header@example.com$/m);
    assert.deepEqual(await t.as('admin', async (db) => db.getclass('msg').get(msg, 'recipients')), [t.ids.bob]);
  });

  it('a user name with control characters (no user auditor to refuse it) stays on the From line', async () => {
    t = await nosyTracker({}, { prepare: (home) => rmSync(join(home, 'detectors', 'userauditor.js')) });
    const mallory = await t.as('admin', (db) => db.getclass('user').create({ username: 'mal\r\nTo: all@example.com', address: 'mallory@example.com', roles: 'User' }));
    await t.as('admin', async (db) => {
      const m = await db.getclass('msg').create({ content: 'x', author: mallory });
      await db.getclass('issue').create({ title: 't', messages: [m], nosy: [t.ids.bob] });
    });
    const [mail] = t.sent();
    assert.deepEqual(headerNamesStrict(mail!.message).filter((n) => n === 'To'), ['To']);
    assert.equal(header(mail!.message, 'From'), '"mal To: all@example.com" <issue_tracker@example.com>');
    assert.deepEqual(mail!.recipients, ['bob@example.org']);
  });

  it('a title that is not ASCII and has a line break becomes encoded words without the break', async () => {
    t = await nosyTracker();
    await t.as('alice', async (db) => {
      const m = await db.getclass('msg').create({ content: 'x', author: t.ids.alice });
      await db.getclass('issue').create({ title: 'Grüße\nBcc: eve@example.com', messages: [m], nosy: [t.ids.bob] });
    });
    const [mail] = t.sent();
    const subject = header(mail!.message, 'Subject')!;
    assert.match(subject, /^=\?utf-8\?[qb]\?/);
    assert.equal(decodeWords(subject), '[issue1] Grüße Bcc: eve@example.com');
    assert.equal(headerNamesStrict(mail!.message).includes('Bcc'), false);
  });

  it('a nosy user whose address is not a mail address is left out; the others still get the message', async () => {
    t = await nosyTracker({}, { prepare: (home) => rmSync(join(home, 'detectors', 'userauditor.js')) });
    await t.as('admin', (db) => db.getclass('user').set(t.ids.carol, { address: 'carol@example.net\r\nBcc: eve@example.com' }));
    const msg = await t.as('alice', async (db) => {
      const m = await db.getclass('msg').create({ content: 'x', author: t.ids.alice });
      await db.getclass('issue').create({ title: 't', messages: [m], nosy: [t.ids.bob, t.ids.carol] });
      return m;
    });
    const [mail] = t.sent();
    assert.deepEqual(mail!.recipients, ['bob@example.org']);
    assert.equal(header(mail!.message, 'To'), 'bob@example.org');
    assert.deepEqual(await t.as('admin', async (db) => db.getclass('msg').get(msg, 'recipients')), [t.ids.bob]);
  });

  it('file names with quotes and line breaks stay inside their parameter; a broken file type is sent as octet-stream', async () => {
    t = await nosyTracker();
    await t.as('alice', async (db) => {
      const f = await db.getclass('file').create({ name: 'a"b\r\nContent-Type: text/html.txt', type: 'text/plain', content: 'x\n' });
      const g = await db.getclass('file').create({ name: 'g.bin', type: 'text/plain\r\nX-Injected: type', content: 'y' });
      const m = await db.getclass('msg').create({ content: 'x', author: t.ids.alice, files: [f, g] });
      await db.getclass('issue').create({ title: 't', messages: [m], nosy: [t.ids.bob] });
    });
    const parsed = await simpleParser(t.sent()[0]!.message);
    assert.deepEqual(parsed.attachments.map((a) => [a.filename, a.contentType]), [['a"b Content-Type: text/html.txt', 'text/plain'], ['g.bin', 'application/octet-stream']]);
    assert.equal(t.sent()[0]!.message.includes('X-Injected'), false);
  });

  it('extra headers of a detector: a bad name is refused, a value with line breaks stays on its line', async () => {
    t = await nosyTracker();
    await t.as('admin', async (db) => {
      const issue = await db.getclass('issue').create({ title: 't', nosy: [t.ids.bob] });
      await assert.rejects(db.getclass('issue').nosymessage(issue, null, null, { add_headers: { 'X-A\r\nBcc': 'x' } }), {
        code: 'RUP_ERR_VALUE',
        message: 'Invalid mail header name "X-A\\r\\nBcc"',
      });
      await db.getclass('issue').nosymessage(issue, null, null, { add_headers: { 'X-Note': 'one\r\nBcc: eve@example.com' } });
    });
    const [mail] = t.sent();
    assert.equal(header(mail!.message, 'X-Note'), 'one Bcc: eve@example.com');
    assert.equal(splitMessage(mail!.message).headers.some(([n]) => n.toLowerCase() === 'bcc'), false);
  });
});
