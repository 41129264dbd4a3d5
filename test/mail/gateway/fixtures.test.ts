import assert from 'node:assert/strict';
import type { Database } from '../../../lib/hyperdb/database.js';
import { skipWithoutBackend } from '../../support/trackers.js';
import { type GatewayTracker, bodyText, bouncedOriginal, fixtureMail, importedTracker } from './gateway-fixtures.js';

/** The counts of the imported classic export. */
const IMPORTED = { issues: 12, msgs: 30, files: 7, users: 6 };

async function counts(db: Database): Promise<{ issues: number; msgs: number; files: number; users: number }> {
  const sys = db.system();
  return {
    issues: (await sys.getclass('issue').getnodeids()).length,
    msgs: (await sys.getclass('msg').getnodeids()).length,
    files: (await sys.getclass('file').getnodeids()).length,
    users: (await sys.getclass('user').getnodeids()).length,
  };
}

const REGISTER_HINT = ' Please register at:\n\nhttp://tracker.example/demo/user?@template=register\n\n...before sending mail to the tracker.';

for (const backend of ['sqlite', 'postgresql'] as const) {
  describe(`mail gateway: the incoming mail fixtures on a tracker imported from Roundup (${backend})`, function () {
    let t: GatewayTracker;
    before(async function () {
      await skipWithoutBackend(this, backend);
    });
    beforeEach(async () => {
      t = await importedTracker(backend);
    });
    afterEach(async () => {
      await t?.cleanup();
    });

    it('01: a plain mail from a known user opens a new issue with the mail as its first message', async () => {
      const result = await t.process(fixtureMail('01-new-plain.eml'));
      assert.deepEqual(result, { outcome: 'stored', action: 'created', classname: 'issue', itemid: '13', msgid: '31', fileids: [], author: '3' });
      await t.read(async (db) => {
        const issue = await db.getclass('issue').getnode('13');
        assert.equal(issue.title, 'Printer on floor 3 eats paper');
        assert.deepEqual(issue.messages, ['31']);
        assert.deepEqual(issue.nosy, ['3']);
        assert.equal(issue.status, '1', 'a new issue starts as unread');
        assert.equal(issue.creator, '3');
        const msg = await db.getclass('msg').getnode('31');
        assert.equal(await db.getclass('msg').get('31', 'content'), 'The printer jams on every second page.\n\nRegards,\nAlice\n-- \nAlice Adams, ACME');
        assert.deepEqual([msg.author, msg.summary, msg.messageid, msg.inreplyto, msg.recipients, msg.files], ['3', 'The printer jams on every second page.', '<plain-1@mua.example.com>', '', [], []]);
        assert.deepEqual(await counts(db), { ...IMPORTED, issues: 13, msgs: 31 });
      });
      assert.deepEqual(await t.sent(), []);
    });

    it('02: a follow-up sets status and priority from the subject and keeps the title', async () => {
      const result = await t.process(fixtureMail('02-followup-props.eml'));
      assert.deepEqual(result, { outcome: 'stored', action: 'updated', classname: 'issue', itemid: '1', msgid: '31', fileids: [], author: '4' });
      await t.read(async (db) => {
        const issue = await db.getclass('issue').getnode('1');
        assert.deepEqual([issue.title, issue.status, issue.priority, issue.messages, issue.actor], ['Login page rejects valid password', '5', '2', ['1', '31'], '4']);
        assert.equal(await db.getclass('msg').get('31', 'content'), 'I can reproduce this.\n\nOn Monday Alice wrote:\n> The login fails.\n> Every time.');
        assert.equal(await db.getclass('msg').get('31', 'inreplyto'), '<plain-1@mua.example.com>');
        const entry = (await db.getclass('issue').history('1', { enforceperm: false })).at(-1)!;
        assert.deepEqual([entry.userid, entry.action], ['4', 'set']);
      });
    });

    it('02: with keep_quoted_text = no the quote and its introduction are left out', async () => {
      t.tracker.config.set('mailgw', 'keep_quoted_text', 'no');
      await t.process(fixtureMail('02-followup-props.eml'));
      await t.read(async (db) => assert.equal(await db.getclass('msg').get('31', 'content'), 'I can reproduce this.'));
    });

    it('03: a mail from a retired user is bounced as from an unknown sender, with the register hint', async () => {
      const result = await t.process(fixtureMail('03-attachments-latin1.eml'));
      assert.equal(result.outcome, 'bounced');
      const sent = await t.sent();
      assert.equal(sent.length, 1);
      assert.deepEqual([sent[0]!.recipients, sent[0]!.parsed.subject], [['dave@example.com'], 'Failed issue tracker submission']);
      assert.equal(bodyText(sent[0]!), `\n\nYou are not a registered user.${REGISTER_HINT}\n\nUnknown address: dave@example.com\n`);
      assert.match(bouncedOriginal(sent[0]!), /^Content-Type: multipart\/mixed;[\s\S]*Message-Id: <att-3@mua\.example\.com>[\s\S]*filename="screen shot\.png"/);
      await t.read(async (db) => assert.deepEqual(await counts(db), IMPORTED));
    });

    it('03: when anonymous may register by mail, the sender is registered and the latin-1 text and both files are stored', async () => {
      t.tracker.security.addPermissionToRole('Anonymous', 'Email Access');
      const result = await t.process(fixtureMail('03-attachments-latin1.eml'));
      assert.deepEqual(result, { outcome: 'stored', action: 'created', classname: 'issue', itemid: '13', msgid: '31', fileids: ['8', '9'], author: '7' });
      await t.read(async (db) => {
        const user = await db.getclass('user').getnode('7');
        assert.deepEqual([user.username, user.address, user.realname, user.roles], ['dave', 'dave@example.com', 'Dave Østergaard', 'User']);
        assert.match(user.password as string, /^\{PBKDF2S5\}/);
        assert.equal(await db.getclass('issue').get('13', 'title'), 'Café menu crashes the éditeur');
        assert.deepEqual(await db.getclass('issue').get('13', 'files'), ['8', '9']);
        assert.equal(await db.getclass('msg').get('31', 'content'), 'Voilà the log and a screenshot.');
        assert.deepEqual(await db.getclass('msg').get('31', 'files'), ['8', '9']);
        const files = db.getclass('file');
        assert.deepEqual([await files.get('8', 'name'), await files.get('8', 'type'), await files.get('8', 'content')], ['server.log', 'text/plain', 'line 1\nline 2\n']);
        assert.deepEqual([await files.get('9', 'name'), await files.get('9', 'type')], ['screen shot.png', 'image/png']);
        const png = (await files.get('9', 'binary_content')) as Buffer;
        assert.deepEqual(png, Buffer.from(Array.from({ length: 2048 }, (_, i) => i % 256)));
      });
    });

    it('04: HTML-only mail is bounced as not plain text while convert_htmltotext is none', async () => {
      const result = await t.process(fixtureMail('04-html-only.eml'));
      assert.equal(result.outcome, 'bounced');
      const [bounce] = await t.sent();
      assert.deepEqual(bounce!.recipients, ['carol@example.net']);
      assert.ok(
        bodyText(bounce!).startsWith('\n\nRoundup requires the submission to be plain text. The message parser could\nnot find a text/plain part to use.\n\n\n\nMail Gateway Help\n=================\n'),
      );
      await t.read(async (db) => assert.deepEqual(await db.getclass('issue').get('3', 'messages'), ['4', '5', '6']));
    });

    it('04: HTML-only mail is converted to text (script dropped) and the HTML kept as a file when conversion is on', async () => {
      t.tracker.config.set('mailgw', 'convert_htmltotext', 'dehtml');
      const result = await t.process(fixtureMail('04-html-only.eml'));
      assert.deepEqual(result, { outcome: 'stored', action: 'updated', classname: 'issue', itemid: '3', msgid: '31', fileids: ['8'], author: '5' });
      await t.read(async (db) => {
        assert.equal(await db.getclass('msg').get('31', 'content'), 'Please add me.\n\nThanks & bye');
        assert.deepEqual([await db.getclass('file').get('8', 'name'), await db.getclass('file').get('8', 'type')], ['unnamed', 'text/html']);
        assert.equal(await db.getclass('file').get('8', 'content'), '<html><body><p>Please <b>add</b> me.</p><script>alert(1)</script><p>Thanks &amp; bye</p></body></html>\n');
        assert.equal(await db.getclass('issue').get('3', 'title'), 'nosy list question');
      });
    });

    it('05: multipart/alternative stores the plain text and the HTML alternative as a file', async () => {
      const result = await t.process(fixtureMail('05-alternative.eml'));
      assert.deepEqual(result, { outcome: 'stored', action: 'updated', classname: 'issue', itemid: '2', msgid: '31', fileids: ['8'], author: '3' });
      await t.read(async (db) => {
        assert.equal(await db.getclass('msg').get('31', 'content'), 'Plain version of the text.');
        assert.equal(await db.getclass('file').get('8', 'content'), '<p>HTML version of the <i>text</i>.</p>\n');
        assert.equal(await db.getclass('file').get('8', 'type'), 'text/html');
        assert.deepEqual(await db.getclass('issue').get('2', 'files'), ['2', '8']);
        assert.equal(await db.getclass('issue').get('2', 'title'), 'Fwd: export output');
      });
    });

    it('06: an unknown sender is bounced and no user is made (anonymous lacks Email Access)', async () => {
      const result = await t.process(fixtureMail('06-unknown-sender.eml'));
      assert.deepEqual(result.outcome, 'bounced');
      const [bounce] = await t.sent();
      assert.deepEqual(bounce!.recipients, ['stranger@elsewhere.test']);
      assert.equal(bodyText(bounce!), `\n\nYou are not a registered user.${REGISTER_HINT}\n\nUnknown address: stranger@elsewhere.test\n`);
      await t.read(async (db) => assert.deepEqual(await counts(db), IMPORTED));
    });

    it('07: an unknown status and an unknown property are bounced with both problems and nothing changes', async () => {
      const result = await t.process(fixtureMail('07-bad-property.eml'));
      assert.equal(result.outcome, 'bounced');
      const [bounce] = await t.sent();
      assert.deepEqual(bounce!.recipients, ['bob@example.org']);
      assert.ok(
        bodyText(bounce!).startsWith(
          '\n\nThere were problems handling your subject line argument list:\n' +
            "- property status: 'nonexistent-status' is not a status.\n" +
            "- 'colour' is not a property of issue\n\n" +
            'Subject was: "[issue1] more info [status=nonexistent-status;colour=red]"\n',
        ),
      );
      await t.read(async (db) => {
        assert.deepEqual(await db.getclass('issue').get('1', 'messages'), ['1']);
        assert.deepEqual(await counts(db), IMPORTED);
      });
    });

    it('08: a broken mail without From is reported to the dispatcher with its headers, nothing stored', async () => {
      const result = await t.process(fixtureMail('08-no-from-broken-mime.eml'));
      assert.deepEqual(result.outcome === 'bounced' && [result.kind, result.recipients], ['no-sender', ['roundup-admin@example.com']]);
      const [report] = await t.sent();
      assert.deepEqual(report!.recipients, ['roundup-admin@example.com']);
      assert.equal(
        bodyText(report!),
        '\nBadly formed message from mail gateway: it has no sender address (From:), so it could not be\nanswered. Headers:\n' +
          'To: issue_tracker@example.com\nSubject: broken\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XYZ"',
      );
      assert.match(bouncedOriginal(report!), /no closing boundary and no sender/);
      await t.read(async (db) => assert.deepEqual(await counts(db), IMPORTED));
    });

    it('09: a reply naming its issue only through In-Reply-To goes to the issue of the answered message', async () => {
      const result = await t.process(fixtureMail('09-reply-by-message-id.eml'));
      assert.deepEqual(result, { outcome: 'stored', action: 'updated', classname: 'issue', itemid: '2', msgid: '31', fileids: [], author: '3' });
      await t.read(async (db) => {
        assert.deepEqual(await db.getclass('issue').get('2', 'messages'), ['2', '3', '31']);
        assert.equal(await db.getclass('msg').get('31', 'inreplyto'), '<1795269458.252306.EIEI3SC5OLFL3TBA.issue2@example.com>');
        assert.equal(await db.getclass('issue').get('2', 'title'), 'that export thing');
      });
    });

    it('10: a UTF-8 mail from an alternate address is stored as that user, subject and body decoded', async () => {
      const result = await t.process(fixtureMail('10-utf8-alternate-address.eml'));
      assert.deepEqual(result, { outcome: 'stored', action: 'created', classname: 'issue', itemid: '13', msgid: '31', fileids: [], author: '3' });
      const body = fixtureMail('10-utf8-alternate-address.eml').toString('utf8').split('\n\n').slice(1).join('\n\n').trim();
      await t.read(async (db) => {
        assert.equal(await db.getclass('issue').get('13', 'title'), 'Grüße aus München — 中文');
        assert.equal(await db.getclass('msg').get('31', 'content'), body);
        assert.ok(body.startsWith('Unicode body: 中文 üß x'));
        assert.deepEqual(await counts(db), { ...IMPORTED, issues: 13, msgs: 31 });
      });
    });
  });
}
