import assert from 'node:assert/strict';
import type { GatewayResult } from '../../../lib/mail/gateway/gateway.js';
import { type GatewayTracker, bodyText, importedTracker } from './gateway-fixtures.js';

/** A message from bob (a User) with the given subject and extra headers. */
function message(subject: string, options: { from?: string; headers?: string; body?: string } = {}): Buffer {
  const from = options.from ?? 'Bob Brown <bob@example.org>';
  return Buffer.from(
    `From: ${from}\nTo: issue_tracker@example.com\nMessage-Id: <${Math.random().toString(36).slice(2)}@mua.test>\n${options.headers ?? ''}Subject: ${subject}\nContent-Type: text/plain; charset="utf-8"\n\n${options.body ?? 'Some text.'}\n`,
  );
}

function stored(result: GatewayResult): { action: string; classname: string; itemid: string } {
  assert.equal(result.outcome, 'stored', JSON.stringify(result));
  const r = result as Extract<GatewayResult, { outcome: 'stored' }>;
  return { action: r.action, classname: r.classname, itemid: r.itemid };
}

describe('mail gateway: subject grammar and threading against a tracker', () => {
  let t: GatewayTracker;
  beforeEach(async () => {
    t = await importedTracker();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const title = (id: string) => t.read(async (db) => db.getclass('issue').get(id, 'title'));
  const bounceText = async () => bodyText((await t.sent()).at(-1)!);

  describe('prefix', () => {
    it('creates an issue of the default class when the subject names none', async () => {
      assert.deepEqual(stored(await t.process(message('Testing...'))), { action: 'created', classname: 'issue', itemid: '13' });
      assert.equal(await title('13'), 'Testing...');
    });

    it('strict: bounces a bracketed word that is not a class, with Roundup text', async () => {
      assert.equal((await t.process(message('[frobulated] testing'))).outcome, 'bounced');
      assert.ok(
        (await bounceText()).startsWith(
          '\n\nThe message you sent to roundup did not contain a properly formed subject\nline. The subject must contain a class name or designator to indicate the\n' +
            "'topic' of the message. For example:\n",
        ),
      );
      assert.match(await bounceText(), /Subject was: '\[frobulated\] testing'\n/);
    });

    it('strict: bounces a designator of an item that does not exist', async () => {
      assert.equal((await t.process(message('[issue12345] testing'))).outcome, 'bounced');
      assert.ok((await bounceText()).startsWith('\n\nThe node specified by the designator in the subject of your message\n("12345") does not exist.\n\nSubject was: "[issue12345] testing"\n'));
    });

    it('loose: keeps an unknown prefix in the title, also after Re: and inside quotes', async () => {
      t.tracker.config.set('mailgw', 'subject_prefix_parsing', 'loose');
      for (const subject of ['[frobulated] testing', 'Re: [frobulated] testing', 'Re: "[frobulated] testing"']) {
        const { itemid } = stored(await t.process(message(subject)));
        assert.equal(await title(itemid), '[frobulated] testing', subject);
      }
    });

    it('loose: a designator of a missing item makes a new item titled with the whole subject', async () => {
      t.tracker.config.set('mailgw', 'subject_prefix_parsing', 'loose');
      const { action, itemid } = stored(await t.process(message('[issue1234] testing')));
      assert.equal(action, 'created');
      assert.equal(await title(itemid), '[issue1234] testing');
    });

    it('loose: a known designator still works, and two unknown prefixes stay in the title', async () => {
      t.tracker.config.set('mailgw', 'subject_prefix_parsing', 'loose');
      t.tracker.config.set('mailgw', 'subject_suffix_parsing', 'loose');
      assert.deepEqual(stored(await t.process(message('[keyword1] Testing... [name=Bar]'))), { action: 'updated', classname: 'keyword', itemid: '1' });
      await t.read(async (db) => assert.equal(await db.getclass('keyword').get('1', 'name'), 'Bar'));
      const { itemid } = stored(await t.process(message('[frobulated] [frobulatedagain] testing stuff after double prefix')));
      assert.equal(await title(itemid), '[frobulated] [frobulatedagain] testing stuff after double prefix');
    });

    it('none: never reads a prefix; the default class gets a new item titled with the subject', async () => {
      t.tracker.config.set('mailgw', 'subject_prefix_parsing', 'none');
      const { action, classname, itemid } = stored(await t.process(message('[issue1] Testing')));
      assert.deepEqual([action, classname], ['created', 'issue']);
      assert.equal(await title(itemid), '[issue1] Testing');
    });

    it('strict without a default class: needs a class in the subject', async () => {
      t.tracker.config.set('mailgw', 'default_class', '');
      assert.equal((await t.process(message('Testing...'))).outcome, 'bounced');
      assert.ok((await bounceText()).startsWith('\n\nYou did not identify a class name in the subject line and there is no\ndefault set for this tracker.'));
      assert.deepEqual(stored(await t.process(message('[issue] Testing...'))), { action: 'created', classname: 'issue', itemid: '13' });
    });

    it('-c names the default class; an unknown one bounces listing the classes', async () => {
      assert.deepEqual(stored(await t.process(message('A keyword', { body: 'x' }), { defaultClass: 'keyword', setValues: ['issue.name=newkw'] })), {
        action: 'created',
        classname: 'keyword',
        itemid: '6',
      });
      await t.read(async (db) => assert.equal(await db.getclass('keyword').get('6', 'name'), 'newkw'));
      assert.equal((await t.process(message('Testing...'), { defaultClass: 'bogus' })).outcome, 'bounced');
      assert.match(await bounceText(), /^\n\nThe class name you identified in the subject line \("bogus"\) does\nnot exist in the database\.\n\nValid class names are: [a-z, ]*issue[a-z, ]*\nSubject was: "Testing\.\.\."\n/);
    });

    it('finds the designator after a mailing list tag or an unknown marker, and at the end', async () => {
      assert.deepEqual(stored(await t.process(message('[mailinglist-name] [keyword1] Testing.. [name=Bar]'))), { action: 'updated', classname: 'keyword', itemid: '1' });
      assert.deepEqual(stored(await t.process(message('VeryStrangeRe: [keyword2] Testing.. [name=Baz]'))), { action: 'updated', classname: 'keyword', itemid: '2' });
      await t.read(async (db) => assert.deepEqual([await db.getclass('keyword').get('1', 'name'), await db.getclass('keyword').get('2', 'name')], ['Bar', 'Baz']));
      assert.deepEqual(stored(await t.process(message('New title [issue1]'))), { action: 'updated', classname: 'issue', itemid: '1' });
      assert.equal(await title('1'), 'Login page rejects valid password', 'text before the designator is not a title');
    });

    it('accepts a one-character subject', async () => {
      const { itemid } = stored(await t.process(message('b')));
      assert.equal(await title(itemid), 'b');
    });

    it('bounces a subject with neither designator nor title', async () => {
      assert.equal((await t.process(message('[issue]'))).outcome, 'bounced');
      assert.ok((await bounceText()).startsWith('\n\nI cannot match your message to a node in the database - you need to either\nsupply a full designator (with number, eg "[issue123]") or keep the\nprevious subject title intact so I can match that.\n\nSubject was: "[issue]"\n'));
    });
  });

  describe('suffix', () => {
    it('strict: bounces a list that is not name=value', async () => {
      assert.equal((await t.process(message('testing [frobulated]'))).outcome, 'bounced');
      assert.ok((await bounceText()).startsWith('\n\nThere were problems handling your subject line argument list:\n- not of form [arg=value,value,...;arg=value,value,...]\n\nSubject was: "testing [frobulated]"\n'));
    });

    it('none: keeps the list in the title and sets nothing', async () => {
      t.tracker.config.set('mailgw', 'subject_suffix_parsing', 'none');
      const { itemid } = stored(await t.process(message('testing [assignedto=alice]')));
      assert.equal(await title(itemid), 'testing [assignedto=alice]');
      await t.read(async (db) => assert.equal(await db.getclass('issue').get(itemid, 'assignedto'), null));
    });

    it('loose: keeps a bad list in the title but applies a good one', async () => {
      t.tracker.config.set('mailgw', 'subject_suffix_parsing', 'loose');
      const bad = stored(await t.process(message('testing [frobulated]')));
      assert.equal(await title(bad.itemid), 'testing [frobulated]');
      const good = stored(await t.process(message('testing [assignedto=alice]')));
      assert.equal(await title(good.itemid), 'testing');
      await t.read(async (db) => assert.equal(await db.getclass('issue').get(good.itemid, 'assignedto'), '3'));
    });

    it('uses the configured delimiters for prefix and suffix, and ignores brackets then', async () => {
      t.tracker.config.set('mailgw', 'subject_suffix_delimiters', '{}');
      const set = stored(await t.process(message('testing {assignedto=alice}')));
      await t.read(async (db) => assert.equal(await db.getclass('issue').get(set.itemid, 'assignedto'), '3'));
      assert.deepEqual(stored(await t.process(message('{keyword1} Testing... {name=Bar}'))), { action: 'updated', classname: 'keyword', itemid: '1' });
      const literal = stored(await t.process(message('testing [assignedto=alice]')));
      assert.equal(await title(literal.itemid), 'testing [assignedto=alice]');
      await t.read(async (db) => assert.equal(await db.getclass('issue').get(literal.itemid, 'assignedto'), null));
    });

    it('adds and removes Multilink entries with + and -, blanks allowed around names and values', async () => {
      await t.read(async (db) => {
        await db.getclass('keyword').create({ name: 'Baz This' });
        await db.commit();
      });
      stored(await t.process(message('[issue1] set keyword [ keyword =+ ui,Baz This ; nosy =+ carol ]')));
      await t.read(async (db) => {
        assert.deepEqual(await db.getclass('issue').get('1', 'keyword'), ['1', '6']);
        assert.deepEqual(await db.getclass('issue').get('1', 'nosy'), ['3', '5'], 'the author of a follow-up is not added ([nosy] add_author = new)');
      });
      assert.equal(await title('1'), 'set keyword');
      stored(await t.process(message('[issue1] set keyword [nosy=-alice;keyword=-ui]')));
      await t.read(async (db) => {
        assert.deepEqual(await db.getclass('issue').get('1', 'keyword'), ['6']);
        assert.deepEqual(await db.getclass('issue').get('1', 'nosy'), ['5']);
      });
    });

    it('a title in the list wins over the subject, also with subject_updates_title = no', async () => {
      stored(await t.process(message('[issue1] Wrzlbrmft... [title=new title]')));
      assert.equal(await title('1'), 'new title');
      t.tracker.config.set('mailgw', 'subject_updates_title', 'no');
      stored(await t.process(message('[issue1] Something else')));
      assert.equal(await title('1'), 'new title');
      stored(await t.process(message('[issue1] Something else [title=newer]')));
      assert.equal(await title('1'), 'newer');
    });

    it('an empty message with a list still applies the changes, without a msg item', async () => {
      const result = await t.process(message('[issue1] [assignedto=alice;status=resolved]', { body: '' }));
      assert.deepEqual(result.outcome === 'stored' && [result.msgid, result.itemid], [null, '1']);
      await t.read(async (db) => {
        const issue = await db.getclass('issue').getnode('1');
        assert.deepEqual([issue.assignedto, issue.status, issue.messages, issue.title], ['3', '8', ['1'], 'Login page rejects valid password']);
      });
    });
  });

  describe('threading', () => {
    it('a reply is matched to the newest issue with its title; without Re: a new issue is made', async () => {
      assert.deepEqual(stored(await t.process(message('Re: Login page rejects valid password'))), { action: 'updated', classname: 'issue', itemid: '1' });
      assert.deepEqual(stored(await t.process(message('Login page rejects valid password'))), { action: 'created', classname: 'issue', itemid: '13' });
      assert.deepEqual(stored(await t.process(message('Fwd: Login page rejects valid password'))), { action: 'updated', classname: 'issue', itemid: '13' });
    });

    it('subject_content_match never turns title matching off', async () => {
      t.tracker.config.set('mailgw', 'subject_content_match', 'never');
      assert.deepEqual(stored(await t.process(message('Re: Login page rejects valid password'))).action, 'created');
    });

    it('subject_content_match "creation + <interval>" only matches issues created since then', async () => {
      t.tracker.config.set('mailgw', 'subject_content_match', 'creation + 100y');
      assert.deepEqual(stored(await t.process(message('Re: Login page rejects valid password'))), { action: 'updated', classname: 'issue', itemid: '1' });
      // A negative interval puts the limit in the future: nothing was created since.
      t.tracker.config.set('mailgw', 'subject_content_match', 'activity - 1d');
      assert.deepEqual(stored(await t.process(message('Re: Login page rejects valid password'))).action, 'created');
    });

    it('a broken subject_content_match is a tracker problem: the mail is kept for later', async () => {
      t.tracker.config.set('mailgw', 'subject_content_match', 'sometimes');
      const result = await t.process(message('Re: Login page rejects valid password'));
      assert.equal(result.outcome, 'tempfail');
      assert.match((result as { reason: string }).reason, /subject_content_match: "sometimes" is not always, never/);
    });

    it('In-Reply-To wins over title matching; References are used when In-Reply-To is unknown', async () => {
      const inReplyTo = 'In-Reply-To: <1795269458.252306.EIEI3SC5OLFL3TBA.issue2@example.com>\n';
      assert.deepEqual(stored(await t.process(message('Re: Login page rejects valid password', { headers: inReplyTo }))).itemid, '2');
      const references = 'In-Reply-To: <unknown@nowhere.test>\nReferences: <1795269458.3141282.52N4DSA5EVCQNVXP.issue3@example.com>\n <also-unknown@nowhere.test>\n';
      assert.deepEqual(stored(await t.process(message('Re: some other words', { headers: references }))), { action: 'updated', classname: 'issue', itemid: '3' });
    });

    it('a thread started by mail continues by Message-Id', async () => {
      const first = stored(await t.process(Buffer.from('From: bob@example.org\nTo: issue_tracker@example.com\nMessage-Id: <start@mua.test>\nSubject: A thread\n\nStart.\n')));
      const reply = stored(await t.process(Buffer.from('From: alice@example.com\nTo: issue_tracker@example.com\nMessage-Id: <reply@mua.test>\nIn-Reply-To: <start@mua.test>\nSubject: something different\n\nReply.\n')));
      assert.equal(reply.itemid, first.itemid);
      await t.read(async (db) => assert.deepEqual(await db.getclass('issue').get(first.itemid, 'messages'), ['31', '32']));
    });
  });
});
