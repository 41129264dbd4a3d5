import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DebugFileMail, parseDebugFile } from '../../lib/mail/debug-file.js';
import { verifyPassword } from '../../lib/hyperdb/password.js';
import { type TestTracker, createTestTracker } from '../support/trackers.js';
import { mailBody, mailHeader } from './actions/registration-fixtures.js';
import { BASE_URL, COOKIE, type ServedTracker, cookiePair, errorsOf, serveTracker, userOf } from './app-harness.js';
import { type PageForm, formWith, notices } from './templates/page-html.js';

/** The hidden fields of a page's form, as a browser would send them. */
function hiddenFields(form: PageForm): Array<[string, string]> {
  return form.controls.filter((c) => c.name === 'input' && c.attrs.type === 'hidden' && c.attrs.name).map((c) => [c.attrs.name!, c.attrs.value ?? '']);
}

/** The tracker URL in a mail body, as a path under the tracker (what a click on it requests). */
function linkIn(mail: DebugFileMail, pattern: RegExp): string {
  const url = pattern.exec(mailBody(mail))?.[0];
  assert.ok(url, `no link matching ${pattern} in:\n${mailBody(mail)}`);
  assert.ok(url.startsWith(BASE_URL));
  return url.slice(BASE_URL.length);
}

describe('registration and password reset over HTTP, mail through the [mail] debug file', function () {
  this.timeout(60000);
  let tt: TestTracker;
  let served: ServedTracker;
  let mailFile: string;
  const mails = (): DebugFileMail[] => (existsSync(mailFile) ? parseDebugFile(readFileSync(mailFile, 'utf8')) : []);

  async function user(username: string): Promise<Record<string, unknown> | null> {
    const db = await tt.tracker.open({ userid: '1' }, { checked: false });
    try {
      const users = db.getclass('user');
      const found = await users.filter(null, { username });
      return found.length ? { id: found[0], ...(await users.getnode(found[0]!)) } : null;
    } finally {
      await db.close();
    }
  }

  before(async () => {
    tt = await createTestTracker({ settings: { mail_debug: 'registration-mail.txt', web_registration_delay: '0' } });
    mailFile = join(tt.home, 'registration-mail.txt');
    served = await serveTracker(tt.tracker);
  });
  after(async () => {
    await served?.close();
    await tt?.cleanup();
  });

  it('registers through the form, confirms with the link of the mail (confrego), and logs the new user in', async () => {
    const browser = served.browser();
    const page = await browser.get('user?@template=register');
    assert.equal(page.status, 200);
    const form = formWith(page.body, 'username', '@confirm@password', 'opaqueregister', '@csrf');
    const sent = await browser.post('user', [
      ...hiddenFields(form),
      ['username', 'newbie'],
      ['password', 'n3wbie-pw'],
      ['@confirm@password', 'n3wbie-pw'],
      ['address', 'newbie@example.com'],
      ['realname', 'New Bie'],
    ]);
    assert.equal(sent.status, 302, errorsOf(sent.body).join());
    assert.equal(sent.headers.location, `${BASE_URL}user?@template=rego_progress`);
    assert.equal(await user('newbie'), null, 'nobody exists before the confirmation');
    assert.equal(mails().length, 1);
    const mail = mails()[0]!;
    assert.deepEqual(mail.recipients, ['newbie@example.com']);
    assert.match(mailHeader(mail, 'Subject')!, /^Complete your registration to Roundup issue tracker -- key [A-Za-z0-9_-]{43}$/);

    const link = linkIn(mail, /http:\/\/\S+@action=confrego&otk=[A-Za-z0-9_-]+/);
    const clicked = served.browser();
    const confirmed = await clicked.get(link);
    assert.equal(confirmed.status, 200);
    assert.match(confirmed.body, /You are now registered, welcome!/);
    assert.match(cookiePair(confirmed)!, new RegExp(`^${COOKIE}=[A-Za-z0-9_-]{43}$`));
    const stored = (await user('newbie'))!;
    assert.equal(stored.address, 'newbie@example.com');
    assert.equal(stored.realname, 'New Bie');
    assert.equal(stored.roles, 'User');
    assert.equal((await verifyPassword(stored.password as string, 'n3wbie-pw')).ok, true);
    const home = await clicked.get(`user${stored.id as string}`);
    assert.equal(userOf(home.body), 'newbie');

    const again = await served.browser().get(link);
    assert.equal(again.status, 400);
    assert.deepEqual(errorsOf(again.body), ['Invalid One Time Key!']);
    assert.deepEqual(again.cookies, []);
  });

  it('refuses a registration whose confirmation does not match, storing nothing and mailing nothing', async () => {
    const before = mails().length;
    const browser = served.browser();
    const form = formWith((await browser.get('user?@template=register')).body, 'opaqueregister');
    const res = await browser.post('user', [
      ...hiddenFields(form),
      ['username', 'mismatch'],
      ['password', 'one'],
      ['@confirm@password', 'two'],
      ['address', 'mismatch@example.com'],
    ]);
    assert.equal(res.status, 400);
    assert.deepEqual(errorsOf(res.body), ['Error: Password and confirmation text do not match']);
    assert.equal(await user('mismatch'), null);
    assert.equal(mails().length, before);
  });

  it('resets a password in two steps: the confirmation link, then the new password by mail', async () => {
    const db = await tt.tracker.open({ userid: '1' }, { checked: false });
    await db.getclass('user').create({ username: 'forgetful', password: 'old-pw', address: 'forgetful@example.com', roles: 'User' });
    await db.commit();
    await db.close();
    const before = mails().length;

    const browser = served.browser();
    const page = await browser.get('user?@template=forgotten');
    assert.equal(page.status, 200);
    const form = formWith(page.body, 'username');
    const asked = await browser.post('user', [...hiddenFields(form), ['username', 'forgetful']]);
    assert.equal(asked.status, 200);
    assert.deepEqual(notices(asked.body).ok, ['Email sent to primary notification address for forgetful.']);
    assert.equal(mails().length, before + 1);
    const confirm = mails()[before]!;
    assert.deepEqual(confirm.recipients, ['forgetful@example.com']);
    assert.equal(mailHeader(confirm, 'Subject'), 'Confirm reset of password for Roundup issue tracker');
    assert.equal((await verifyPassword((await user('forgetful'))!.password as string, 'old-pw')).ok, true, 'nothing changes before the link is followed');

    const link = linkIn(confirm, /http:\/\/\S+@action=passrst&otk=[A-Za-z0-9_-]+/);
    const reset = await served.browser().get(link);
    assert.equal(reset.status, 200);
    assert.deepEqual(notices(reset.body).ok, ['Password reset and email sent to forgetful@example.com']);
    assert.equal(mails().length, before + 2);
    const done = mails()[before + 1]!;
    assert.equal(mailHeader(done, 'Subject'), 'Password reset for Roundup issue tracker');
    const password = /Your password is now: (\S+)/.exec(mailBody(done))![1]!;

    assert.equal((await served.browser().login('forgetful', 'old-pw')).status, 403);
    const login = await served.browser().login('forgetful', password);
    assert.equal(login.status, 302);
    assert.equal((await verifyPassword((await user('forgetful'))!.password as string, password)).ok, true);

    const again = await served.browser().get(link);
    assert.equal(again.status, 400);
    assert.deepEqual(errorsOf(again.body), ['Invalid One Time Key!']);
    assert.equal(mails().length, before + 2);
  });

  it('answers an unknown user name in the reset form on the page, mailing nothing', async () => {
    const before = mails().length;
    const browser = served.browser();
    const form = formWith((await browser.get('user?@template=forgotten')).body, 'username');
    const res = await browser.post('user', [...hiddenFields(form), ['username', 'nobody-here']]);
    assert.equal(res.status, 400);
    assert.deepEqual(errorsOf(res.body), ['Unknown username']);
    assert.equal(mails().length, before);
  });
});
