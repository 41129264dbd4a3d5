import assert from 'node:assert/strict';
import type { GatewayResult } from '../../../lib/mail/gateway/gateway.js';
import { serialiseProps } from '../../../lib/web/actions/registration-common.js';
import { sessionServices } from '../../../lib/web/session/session-services.js';
import { type GatewayTracker, bodyText, importedTracker } from './gateway-fixtures.js';

function message(from: string, subject: string, options: { headers?: string; body?: string } = {}): Buffer {
  return Buffer.from(`From: ${from}\n${options.headers ?? 'To: issue_tracker@example.com\n'}Subject: ${subject}\n\n${options.body ?? 'Some text.'}\n`);
}

function author(result: GatewayResult): string {
  assert.equal(result.outcome, 'stored', JSON.stringify(result));
  return (result as { author: string }).author;
}

describe('mail gateway: senders, recipients and permissions', () => {
  let t: GatewayTracker;
  beforeEach(async () => {
    t = await importedTracker();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const lastBounce = async () => bodyText((await t.sent()).at(-1)!);
  const allowMailRegistration = () => t.tracker.security.addPermissionToRole('Anonymous', 'Email Access');

  describe('who the author is', () => {
    it('matches the primary address ignoring case', async () => {
      assert.equal(author(await t.process(message('ALICE@Example.COM', '[issue] a'))), '3');
    });

    it('matches an alternate address only as a whole line', async () => {
      assert.equal(author(await t.process(message('adams@example.com', '[issue] a'))), '3');
      assert.equal((await t.process(message('ms.adams@example.com', '[issue] b'))).outcome, 'bounced');
      assert.match(await lastBounce(), /Unknown address: ms\.adams@example\.com/);
    });

    it('matches a user name for local mail without a domain', async () => {
      assert.equal(author(await t.process(message('bob', '[issue] local mail'))), '4');
    });

    it('uses Resent-From over From, unless keep_real_from is set', async () => {
      const resent = message('carol@example.net', '[issue] resent', { headers: 'Resent-From: Alice <alice@example.com>\nTo: issue_tracker@example.com\n' });
      assert.equal(author(await t.process(resent)), '3');
      t.tracker.config.set('mailgw', 'keep_real_from', 'yes');
      assert.equal(author(await t.process(resent)), '5');
    });

    it('registers an unknown sender when anonymous has Register and Email Access, with a free user name and -S user values', async () => {
      allowMailRegistration();
      const result = await t.process(message('=?utf-8?b?SOKCrGxsbw==?= <bob@elsewhere.test>', '[issue] hello'), { setValues: ['user.organisation=ACME;phone=123'] });
      assert.equal(author(result), '7');
      await t.read(async (db) => {
        const user = await db.getclass('user').getnode('7');
        assert.deepEqual([user.username, user.address, user.realname, user.roles, user.organisation, user.phone, user.creator], ['bob1', 'bob@elsewhere.test', 'H€llo', 'User', 'ACME', '123', '1']);
        assert.equal(await db.getclass('issue').get('13', 'creator'), '7');
      });
      t.tracker.config.set('main', 'new_email_user_roles', 'User,Admin');
      author(await t.process(message('zed@elsewhere.test', '[issue] again')));
      await t.read(async (db) => assert.deepEqual([await db.getclass('user').get('8', 'username'), await db.getclass('user').get('8', 'roles')], ['zed', 'User,Admin']));
    });

    it('bounces an unknown sender without the register hint when anonymous has no web access', async () => {
      t.tracker.security.addRole({ name: 'Anonymous' });
      t.tracker.security.addPermissionToRole('Anonymous', 'Register', 'user');
      assert.equal((await t.process(message('stranger@elsewhere.test', '[issue] x'))).outcome, 'bounced');
      assert.equal(await lastBounce(), '\n\nYou are not a registered user.\n\nUnknown address: stranger@elsewhere.test\n');
    });

    it('bounces a known user without Email Access', async () => {
      await t.read(async (db) => {
        await db.getclass('user').set('4', { roles: 'Anonymous' });
        await db.commit();
      });
      assert.equal((await t.process(message('bob@example.org', '[issue] x'))).outcome, 'bounced');
      assert.equal(await lastBounce(), '\nYou are not permitted to access this tracker.');
    });

    it('does not keep a user registered for a message that is then refused', async () => {
      allowMailRegistration();
      assert.equal((await t.process(message('new@elsewhere.test', '[status] a new status'))).outcome, 'bounced');
      assert.equal(await lastBounce(), '\nYou are not permitted to create status.');
      await t.read(async (db) => assert.deepEqual(await db.getclass('user').stringFind({ address: 'new@elsewhere.test' }), []));
    });
  });

  describe('permissions', () => {
    it('needs Create on the class for a new item and Edit for an existing one', async () => {
      assert.equal((await t.process(message('bob@example.org', '[status] new status'))).outcome, 'bounced');
      assert.equal(await lastBounce(), '\nYou are not permitted to create status.');
      assert.equal((await t.process(message('bob@example.org', '[status1] renamed [name=renamed]'))).outcome, 'bounced');
      assert.equal(await lastBounce(), '\nYou are not permitted to edit status.');
      assert.deepEqual((await t.process(message('carol@example.net', '[status1] x [name=renamed]'))).outcome, 'stored', 'an Admin may');
    });

    it('checks each property set, and the right to add files and messages', async () => {
      const security = t.tracker.security;
      security.addRole({ name: 'Limited' });
      security.addPermissionToRole('Limited', 'Email Access');
      security.addPermissionToRole('Limited', 'Create', 'msg');
      security.addPermissionToRole('Limited', security.addPermission({ name: 'Edit', klass: 'issue', properties: ['messages', 'title'] }));
      await t.read(async (db) => {
        await db.getclass('user').set('4', { roles: 'Limited' });
        await db.commit();
      });
      assert.equal((await t.process(message('bob@example.org', '[issue1] x [status=resolved]'))).outcome, 'bounced');
      assert.equal(await lastBounce(), '\nYou are not permitted to edit property status of class issue.');
      const withFile = Buffer.from(
        'From: bob@example.org\nTo: issue_tracker@example.com\nSubject: [issue1] x\nContent-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\ntext\n--B\nContent-Type: application/octet-stream\n\nbytes\n--B--\n',
      );
      assert.equal((await t.process(withFile)).outcome, 'bounced');
      assert.equal(await lastBounce(), '\nYou are not permitted to create files.');
      assert.deepEqual((await t.process(message('bob@example.org', '[issue1] x'))).outcome, 'stored', 'title and messages are allowed');
      await t.read(async (db) => {
        assert.equal(await db.getclass('issue').get('1', 'title'), 'x');
        assert.deepEqual(await db.getclass('file').getnodeids(), ['1', '2', '3', '4', '5', '6', '7'], 'no file of the refused message was kept');
      });
    });
  });

  describe('recipients', () => {
    it('makes To and Cc users (not the tracker) the recipients, and the nosy list of a new issue', async () => {
      const result = await t.process(message('alice@example.com', '[issue] with recipients', { headers: 'To: issue_tracker@example.com, Carol <carol@example.net>\nCc: bob@example.org, unknown@elsewhere.test\n' }));
      assert.equal(author(result), '3');
      await t.read(async (db) => {
        assert.deepEqual(await db.getclass('msg').get('31', 'recipients'), ['4', '5']);
        assert.deepEqual(await db.getclass('issue').get('13', 'nosy'), ['3', '4', '5']);
        assert.deepEqual(await db.getclass('user').stringFind({ address: 'unknown@elsewhere.test' }), []);
      });
    });

    it('registers unknown recipients when anonymous may register by mail', async () => {
      allowMailRegistration();
      await t.process(message('alice@example.com', '[issue] with a new recipient', { headers: 'To: issue_tracker@example.com\nCc: Newbie <newbie@elsewhere.test>\n' }));
      await t.read(async (db) => {
        assert.deepEqual([await db.getclass('user').get('7', 'username'), await db.getclass('user').get('7', 'realname'), await db.getclass('user').get('7', 'creator')], ['newbie', 'Newbie', '3']);
        assert.deepEqual(await db.getclass('msg').get('31', 'recipients'), ['7']);
      });
    });
  });

  describe('-S values', () => {
    it('sets values on the issue, the message and the files', async () => {
      const withFile = Buffer.from(
        'From: bob@example.org\nTo: issue_tracker@example.com\nSubject: [issue] options\nContent-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\ntext\n--B\nContent-Type: application/octet-stream\n\nbytes\n--B--\n',
      );
      const result = await t.process(withFile, { setValues: ['issue.status=chatting;priority=critical', 'summary=from the gateway', 'file.name=upload.bin'] });
      assert.equal(result.outcome, 'stored');
      await t.read(async (db) => {
        const issue = await db.getclass('issue').getnode('13');
        assert.deepEqual([issue.status, issue.priority, issue.title], ['3', '1', 'options']);
        assert.equal(await db.getclass('msg').get('31', 'summary'), 'from the gateway');
        assert.equal(await db.getclass('file').get('8', 'name'), 'upload.bin');
      });
    });

    it('bounces as "not properly set up" for a bad value or an unknown class', async () => {
      assert.equal((await t.process(message('bob@example.org', '[issue] x'), { setValues: ['issue.colour=red'] })).outcome, 'bounced');
      assert.ok((await lastBounce()).startsWith("\n\nThe mail gateway is not properly set up. Please contact\nroundup-admin@example.com and have them fix the incorrect properties:\n  'colour' is not a property of issue\n"));
      assert.equal((await t.process(message('bob@example.org', '[issue] x'), { setValues: ['bogus.x=1'] })).outcome, 'bounced');
      assert.ok((await lastBounce()).startsWith('\n\nThe mail gateway is not properly set up. Please contact\nroundup-admin@example.com and have them fix the incorrect class specified as:\n  bogus\n'));
      await t.read(async (db) => assert.equal((await db.getclass('issue').getnodeids()).length, 12));
    });
  });

  describe('registration by mail', () => {
    async function registrationKey(): Promise<string> {
      const password = await t.read((db) => db.encodePassword('secret'));
      return sessionServices(t.tracker).oneTimeKeys().create({ kind: 'register', props: serialiseProps({ username: 'johannes', address: 'johannes@elsewhere.test', password }) }, 3600);
    }

    it('completes a registration from a reply keeping "-- key" (email_registration_confirmation defaults to yes), and tells the sender', async () => {
      const key = await registrationKey();
      const reply = message('johannes@elsewhere.test', `Re: Complete your registration to Roundup issue tracker\n -- key ${key}`);
      const result = await t.process(reply);
      assert.deepEqual(result, { outcome: 'stored', action: 'registration-confirmed', classname: 'user', itemid: '7', msgid: null, fileids: [], author: '7' });
      await t.read(async (db) => {
        const user = await db.getclass('user').getnode('7');
        assert.deepEqual([user.username, user.address, user.roles], ['johannes', 'johannes@elsewhere.test', 'User']);
      });
      const [confirmation] = await t.sent();
      assert.deepEqual([confirmation!.recipients, confirmation!.parsed.subject, bodyText(confirmation!)], [['johannes@elsewhere.test'], 'Your registration to Roundup issue tracker is complete', '']);
      assert.equal((await t.process(reply)).outcome, 'bounced', 'a key is used once');
      assert.match(await lastBounce(), /The registration key in your subject is not valid/);
    });

    it('treats the reply as an ordinary mail when email_registration_confirmation is off', async () => {
      t.tracker.config.set('main', 'email_registration_confirmation', 'no');
      const key = await registrationKey();
      const result = await t.process(message('alice@example.com', `Re: Complete your registration -- key ${key}`));
      assert.deepEqual(result.outcome === 'stored' && [result.action, result.classname], ['created', 'issue']);
    });
  });
});
