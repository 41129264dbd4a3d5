import assert from 'node:assert/strict';
import { verifyPassword } from '../../../lib/hyperdb/password.js';
import { Mailer, mailSettings } from '../../../lib/mail/mailer.js';
import { createPassResetAction } from '../../../lib/web/actions/passrst.js';
import type { RegistrationServices } from '../../../lib/web/actions/registration-common.js';
import { type RegistrationTracker, createRegistrationTracker, mailBody, mailHeader } from './registration-fixtures.js';

async function passrst(t: RegistrationTracker, fields: Record<string, string>, services: RegistrationServices = t.services) {
  const db = await t.open('2');
  try {
    const req = t.request(db, fields, { method: 'GET' });
    const outcome = await createPassResetAction(services).run(req);
    return { outcome, ok: req.messages.ok, error: req.messages.error };
  } finally {
    await db.close();
  }
}

async function storedPassword(t: RegistrationTracker, userid: string): Promise<string> {
  const db = await t.admin();
  try {
    return (await db.getclass('user').get(userid, 'password')) as string;
  } finally {
    await db.close();
  }
}

describe('web password reset (passrst)', () => {
  let t: RegistrationTracker;
  let alice: string;
  beforeEach(async () => {
    t = await createRegistrationTracker();
    const db = await t.admin();
    alice = await db.getclass('user').create({
      username: 'alice',
      password: 'old-pw',
      address: 'alice@example.com',
      alternate_addresses: 'alice@work.example\nsupport-alice@example.org',
      roles: 'User',
    });
    await db.commit();
    await db.close();
  });
  afterEach(() => t.cleanup());

  it('step 1 by username mails a confirmation link to the primary address', async () => {
    const { outcome, ok, error } = await passrst(t, { username: 'alice' });
    assert.deepEqual(error, []);
    assert.deepEqual(ok, ['Email sent to primary notification address for alice.']);
    assert.deepEqual(outcome, { kind: 'render', status: 200 });
    const [key, record] = [...t.keys.records][0]!;
    assert.deepEqual(record.data, { kind: 'passrst', uid: alice, uaddress: 'alice@example.com' });
    const mails = t.mails();
    assert.equal(mails.length, 1);
    assert.deepEqual(mails[0]!.recipients, ['alice@example.com']);
    assert.equal(mailHeader(mails[0]!, 'Subject'), 'Confirm reset of password for Roundup issue tracker');
    assert.equal(mailHeader(mails[0]!, 'From'), 'Roundup issue tracker <roundup-admin@example.com>');
    assert.equal(
      mailBody(mails[0]!),
      '\nSomeone, perhaps you, has requested that the password be changed for your\nusername, "alice". If you wish to proceed with the change, please follow\nthe link below:\n\n' +
        `  http://tracker.example/demo/user?@template=forgotten&@action=passrst&otk=${key}\n\n` +
        'You should then receive another email with the new password.\n',
    );
    assert.equal((await verifyPassword(await storedPassword(t, alice), 'old-pw')).ok, true, 'nothing changes before the link is followed');
  });

  it('step 1 by an alternate address mails that address', async () => {
    const { ok } = await passrst(t, { address: 'Alice@Work.Example' });
    assert.deepEqual(ok, ['Email sent to Alice@Work.Example.']);
    assert.deepEqual(t.mails()[0]!.recipients, ['Alice@Work.Example']);
    assert.deepEqual([...t.keys.records.values()][0]!.data, { kind: 'passrst', uid: alice, uaddress: 'Alice@Work.Example' });
  });

  it('step 1 by the primary address, ignoring case', async () => {
    const { ok } = await passrst(t, { address: 'ALICE@example.com' });
    assert.deepEqual(ok, ['Email sent to ALICE@example.com.']);
  });

  it('step 1 does not take part of an alternate address for the whole', async () => {
    const { error } = await passrst(t, { address: 'alice@example.org' });
    assert.deepEqual(error, ['Unknown email address']);
  });

  for (const [fields, message] of [
    [{ username: 'nobody' }, 'Unknown username'],
    [{ address: 'nobody@example.com' }, 'Unknown email address'],
    [{}, 'You need to specify a username or address'],
  ] as const) {
    it(`step 1 answers "${message}" and mails nothing`, async () => {
      const { outcome, error } = await passrst(t, fields);
      assert.deepEqual(error, [message]);
      assert.deepEqual(outcome, { kind: 'render', status: 400 });
      assert.equal(t.mails().length, 0);
      assert.equal(t.keys.records.size, 0);
    });
  }

  it('step 1 tells a user without an address that no mail can be sent', async () => {
    const db = await t.admin();
    await db.getclass('user').create({ username: 'noaddr', roles: 'User' });
    await db.commit();
    await db.close();
    assert.deepEqual((await passrst(t, { username: 'noaddr' })).error, ['No email address is set for noaddr']);
    assert.equal(t.keys.records.size, 0);
  });

  it('step 2 sets a new random password, mails it, and the key works only once', async () => {
    await passrst(t, { address: 'support-alice@example.org' });
    const [key] = [...t.keys.records.keys()];
    const { outcome, ok, error } = await passrst(t, { otk: key! });
    assert.deepEqual(error, []);
    assert.deepEqual(ok, ['Password reset and email sent to support-alice@example.org']);
    assert.deepEqual(outcome, { kind: 'render', status: 200 });
    const mail = t.mails()[1]!;
    assert.deepEqual(mail.recipients, ['support-alice@example.org']);
    assert.equal(mailHeader(mail, 'Subject'), 'Password reset for Roundup issue tracker');
    const m = /^\nThe password has been reset for username "alice"\.\n\nYour password is now: ([A-Za-z0-9]{12})\n$/.exec(mailBody(mail));
    assert.ok(m, mailBody(mail));
    const stored = await storedPassword(t, alice);
    assert.equal((await verifyPassword(stored, m[1]!)).ok, true);
    assert.equal((await verifyPassword(stored, 'old-pw')).ok, false);

    const again = await passrst(t, { otk: key! });
    assert.deepEqual(again.error, ['Invalid One Time Key!']);
    assert.equal(await storedPassword(t, alice), stored);
  });

  it('step 2 refuses an unknown, expired or registration key and changes nothing', async () => {
    await passrst(t, { username: 'alice' });
    const [key] = [...t.keys.records.keys()];
    const regKey = await t.keys.create({ kind: 'register', props: { username: 'x' } }, 3600);
    const before = await storedPassword(t, alice);
    assert.deepEqual((await passrst(t, { otk: 'bogus' })).error, ['Invalid One Time Key!']);
    assert.deepEqual((await passrst(t, { otk: regKey })).error, ['Invalid One Time Key!']);
    t.keys.now += 8 * 24 * 3600;
    assert.deepEqual((await passrst(t, { otk: key! })).error, ['Invalid One Time Key!']);
    assert.equal(await storedPassword(t, alice), before);
    assert.equal(t.mails().length, 1);
  });

  it('step 2 keeps the old password when the new one cannot be mailed', async () => {
    await passrst(t, { username: 'alice' });
    const [key] = [...t.keys.records.keys()];
    const before = await storedPassword(t, alice);
    const down = new Mailer({ ...mailSettings(t.tracker.config, {}), debugFile: null, host: '127.0.0.1', port: 1 });
    const { outcome, error } = await passrst(t, { otk: key! }, { ...t.services, mailer: () => down });
    assert.deepEqual(outcome, { kind: 'render', status: 502 });
    assert.equal(error.length, 1);
    assert.match(error[0]!, /^Error: couldn't send email: mailhost 127\.0\.0\.1: /);
    assert.equal(await storedPassword(t, alice), before);
  });

  it('step 1 keeps no key when the mail cannot be sent', async () => {
    const down = new Mailer({ ...mailSettings(t.tracker.config, {}), debugFile: null, host: '127.0.0.1', port: 1 });
    const { error } = await passrst(t, { username: 'alice' }, { ...t.services, mailer: () => down });
    assert.match(error[0]!, /^Error: couldn't send email: /);
    assert.equal(t.keys.records.size, 0);
  });

  it('step 2 refuses a key for a user retired since', async () => {
    await passrst(t, { username: 'alice' });
    const [key] = [...t.keys.records.keys()];
    const db = await t.admin();
    await db.getclass('user').retire(alice);
    await db.commit();
    await db.close();
    assert.deepEqual((await passrst(t, { otk: key! })).error, ['Invalid One Time Key!']);
  });
});
