import assert from 'node:assert/strict';
import { verifyPassword } from '../../../lib/hyperdb/password.js';
import { Mailer, mailSettings } from '../../../lib/mail/mailer.js';
import { createConfRegoAction } from '../../../lib/web/actions/confrego.js';
import { packTimestamp } from '../../../lib/web/actions/form-timestamp.js';
import { createRegisterAction } from '../../../lib/web/actions/register.js';
import type { ActionOutcome } from '../../../lib/web/web-types.js';
import { type RegistrationTracker, createRegistrationTracker, mailBody, mailHeader } from './registration-fixtures.js';

const FORM = {
  '@action': 'register',
  username: 'newbie',
  password: 'secret',
  '@confirm@password': 'secret',
  address: 'newbie@example.org',
  realname: 'New Bie',
  '@required': 'username,password,address',
};

function without(fields: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter(([k]) => k !== name));
}

/** Runs an action as anonymous with `fields`; returns the outcome and the request's messages. */
async function act(t: RegistrationTracker, action: 'register' | 'confrego', fields: Record<string, string>, options: { userid?: string; method?: string } = {}) {
  const db = await t.open(options.userid ?? '2');
  try {
    const req = t.request(db, fields, { method: options.method });
    const run = action === 'register' ? createRegisterAction(t.services) : createConfRegoAction(t.services);
    const outcome: ActionOutcome = await run.run(req);
    return { outcome, ok: req.messages.ok, error: req.messages.error };
  } finally {
    await db.close();
  }
}

async function userIds(t: RegistrationTracker): Promise<string[]> {
  const db = await t.admin();
  try {
    return await db.getclass('user').list();
  } finally {
    await db.close();
  }
}

async function userValues(t: RegistrationTracker, username: string): Promise<Record<string, unknown> & { id: string }> {
  const db = await t.admin();
  try {
    const id = await db.getclass('user').lookup(username);
    const values: Record<string, unknown> = await db.getclass('user').getnode(id);
    return { id, ...values };
  } finally {
    await db.close();
  }
}

describe('web registration actions', () => {
  describe('register with email confirmation (the default)', () => {
    let t: RegistrationTracker;
    beforeEach(async () => {
      t = await createRegistrationTracker();
    });
    afterEach(() => t.cleanup());

    it('keeps the details under a one-time key, mails the confirmation and sends the browser to rego_progress', async () => {
      const before = await userIds(t);
      const { outcome, error } = await act(t, 'register', FORM);
      assert.deepEqual(error, []);
      assert.deepEqual(outcome, { kind: 'redirect', location: 'http://tracker.example/demo/user?@template=rego_progress' });
      assert.deepEqual(await userIds(t), before, 'no user is created yet');

      assert.equal(t.keys.records.size, 1);
      const [key, record] = [...t.keys.records][0]!;
      assert.match(key, /^[A-Za-z0-9_-]{43}$/);
      const stored = record.data as { kind: string; props: Record<string, unknown> };
      assert.equal(stored.kind, 'register');
      assert.deepEqual({ ...stored.props, password: undefined }, { username: 'newbie', address: 'newbie@example.org', realname: 'New Bie', password: undefined });
      assert.match(stored.props.password as string, /^\{PBKDF2S5\}/, 'the password is kept hashed, never as typed');

      const mails = t.mails();
      assert.equal(mails.length, 1);
      const mail = mails[0]!;
      assert.equal(mail.sender, 'roundup-admin@example.com');
      assert.deepEqual(mail.recipients, ['newbie@example.org']);
      assert.equal(mailHeader(mail, 'Subject'), `Complete your registration to Roundup issue tracker -- key ${key}`);
      assert.equal(mailHeader(mail, 'From'), 'Roundup issue tracker <issue_tracker@example.com>');
      assert.equal(mailHeader(mail, 'To'), 'newbie@example.org');
      assert.equal(
        mailBody(mail),
        'To complete your registration of the user "newbie" with\nRoundup issue tracker, please do one of the following:\n\n' +
          '- send a reply to issue_tracker@example.com and maintain the subject line as is (the\nreply\'s additional "Re:" is ok),\n\n' +
          `- or visit the following URL:\n\nhttp://tracker.example/demo/?@action=confrego&otk=${key}\n\n`,
      );
    });

    it('confrego creates the user with the web roles, logs them in and greets them; the key then stops working', async () => {
      await act(t, 'register', FORM);
      const [key] = [...t.keys.records.keys()];
      const { outcome, error } = await act(t, 'confrego', { '@action': 'confrego', otk: key! });
      assert.deepEqual(error, []);
      const user = await userValues(t, 'newbie');
      assert.equal(user.roles, 'User');
      assert.equal(user.address, 'newbie@example.org');
      assert.equal(user.realname, 'New Bie');
      assert.equal((await verifyPassword(user.password as string, 'secret')).ok, true);
      assert.deepEqual(t.logins, [{ userid: user.id, username: 'newbie' }]);
      assert.equal(outcome.kind, 'response');
      if (outcome.kind !== 'response') return;
      assert.equal(outcome.status, 200);
      assert.equal(outcome.headers['Content-Type'], 'text/html; charset=utf-8');
      const url = `http://tracker.example/demo/user${user.id}?@ok_message=You%20are%20now%20registered%2C%20welcome%21`;
      assert.match(String(outcome.body), new RegExp(`<meta http-equiv="refresh" content="1; url=${url.replace(/[.?]/g, '\\$&')}">`));
      assert.match(String(outcome.body), /<a href="[^"]+">You are now registered, welcome!<\/a>/);
      assert.equal(t.keys.records.size, 0);

      const again = await act(t, 'confrego', { otk: key! });
      assert.deepEqual(again.error, ['Invalid One Time Key!']);
      assert.deepEqual(again.outcome, { kind: 'render', status: 400 });
    });

    it('confrego refuses unknown, empty and expired keys and creates nobody', async () => {
      await act(t, 'register', FORM);
      const before = await userIds(t);
      for (const otk of ['no-such-key', '']) {
        const { outcome, error } = await act(t, 'confrego', { otk });
        assert.deepEqual(error, ['Invalid One Time Key!']);
        assert.deepEqual(outcome, { kind: 'render', status: 400 });
      }
      t.keys.now += 7 * 24 * 3600;
      const [key] = [...t.keys.records.keys()];
      assert.deepEqual((await act(t, 'confrego', { otk: key! })).error, ['Invalid One Time Key!']);
      assert.deepEqual(await userIds(t), before);
      assert.deepEqual(t.logins, []);
    });

    it('confrego refuses a password-reset key', async () => {
      const key = await t.keys.create({ kind: 'passrst', uid: '1', uaddress: 'roundup-admin@example.com' }, 60);
      assert.deepEqual((await act(t, 'confrego', { otk: key })).error, ['Invalid One Time Key!']);
    });

    it('confrego reports a user name taken since the registration and keeps the data unchanged', async () => {
      await act(t, 'register', FORM);
      const [key] = [...t.keys.records.keys()];
      const db = await t.admin();
      await db.getclass('user').create({ username: 'newbie', address: 'other@example.org' });
      await db.commit();
      await db.close();
      const before = await userIds(t);
      const { outcome, error } = await act(t, 'confrego', { otk: key! });
      assert.deepEqual(error, ["Username 'newbie' already exists."]);
      assert.deepEqual(outcome, { kind: 'render', status: 400 });
      assert.deepEqual(await userIds(t), before);
      assert.equal((await userValues(t, 'newbie')).address, 'other@example.org');
    });

    it('confrego shows what the user auditor refuses (an address taken meanwhile)', async () => {
      await act(t, 'register', FORM);
      const [key] = [...t.keys.records.keys()];
      const db = await t.admin();
      await db.getclass('user').create({ username: 'early', address: 'newbie@example.org' });
      await db.commit();
      await db.close();
      const { error } = await act(t, 'confrego', { otk: key! });
      assert.deepEqual(error, ['Email address newbie@example.org already in use']);
      await assert.rejects((async () => userValues(t, 'newbie'))(), { code: 'RUP_ERR_KEY_NOT_FOUND' });
    });

    it('registration_prevalidate_username refuses a taken user name before mailing', async () => {
      const tracker = t.tracker;
      tracker.config.WEB_REGISTRATION_PREVALIDATE_USERNAME = true;
      const taken = await act(t, 'register', { ...FORM, username: 'admin' });
      assert.deepEqual(taken.error, ["Username 'admin' is already used."]);
      assert.deepEqual(taken.outcome, { kind: 'render', status: 400 });
      assert.equal(t.mails().length, 0);
      assert.equal(t.keys.records.size, 0);
      const free = await act(t, 'register', FORM);
      assert.equal(free.outcome.kind, 'redirect');
      assert.equal(t.mails().length, 1);
    });

    it('without prevalidation a taken user name is only found at confirmation', async () => {
      const { outcome } = await act(t, 'register', { ...FORM, username: 'admin' });
      assert.equal(outcome.kind, 'redirect');
      const [key] = [...t.keys.records.keys()];
      assert.deepEqual((await act(t, 'confrego', { otk: key! })).error, ["Username 'admin' already exists."]);
    });

    it('writes the shorter mail without the reply instructions when email_registration_confirmation is off', async () => {
      t.tracker.config.EMAIL_REGISTRATION_CONFIRMATION = false;
      await act(t, 'register', FORM);
      const [key] = [...t.keys.records.keys()];
      const mail = t.mails()[0]!;
      assert.equal(mailHeader(mail, 'Subject'), 'Complete your registration to Roundup issue tracker');
      assert.equal(
        mailBody(mail),
        `To complete your registration of the user "newbie" with\nRoundup issue tracker, please visit the following URL:\n\nhttp://tracker.example/demo/?@action=confrego&otk=${key}\n\n`,
      );
    });

    it('reports a mail that cannot be sent and keeps no key', async () => {
      const down = new Mailer({ ...mailSettings(t.tracker.config, {}), debugFile: null, host: '127.0.0.1', port: 1 });
      const db = await t.open('2');
      try {
        const req = t.request(db, FORM);
        const outcome = await createRegisterAction({ ...t.services, mailer: () => down }).run(req);
        assert.deepEqual(outcome, { kind: 'render', status: 502 });
        assert.equal(req.messages.error.length, 1);
        assert.match(req.messages.error[0]!, /^Error: couldn't send email: mailhost 127\.0\.0\.1: /);
      } finally {
        await db.close();
      }
      assert.equal(t.keys.records.size, 0);
    });

    it('reports an address that cannot be mailed to and keeps no key', async () => {
      const { outcome, error } = await act(t, 'register', { ...FORM, address: 'not an address' });
      assert.deepEqual(error, ['Invalid mail address "not an address"']);
      assert.deepEqual(outcome, { kind: 'render', status: 400 });
      assert.equal(t.keys.records.size, 0);
    });

    it('asks for a user name and an address, which the mail needs', async () => {
      const { error } = await act(t, 'register', { username: '', password: 'x', '@confirm@password': 'x' });
      assert.deepEqual(error, ['Error: Required user properties username, address not supplied']);
    });
  });

  describe('register checks', () => {
    let t: RegistrationTracker;
    beforeEach(async () => {
      t = await createRegistrationTracker();
    });
    afterEach(() => t.cleanup());

    it('needs the Register permission (a logged-in User has none)', async () => {
      const db = await t.admin();
      const userid = await db.getclass('user').create({ username: 'member', roles: 'User' });
      await db.commit();
      await db.close();
      await assert.rejects(act(t, 'register', FORM, { userid }), { code: 'RUP_ERR_PERMISSION', message: 'You do not have permission to register the user class.' });
    });

    it('refuses GET with "Invalid request"', async () => {
      const { outcome, error } = await act(t, 'register', FORM, { method: 'GET' });
      assert.deepEqual(error, ['Invalid request']);
      assert.deepEqual(outcome, { kind: 'render', status: 400 });
      assert.equal(t.mails().length, 0);
    });

    it('refuses roles in the form', async () => {
      await assert.rejects(act(t, 'register', { ...FORM, roles: 'Admin' }), { code: 'RUP_ERR_PERMISSION', message: 'It is not permitted to supply roles at registration.' });
      assert.equal(t.keys.records.size, 0);
    });

    it('refuses other items described in the form', async () => {
      await assert.rejects(act(t, 'register', { ...FORM, 'issue-1@title': 'spam' }), { code: 'RUP_ERR_PERMISSION', message: 'You do not have permission to create issue' });
      await assert.rejects(act(t, 'register', { ...FORM, 'user1@realname': 'Owned' }), { code: 'RUP_ERR_PERMISSION', message: 'You do not have permission to edit user' });
    });

    it('shows form errors with "Error: " (password confirmation, @required)', async () => {
      assert.deepEqual((await act(t, 'register', { ...without(FORM, '@required'), '@confirm@password': 'other' })).error, ['Error: Password and confirmation text do not match']);
      assert.deepEqual((await act(t, 'register', without(FORM, 'username'))).error, ['Error: Required user property username not supplied']);
      assert.equal(t.keys.records.size, 0);
    });

    describe('registration_delay and the opaqueregister timestamp', () => {
      beforeEach(() => {
        t.tracker.config.WEB_REGISTRATION_DELAY = 4;
      });

      // The fields are made when the test runs: the timestamp must be fresh then.
      const cases: Array<[string, () => Record<string, string>, string]> = [
        ['a missing timestamp', () => ({}), 'Form is corrupted, missing: opaqueregister.'],
        ['a timestamp that is not base64 of four bytes (zzz)', () => ({ opaqueregister: 'zzz' }), 'Form is corrupted.'],
        ['a timestamp of five bytes (xyzzyzl=)', () => ({ opaqueregister: 'xyzzyzl=' }), 'Form is corrupted.'],
        ['a form sent back at once', () => ({ opaqueregister: packTimestamp() }), 'Responding to form too quickly.'],
      ];
      for (const [what, extra, message] of cases) {
        it(`refuses ${what}: "${message}"`, async () => {
          const { outcome, error } = await act(t, 'register', { ...FORM, ...extra() });
          assert.deepEqual(error, [message]);
          assert.deepEqual(outcome, { kind: 'render', status: 400 });
          assert.equal(t.keys.records.size, 0);
        });
      }

      it('accepts a form made longer ago than the delay', async () => {
        const { outcome } = await act(t, 'register', { ...FORM, opaqueregister: packTimestamp(Date.now() / 1000 - 5) });
        assert.equal(outcome.kind, 'redirect');
        assert.equal(t.mails().length, 1);
      });
    });
  });

  describe('instant registration', () => {
    let t: RegistrationTracker;
    beforeEach(async () => {
      t = await createRegistrationTracker({ settings: { instant_registration: 'yes', new_web_user_roles: 'User' } });
    });
    afterEach(() => t.cleanup());

    it('creates the user at once with new_web_user_roles, logs them in, and sends no mail', async () => {
      const { outcome, error } = await act(t, 'register', FORM);
      assert.deepEqual(error, []);
      const user = await userValues(t, 'newbie');
      assert.equal(user.roles, 'User');
      assert.equal(user.realname, 'New Bie');
      assert.equal((await verifyPassword(user.password as string, 'secret')).ok, true);
      assert.deepEqual(t.logins, [{ userid: user.id, username: 'newbie' }]);
      assert.equal(outcome.kind, 'response');
      assert.equal(t.mails().length, 0);
      assert.equal(t.keys.records.size, 0);
    });

    it('links the new user to existing items named with @link@, but creates no other item', async () => {
      const db = await t.admin();
      const query = await db.getclass('query').create({ klass: 'issue', name: 'Mine', url: '@columns=title' });
      await db.commit();
      await db.close();
      await assert.rejects(act(t, 'register', { ...FORM, '@link@queries': 'query-1', 'query-1@name': 'spam' }), {
        code: 'RUP_ERR_PERMISSION',
        message: 'You do not have permission to create query',
      });
      const { error } = await act(t, 'register', { ...FORM, '@link@queries': `query${query}` });
      assert.deepEqual(error, []);
      assert.deepEqual((await userValues(t, 'newbie')).queries, [query]);
    });

    it('shows what the user auditor refuses and creates nobody', async () => {
      const before = await userIds(t);
      assert.deepEqual((await act(t, 'register', { ...FORM, username: 'bad name' })).error, [
        'Error: Username/Login Name must consist only of the letters a-z (any case), digits 0-9 and the symbols: @._-!+%',
      ]);
      assert.deepEqual((await act(t, 'register', { ...FORM, address: 'roundup-admin@example.com' })).error, ['Error: Email address roundup-admin@example.com already in use']);
      assert.deepEqual((await act(t, 'register', { ...FORM, username: 'anonymous' })).error, ["Error: Username 'anonymous' already exists."]);
      assert.deepEqual(await userIds(t), before);
      assert.deepEqual(t.logins, []);
    });
  });

  it('registers on the minimal template too (no realname property)', async () => {
    const t = await createRegistrationTracker({ template: 'minimal', settings: { instant_registration: 'yes' } });
    try {
      const { error } = await act(t, 'register', without(FORM, 'realname'));
      assert.deepEqual(error, []);
      assert.equal((await userValues(t, 'newbie')).roles, 'User');
    } finally {
      await t.cleanup();
    }
  });
});
