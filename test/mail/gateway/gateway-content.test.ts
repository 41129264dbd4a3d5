import assert from 'node:assert/strict';
import { Reject } from '../../../lib/errors.js';
import type { GatewayResult } from '../../../lib/mail/gateway/gateway.js';
import { type GatewayTracker, bodyText, importedTracker } from './gateway-fixtures.js';

function message(subject: string, body: string, headers = 'Message-Id: <m1@mua.test>\n'): Buffer {
  return Buffer.from(`From: Bob Brown <bob@example.org>\nTo: issue_tracker@example.com\n${headers}Subject: ${subject}\nContent-Type: text/plain; charset="iso-8859-1"\n\n${body}`, 'latin1');
}

const QUOTING = `Blah blah wrote:
> Blah bklaskdfj sdf asdf jlaskdf skj sdkfjl asdf
>  skdjlkjsdfalsdkfjasdlfkj dlfksdfalksd fj
>

This is a followup
`;

const ATTACHED = (subject: string) =>
  Buffer.from(`From: mary <bob@example.org>
To: issue_tracker@example.com
Subject: ${subject}
Content-Type: multipart/mixed; boundary="bCsyhTFzCvuiizWE"

--bCsyhTFzCvuiizWE
Content-Type: text/plain; charset=us-ascii

test attachment binary

--bCsyhTFzCvuiizWE
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="main.dvi"
Content-Transfer-Encoding: base64

SnVzdCBhIHRlc3QgAQo=

--bCsyhTFzCvuiizWE
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

SnVzdCBhIHRlc3QK

--bCsyhTFzCvuiizWE--
`);

function msgid(result: GatewayResult): string {
  assert.equal(result.outcome, 'stored', JSON.stringify(result));
  return (result as { msgid: string }).msgid;
}

describe('mail gateway: message content, files and atomic storage', () => {
  let t: GatewayTracker;
  beforeEach(async () => {
    t = await importedTracker();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const content = (id: string) => t.read(async (db) => db.getclass('msg').get(id, 'content'));
  const summary = (id: string) => t.read(async (db) => db.getclass('msg').get(id, 'summary'));
  const counts = () =>
    t.read(async (db) => ({
      issues: (await db.getclass('issue').getnodeids()).length,
      msgs: (await db.getclass('msg').getnodeids()).length,
      files: (await db.getclass('file').getnodeids()).length,
    }));

  it('keeps quotes by default and drops them with keep_quoted_text = no; the summary skips them', async () => {
    const kept = msgid(await t.process(message('Re: [issue1] Testing...', QUOTING)));
    assert.equal(await content(kept), QUOTING.trim());
    assert.equal(await summary(kept), 'This is a followup');
    t.tracker.config.set('mailgw', 'keep_quoted_text', 'no');
    const dropped = msgid(await t.process(message('Re: [issue1] Testing...', QUOTING)));
    assert.equal(await content(dropped), 'This is a followup');
  });

  it('keep_quoted_text = new keeps quotes only in a mail that opens an issue', async () => {
    t.tracker.config.set('mailgw', 'keep_quoted_text', 'new');
    assert.equal(await content(msgid(await t.process(message('A new one', QUOTING)))), QUOTING.trim());
    assert.equal(await content(msgid(await t.process(message('[issue1] Testing...', QUOTING)))), 'This is a followup');
  });

  it('leave_body_unchanged keeps quotes and signature (always, or for new issues only)', async () => {
    const signed = `${QUOTING}\n--\nmy sig\n`;
    t.tracker.config.set('mailgw', 'keep_quoted_text', 'no');
    t.tracker.config.set('mailgw', 'leave_body_unchanged', 'new');
    assert.equal(await content(msgid(await t.process(message('Brand new', signed)))), signed.trim());
    assert.equal(await content(msgid(await t.process(message('[issue1] Testing...', signed)))), 'This is a followup');
    t.tracker.config.set('mailgw', 'leave_body_unchanged', 'yes');
    assert.equal(await content(msgid(await t.process(message('[issue1] Testing...', signed)))), signed.trim());
  });

  it('drops a signature that is the last section, and keeps a line starting with From', async () => {
    assert.equal(await content(msgid(await t.process(message('[issue1] x', 'From here to there!\n\n-- \nBob\nBrown Ltd.\n')))), 'From here to there!');
  });

  it('decodes latin-1 text into the stored UTF-8 content', async () => {
    const id = msgid(await t.process(message('[issue1] x', 'A message with encoding (encoded oe \xf6)\n')));
    assert.equal(await content(id), 'A message with encoding (encoded oe ö)');
  });

  it('makes a Message-Id for a mail without one: <time.RANDOM.<class><id>@<mail domain>>', async () => {
    const created = msgid(await t.process(message('No id', 'Hi there!\n', '')));
    const updated = msgid(await t.process(message('[issue1] No id', 'Just a test reply\n', '')));
    await t.read(async (db) => {
      assert.match((await db.getclass('msg').get(created, 'messageid')) as string, /^<\d+\.\d{6}\.[A-Z2-7]{16}\.issueNone@example\.com>$/);
      assert.match((await db.getclass('msg').get(updated, 'messageid')) as string, /^<\d+\.\d{6}\.[A-Z2-7]{16}\.issue1@example\.com>$/);
    });
  });

  it('attaches files to the message and adds them to the item, unnamed ones as "unnamed"', async () => {
    const result = await t.process(ATTACHED('[issue1] Testing...'));
    assert.deepEqual(result.outcome === 'stored' && [result.msgid, result.fileids], ['31', ['8', '9']]);
    await t.read(async (db) => {
      const files = db.getclass('file');
      assert.deepEqual([await files.get('8', 'name'), await files.get('8', 'content'), await files.get('8', 'type')], ['main.dvi', 'Just a test \u0001\n', 'application/octet-stream']);
      assert.deepEqual([await files.get('9', 'name'), await files.get('9', 'content')], ['unnamed', 'Just a test\n']);
      assert.deepEqual(await db.getclass('msg').get('31', 'files'), ['8', '9']);
      assert.deepEqual(await db.getclass('issue').get('1', 'files'), ['1', '8', '9']);
    });
    await t.process(ATTACHED('[issue1] Testing...'));
    await t.read(async (db) => assert.deepEqual(await db.getclass('issue').get('1', 'files'), ['1', '8', '9', '10', '11']));
  });

  it('leaves out a file a detector refuses, and stores the rest', async () => {
    t.tracker.schema.getClass('file').detectors.audit('create', (_db: unknown, _cl: unknown, _id: unknown, values: Record<string, unknown>) => {
      if (values.name === 'main.dvi') throw new Reject('no dvi files');
    });
    const result = await t.process(ATTACHED('[issue1] Testing...'));
    assert.deepEqual(result.outcome === 'stored' && result.fileids, ['8']);
    await t.read(async (db) => assert.equal(await db.getclass('file').get('8', 'name'), 'unnamed'));
  });

  it('bounces a message a detector refuses, with its reason', async () => {
    t.tracker.schema.getClass('msg').detectors.audit('create', () => {
      throw new Reject('messages are closed today');
    });
    assert.equal((await t.process(message('[issue1] x', 'text\n'))).outcome, 'bounced');
    assert.ok(bodyText((await t.sent())[0]!).startsWith('\n\nMail message was rejected by a detector.\nmessages are closed today\n\n'));
  });

  it('stores nothing of a message (files, msg, item change) when the item change is refused', async () => {
    const before = await counts();
    t.tracker.schema.getClass('issue').detectors.audit('set', () => {
      throw new Reject('issue1 is frozen');
    });
    const result = await t.process(ATTACHED('[issue1] Testing... [status=resolved]'));
    assert.equal(result.outcome, 'bounced');
    assert.ok(bodyText((await t.sent())[0]!).startsWith('\n\nThere was a problem with the message you sent:\n   issue1 is frozen\n\n'));
    assert.deepEqual(await counts(), before);
    await t.read(async (db) => {
      const issue = await db.getclass('issue').getnode('1');
      assert.deepEqual([issue.status, issue.files, issue.messages], ['1', ['1'], ['1']]);
    });
  });

  it('answers an error it did not expect with a short bounce, sends the admin the details, and stores nothing', async () => {
    const before = await counts();
    t.tracker.schema.getClass('msg').detectors.react('create', () => {
      throw new TypeError('a detector bug');
    });
    const result = await t.process(message('[issue1] x', 'text\n'));
    assert.deepEqual(result.outcome === 'bounced' && result.kind, 'unexpected');
    const [user, admin] = await t.sent();
    assert.deepEqual(user!.recipients, ['bob@example.org']);
    assert.equal(bodyText(user!), '\nAn unexpected error occurred during the processing\nof your message. The tracker administrator is being\nnotified.\n');
    assert.deepEqual(admin!.recipients, ['roundup-admin@example.com']);
    assert.match(bodyText(admin!), /^\nAn unexpected error occurred[\s\S]*\n----------------\nTypeError: a detector bug\n {4}at /);
    assert.deepEqual(await counts(), before);
  });

  it('a class without messages or files takes only the property changes', async () => {
    const result = await t.process(ATTACHED('[keyword1] Testing [name=renamed]'));
    assert.deepEqual(result.outcome === 'stored' && [result.classname, result.msgid, result.fileids], ['keyword', null, []]);
    await t.read(async (db) => assert.equal(await db.getclass('keyword').get('1', 'name'), 'renamed'));
  });
});
