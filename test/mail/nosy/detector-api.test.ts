import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HyperClass } from '../../../lib/hyperdb/hyper-class.js';
import { header, splitMessage } from '../mail-helpers.js';
import { type NosyTracker, headerNames, keys, nosyTracker, textBody } from './nosy-fixtures.js';

const SIGNATURE = '_________________________________________________\nRoundup issue tracker <issue_tracker@example.com>\n<http://localhost:8080/fx/issue1>\n_________________________________________________';

describe('nosy messages as detectors use them (cl.nosymessage, cl.send_message, notes)', () => {
  let t: NosyTracker;

  afterEach(async () => {
    await t?.cleanup();
  });

  it('nosymessage takes cc, bcc, cc_emails, bcc_emails, subject, from_address, add_headers and note_filter', async () => {
    t = await nosyTracker();
    const msg = await t.as('admin', async (db) => {
      const issue = await db.getclass('issue').create({ title: 'Printer', nosy: [t.ids.bob] });
      const m = await db.getclass('msg').create({ content: 'Heads up.', author: t.ids.alice });
      const filtered: unknown[] = [];
      await db.getclass('issue').nosymessage(issue, m, null, {
        cc: [t.ids.carol],
        bcc: [t.ids.dave],
        cc_emails: ['list@example.com'],
        bcc_emails: ['archive@example.com'],
        subject: 'Custom subject',
        from_address: 'noreply@example.com',
        add_headers: { 'X-Custom': 'yes' },
        note_filter: (note: string, itemid: string, _db: unknown, cl: HyperClass, oldvalues: unknown) => {
          filtered.push(itemid, cl.classname, oldvalues);
          return `${note}\n[filtered]`;
        },
      });
      assert.deepEqual(filtered, [issue, 'issue', null]);
      return m;
    });
    const sent = t.sent();
    assert.deepEqual(sent.map((m) => m.recipients), [['bob@example.org', 'carol@example.net', 'list@example.com'], ['dave@example.com', 'archive@example.com']]);
    // The blind copy is the same mail, sent separately: no header names its recipients.
    assert.equal(sent[1]!.message, sent[0]!.message);
    const text = sent[0]!.message;
    assert.equal(text.includes('dave@example.com') || text.includes('archive@example.com'), false);
    assert.equal(header(text, 'To'), 'bob@example.org, carol@example.net, list@example.com');
    assert.equal(header(text, 'Subject'), 'Custom subject');
    assert.equal(header(text, 'From'), 'Alice Adams <noreply@example.com>');
    assert.equal(header(text, 'Reply-To'), 'Roundup issue tracker <noreply@example.com>');
    assert.deepEqual(headerNames(text).slice(0, 8), [
      'MIME-Version', 'Content-Type', 'Reply-To', 'Message-Id', 'X-Roundup-issue-status', 'X-Roundup-issue-Id', 'X-Custom', 'Content-Transfer-Encoding',
    ]);
    assert.equal(header(text, 'X-Custom'), 'yes');
    assert.equal(
      textBody(text),
      ['', 'Alice Adams <alice@example.com> added the comment:', '', 'Heads up.', '', '----------', 'nosy: bob', 'status: unread', 'title: Printer', '[filtered]', '', SIGNATURE].join('\n'),
    );
    assert.deepEqual(await t.as('admin', async (db) => db.getclass('msg').get(msg, 'recipients')), [t.ids.bob, t.ids.carol, t.ids.dave]);
  });

  it('nosymessage mails the list named by whichnosy', async () => {
    t = await nosyTracker({}, {
      prepare: (home) => {
        const file = join(home, 'schema.js');
        writeFileSync(file, readFileSync(file, 'utf8').replace("IssueClass(db, 'issue', {", "IssueClass(db, 'issue', {\n    watchers: Multilink('user'),"));
      },
    });
    await t.as('admin', async (db) => {
      const issue = await db.getclass('issue').create({ title: 'Watched', nosy: [t.ids.bob], watchers: [t.ids.carol, t.ids.dave] });
      const m = await db.getclass('msg').create({ content: 'For the watchers.', author: t.ids.alice });
      await db.getclass('issue').nosymessage(issue, m, null, 'watchers');
    });
    assert.deepEqual(t.sent().map((m) => m.recipients), [['carol@example.net', 'dave@example.com']]);
  });

  it('nosymessage without a message is a change by the current user, recorded nowhere', async () => {
    t = await nosyTracker();
    const issue = await t.as('admin', (db) => db.getclass('issue').create({ title: 'Printer', nosy: [t.ids.bob] }));
    await t.as('admin', async (db) => {
      const old = await db.getclass('issue').getnode(issue);
      await db.getclass('issue').set(issue, { status: await db.getclass('status').lookup('testing') });
      await db.getclass('issue').nosymessage(issue, null, old);
    });
    const [mail] = t.sent();
    assert.deepEqual(mail!.recipients, ['bob@example.org']);
    assert.equal(header(mail!.message, 'From'), 'admin <issue_tracker@example.com>');
    assert.equal(textBody(mail!.message), ['', 'Change by admin <roundup-admin@example.com>:', '', '', '----------', 'status: unread -> testing', '', SIGNATURE].join('\n'));
  });

  it('send_message mails the addresses given', async () => {
    t = await nosyTracker();
    await t.as('admin', async (db) => {
      const issue = await db.getclass('issue').create({ title: 'Printer' });
      const m = await db.getclass('msg').create({ content: 'Direct.', author: t.ids.carol });
      await db.getclass('issue').send_message(issue, m, '\nA note.', ['z@example.com', 'a@example.com'], { bcc_sendto: ['hidden@example.com'], subject: 'Direct mail' });
    });
    const sent = t.sent();
    assert.deepEqual(sent.map((m) => m.recipients), [['a@example.com', 'z@example.com'], ['hidden@example.com']]);
    assert.equal(header(sent[0]!.message, 'Subject'), 'Direct mail');
    assert.equal(textBody(sent[0]!.message), ['', 'Carol Chen <carol@example.net> added the comment:', '', 'Direct.', '\nA note.', '', SIGNATURE].join('\n'));
  });

  it('generateChangeNote lists Multilink removals, empty Links and multi-line texts as Roundup does', async () => {
    t = await nosyTracker();
    await t.as('admin', async (db) => {
      const issues = db.getclass('issue');
      const issue = await issues.create({ title: 'single', keyword: await keys(db, 'keyword', ['ui']) });
      const note = await issues.generateChangeNote(issue, {
        keyword: await keys(db, 'keyword', ['ui', 'backend', 'mail']),
        title: 'line one\nline two\n',
        assignedto: t.ids.carol,
        messages: ['7'],
        activity: null,
        gone: 'a property the class no longer has',
        priority: null,
      });
      assert.equal(note, ['', '----------', 'assignedto: carol -> ', 'keyword:  -backend, mail', 'title: ', 'Now:', '  single', 'Was:', '  line one', '  line two'].join('\n'));
      assert.equal(await issues.generateChangeNote(issue, { title: 'single', priority: null }), '');
    });
  });

  it('generateCreateNote starts multi-line values on their own line, indented', async () => {
    t = await nosyTracker();
    await t.as('admin', async (db) => {
      const issues = db.getclass('issue');
      const issue = await issues.create({ title: 'first\nsecond', nosy: [t.ids.dave, t.ids.alice] });
      assert.equal(await issues.generateCreateNote(issue), ['', '----------', 'nosy: alice, dave', 'status: unread', 'title: ', '  first', '  second'].join('\n'));
      assert.equal(issues.email_signature(issue), `\n${SIGNATURE}`);
    });
  });

  it('refuses a class that is not an issue class, and extra addresses that are not addresses', async () => {
    t = await nosyTracker();
    await t.as('admin', async (db) => {
      await assert.rejects(db.getclass('user').nosymessage('1', null, null), { code: 'RUP_ERR_VALUE', message: 'user is not an issue class: it has no nosymessage' });
      const issue = await db.getclass('issue').create({ title: 'Printer', nosy: [t.ids.bob] });
      await assert.rejects(db.getclass('issue').nosymessage(issue, null, null, { cc_emails: ['bad\nBcc: x@example.com'] }), {
        code: 'RUP_ERR_VALUE',
        message: 'Invalid mail address "bad\\nBcc: x@example.com"',
      });
    });
    assert.deepEqual(t.sent(), []);
  });

  it('a detector of the tracker home mails a status change through cl.nosymessage', async () => {
    t = await nosyTracker({}, {
      prepare: (home) => {
        writeFileSync(
          join(home, 'detectors', 'statusmail.js'),
          `export function init(db) {
  db.issue.react('set', async (db, cl, nodeid, oldvalues) => {
    if (oldvalues.status === (await cl.get(nodeid, 'status'))) return;
    await cl.nosymessage(nodeid, null, oldvalues, 'nosy', {
      subject: 'Status of issue' + nodeid + ' changed',
      note_filter: (note) => note.replace('----------', '=========='),
    });
  });
}
`,
        );
      },
    });
    const issue = await t.as('alice', (db) => db.getclass('issue').create({ title: 'Printer', nosy: [t.ids.alice, t.ids.bob] }));
    await t.as('bob', async (db) => db.getclass('issue').set(issue, { status: await db.getclass('status').lookup('resolved') }));
    const [mail] = t.sent();
    assert.deepEqual(mail!.recipients, ['alice@example.com', 'bob@example.org']);
    assert.equal(header(mail!.message, 'Subject'), 'Status of issue1 changed');
    assert.equal(textBody(mail!.message), ['', 'Change by Bob Brown <bob@example.org>:', '', '', '==========', 'status: unread -> resolved', '', SIGNATURE].join('\n'));
    assert.equal(splitMessage(mail!.message).headers.some(([n]) => n === 'In-Reply-To'), false);
  });
});
