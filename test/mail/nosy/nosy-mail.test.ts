import assert from 'node:assert/strict';
import type { Database } from '../../../lib/hyperdb/database.js';
import { decodeQuotedPrintable, decodeWords, header, splitMessage } from '../mail-helpers.js';
import { type NosyTracker, type Person, headerNames, keys, nosyTracker, textBody } from './nosy-fixtures.js';

const SIGNATURE = [
  '_________________________________________________',
  'Roundup issue tracker <issue_tracker@example.com>',
  '<http://localhost:8080/fx/issue1>',
  '_________________________________________________',
].join('\n');

/** Alice opens issue1 with a message; `nosy` are the others on it. */
async function openIssue(t: NosyTracker, nosy: Person[], content = 'The printer jams.', extra: Record<string, unknown> = {}): Promise<{ issue: string; msg: string }> {
  return t.as('alice', async (db) => {
    const msg = await db.getclass('msg').create({ content, author: t.ids.alice });
    const issue = await db.getclass('issue').create({
      title: 'Printer on floor 3 eats paper',
      messages: [msg],
      nosy: nosy.map((p) => t.ids[p]),
      priority: await db.getclass('priority').lookup('bug'),
      ...extra,
    });
    return { issue, msg };
  });
}

/** `who` adds a message to issue1 with `values` set too; returns the msg id. */
async function followUp(t: NosyTracker, who: Person, content: string, values: (db: Database) => Promise<Record<string, unknown>> = async () => ({})): Promise<string> {
  return t.as(who, async (db) => {
    const msg = await db.getclass('msg').create({ content, author: t.ids[who] });
    const messages = (await db.getclass('issue').get('1', 'messages')) as string[];
    await db.getclass('issue').set('1', { messages: [...messages, msg], ...(await values(db)) });
    return msg;
  });
}

function recipientsOf(t: NosyTracker, msg: string): Promise<string[]> {
  return t.as('admin', async (db) => (await db.getclass('msg').get(msg, 'recipients')) as string[]);
}

describe('nosy mail', () => {
  let t: NosyTracker;

  afterEach(async () => {
    await t?.cleanup();
  });

  describe('the nosy reactor', () => {
    it('mails a new issue to the nosy list but not its author, with the create note, and records the recipients', async () => {
      t = await nosyTracker();
      const { msg } = await openIssue(t, ['bob', 'carol'], 'The printer jams.');
      const sent = t.sent();
      assert.equal(sent.length, 1);
      assert.deepEqual(sent[0]!.recipients, ['bob@example.org', 'carol@example.net']);
      assert.equal(sent[0]!.sender, 'roundup-admin@example.com');
      assert.equal(header(sent[0]!.message, 'To'), 'bob@example.org, carol@example.net');
      assert.equal(header(sent[0]!.message, 'Subject'), '[issue1] Printer on floor 3 eats paper');
      assert.equal(header(sent[0]!.message, 'From'), 'Alice Adams <issue_tracker@example.com>');
      assert.equal(
        textBody(sent[0]!.message),
        [
          '',
          'New submission from Alice Adams <alice@example.com>:',
          '',
          'The printer jams.',
          '',
          '----------',
          'messages: 1',
          'nosy: alice, bob, carol',
          'priority: bug',
          'status: unread',
          'title: Printer on floor 3 eats paper',
          '',
          SIGNATURE,
        ].join('\n'),
      );
      assert.deepEqual(await recipientsOf(t, msg), [t.ids.bob, t.ids.carol]);
    });

    it('sends a change without a new message to nobody', async () => {
      t = await nosyTracker();
      await openIssue(t, ['bob']);
      t.clearSent();
      await t.as('bob', async (db) => db.getclass('issue').set('1', { status: await db.getclass('status').lookup('testing') }));
      assert.deepEqual(t.sent(), []);
    });

    it('mails a follow-up with the change note and threads it on the first message', async () => {
      t = await nosyTracker();
      await openIssue(t, ['bob']);
      const first = t.sent()[0]!;
      t.clearSent();
      await followUp(t, 'bob', 'Same on floor 4.\n', async (db) => ({
        keyword: await keys(db, 'keyword', ['ui', 'mail']),
        assignedto: t.ids.carol,
        title: 'Printers eat paper',
      }));
      const [mail] = t.sent();
      assert.deepEqual(mail!.recipients, ['alice@example.com', 'carol@example.net']);
      assert.equal(header(mail!.message, 'In-Reply-To'), header(first.message, 'Message-Id'));
      assert.equal(header(mail!.message, 'X-Roundup-issue-keyword'), 'ui, mail');
      assert.equal(header(mail!.message, 'X-Roundup-issue-status'), 'chatting');
      assert.deepEqual(headerNames(mail!.message).filter((n) => n.startsWith('X-Roundup-issue') || n === 'In-Reply-To'), [
        'X-Roundup-issue-keyword', 'X-Roundup-issue-priority', 'X-Roundup-issue-status', 'X-Roundup-issue-Id', 'In-Reply-To',
      ]);
      assert.equal(
        textBody(mail!.message),
        [
          '',
          'Bob Brown <bob@example.org> added the comment:',
          '',
          // The text's own line end, then the note's empty line, as Roundup joins them.
          'Same on floor 4.\n',
          '',
          '----------',
          'assignedto:  -> carol',
          'keyword: +mail, ui',
          'nosy: +carol',
          'status: unread -> chatting',
          'title: Printer on floor 3 eats paper -> Printers eat paper',
          '',
          SIGNATURE,
        ].join('\n'),
      );
    });

    it('never mails a message twice to a user already among its recipients', async () => {
      t = await nosyTracker();
      await openIssue(t, ['bob', 'carol']);
      t.clearSent();
      const msg = await t.as('dave', async (db) => {
        const m = await db.getclass('msg').create({ content: 'Told bob already.', author: t.ids.dave, recipients: [t.ids.bob] });
        await db.getclass('issue').set('1', { messages: ['1', m] });
        return m;
      });
      assert.deepEqual(t.sent().map((m) => m.recipients), [['alice@example.com', 'carol@example.net']]);
      assert.deepEqual(await recipientsOf(t, msg), [t.ids.alice, t.ids.bob, t.ids.carol]);
    });

    it('leaves out anonymous, users without an address and users who may not view the message', async () => {
      t = await nosyTracker();
      const extra = await t.as('admin', async (db) => {
        const users = db.getclass('user');
        await users.set(await users.lookup('anonymous'), { address: 'anon@example.com' });
        return {
          anonymous: await users.lookup('anonymous'),
          noaddress: await users.create({ username: 'noaddress', roles: 'User' }),
          noroles: await users.create({ username: 'noroles', address: 'noroles@example.com', roles: '' }),
        };
      });
      await t.as('alice', async (db) => {
        const msg = await db.getclass('msg').create({ content: 'x', author: t.ids.alice });
        await db.getclass('issue').create({ title: 't', messages: [msg], nosy: [t.ids.bob, extra.anonymous, extra.noaddress, extra.noroles] });
      });
      assert.deepEqual(t.sent().map((m) => m.recipients), [['bob@example.org']]);
    });
  });

  describe('[nosy] and [mail] options', () => {
    for (const [mode, onCreate, onFollowUp, onFollowUpOffNosy] of [
      ['no', false, false, false],
      ['yes', true, true, true],
      ['new', true, false, false],
      ['nosy', true, true, false],
    ] as const) {
      it(`messages_to_author = ${mode}`, async () => {
        t = await nosyTracker({ nosy_messages_to_author: mode });
        await openIssue(t, ['bob']);
        await followUp(t, 'alice', 'More.');
        await t.as('admin', (db) => db.getclass('issue').set('1', { nosy: [t.ids.bob] }));
        await followUp(t, 'alice', 'Even more.');
        const toAlice = t.sent().map((m) => m.recipients.includes('alice@example.com'));
        assert.deepEqual(toAlice, [onCreate, onFollowUp, onFollowUpOffNosy]);
      });
    }

    it('email_sending = multiple sends one mail per recipient, all with the same Message-Id', async () => {
      t = await nosyTracker({ nosy_email_sending: 'multiple' });
      const { msg } = await openIssue(t, ['carol', 'bob']);
      const sent = t.sent();
      assert.deepEqual(sent.map((m) => m.recipients), [['bob@example.org'], ['carol@example.net']]);
      assert.deepEqual(sent.map((m) => header(m.message, 'To')), ['bob@example.org', 'carol@example.net']);
      const ids = sent.map((m) => header(m.message, 'Message-Id'));
      assert.equal(ids[0], ids[1]);
      assert.equal(await t.as('admin', (db) => db.getclass('msg').get(msg, 'messageid')), ids[0]);
    });

    it('signature_position top and none', async () => {
      t = await nosyTracker({ nosy_signature_position: 'top' });
      await openIssue(t, ['bob'], 'Text.');
      assert.ok(textBody(t.sent()[0]!.message).startsWith(`\n\n${SIGNATURE}\nNew submission from Alice Adams <alice@example.com>:\n\nText.\n\n----------\n`));
      await t.cleanup();
      t = await nosyTracker({ nosy_signature_position: 'none' });
      await openIssue(t, ['bob'], 'Text.');
      assert.ok(textBody(t.sent()[0]!.message).endsWith('title: Printer on floor 3 eats paper'));
    });

    it('add_authoremail = no keeps the address out; add_authorinfo = no drops the author line', async () => {
      t = await nosyTracker({ mail_add_authoremail: 'no' });
      await openIssue(t, ['bob'], 'Text.');
      assert.ok(textBody(t.sent()[0]!.message).startsWith('\nNew submission from Alice Adams:\n\nText.\n'));
      await t.cleanup();
      t = await nosyTracker({ mail_add_authorinfo: 'no' });
      await openIssue(t, ['bob'], 'Text.');
      assert.ok(textBody(t.sent()[0]!.message).startsWith('\nText.\n\n----------\n'));
    });

    it('email_from_tag follows the author name in From:', async () => {
      t = await nosyTracker({ email_from_tag: '(via tracker)' });
      await openIssue(t, ['bob']);
      assert.equal(header(t.sent()[0]!.message, 'From'), '"Alice Adams (via tracker)" <issue_tracker@example.com>');
    });

    it('replyto_address: the tracker by default, the author with AUTHOR, or the address given', async () => {
      const replyTo = async (setting: string | null) => {
        t = await nosyTracker(setting === null ? {} : { tracker_replyto_address: setting });
        await openIssue(t, ['bob']);
        const value = header(t.sent()[0]!.message, 'Reply-To');
        await t.cleanup();
        return value;
      };
      assert.equal(await replyTo(null), 'Roundup issue tracker <issue_tracker@example.com>');
      assert.equal(await replyTo('AUTHOR'), 'Alice Adams <alice@example.com>');
      assert.equal(await replyTo('Help Desk <help@example.com>'), 'Help Desk <help@example.com>');
      t = await nosyTracker();
    });

    it('attaches the message files, and links those above max_attachment_size instead', async () => {
      t = await nosyTracker({ nosy_max_attachment_size: '100' });
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
      await t.as('alice', async (db) => {
        const files = db.getclass('file');
        const log = await files.create({ name: 'log.txt', type: 'text/plain', content: 'line 1\nline 2\n' });
        const shot = await files.create({ name: 'shot.png', type: 'image/png', content: png });
        const big = await files.create({ name: 'big.bin', type: 'application/octet-stream', content: Buffer.alloc(101, 7) });
        const msg = await db.getclass('msg').create({ content: 'See the files.', author: t.ids.alice, files: [log, shot, big] });
        await db.getclass('issue').create({ title: 'Files', messages: [msg], files: [log, shot, big], nosy: [t.ids.bob] });
      });
      const text = t.sent()[0]!.message;
      const contentType = header(text, 'Content-Type')!;
      const boundary = /^multipart\/mixed; boundary="(.+)"$/.exec(contentType)![1]!;
      assert.deepEqual(headerNames(text).slice(0, 2), ['Content-Type', 'MIME-Version']);
      assert.equal(header(text, 'X-Roundup-issue-files'), 'log.txt, shot.png, big.bin');
      const parts = splitMessage(text).body.split(`--${boundary}`).slice(1, -1).map((p) => splitMessage(p.replace(/^\n/, '').replace(/\n$/, '')));
      assert.equal(parts.length, 3);
      assert.equal(
        decodeQuotedPrintable(parts[0]!.body).toString('utf8'),
        [
          '',
          'New submission from Alice Adams <alice@example.com>:',
          '',
          'See the files.',
          "File 'big.bin' not attached - you can download it from http://localhost:8080/fx/file3.",
          '',
          '----------',
          'files: big.bin, log.txt, shot.png',
          'messages: 1',
          'nosy: alice, bob',
          'status: unread',
          'title: Files',
          '',
          SIGNATURE,
        ].join('\n'),
      );
      assert.deepEqual(parts[1]!.headers, [['Content-Type', 'text/plain; charset="us-ascii"'], ['MIME-Version', '1.0'], ['Content-Disposition', 'attachment;\n filename="log.txt"']]);
      assert.equal(parts[1]!.body, 'line 1\nline 2\n');
      assert.deepEqual(parts[2]!.headers, [['Content-Type', 'image/png'], ['MIME-Version', '1.0'], ['Content-Transfer-Encoding', 'base64'], ['Content-Disposition', 'attachment;\n filename="shot.png"']]);
      assert.deepEqual(Buffer.from(parts[2]!.body, 'base64'), png);
    });

    it('[mail] charset sets the body charset; names and subjects that are not ASCII are encoded words', async () => {
      t = await nosyTracker({ mail_charset: 'iso-8859-1' });
      await t.as('dave', async (db) => {
        const msg = await db.getclass('msg').create({ content: 'Grüße aus Århus.', author: t.ids.dave });
        await db.getclass('issue').create({ title: 'Drucker in Århus', messages: [msg], nosy: [t.ids.bob] });
      });
      const text = t.sent()[0]!.message;
      assert.equal(header(text, 'Content-Type'), 'text/plain; charset="iso-8859-1"');
      assert.match(splitMessage(text).body, /^New submission from Dave =D8stergaard <dave@example.com>:$/m);
      assert.equal(decodeQuotedPrintable(splitMessage(text).body).toString('latin1').split('\n')[3], 'Grüße aus Århus.');
      assert.equal(header(text, 'From'), '=?iso-8859-1?q?Dave_=D8stergaard?= <issue_tracker@example.com>');
      assert.equal(decodeWords(header(text, 'Subject')!), '[issue1] Drucker in Århus');
    });

    it('a message that answers another keeps its In-Reply-To and Message-Id', async () => {
      t = await nosyTracker();
      await t.as('alice', async (db) => {
        const msg = await db.getclass('msg').create({ content: 'x', author: t.ids.alice, messageid: '<own@mua.example.com>', inreplyto: '<earlier@mua.example.com>' });
        await db.getclass('issue').create({ title: 't', messages: [msg], nosy: [t.ids.bob] });
      });
      const text = t.sent()[0]!.message;
      assert.deepEqual(headerNames(text).slice(0, 6), ['MIME-Version', 'Content-Type', 'Reply-To', 'Message-Id', 'In-Reply-To', 'X-Roundup-issue-status']);
      assert.equal(header(text, 'Message-Id'), '<own@mua.example.com>');
      assert.equal(header(text, 'In-Reply-To'), '<earlier@mua.example.com>');
    });
  });
});
