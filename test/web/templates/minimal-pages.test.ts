import assert from 'node:assert/strict';
import { DEMO_USER, type TemplateApp, startTemplateApp } from './template-app.js';
import { fieldNames, formWith, heading, hiddenValue, plainText, unlabelledControls } from './page-html.js';

/** The minimal template's pages (users only), rendered by the real request handler. */

const ADMIN = '1';
const ANONYMOUS = null;

const PAGES: ReadonlyArray<readonly [string, string | null, number, string]> = [
  ['', ANONYMOUS, 200, 'Welcome'],
  ['', DEMO_USER, 200, 'Hello, demo'],
  ['home?@template=classlist', ADMIN, 200, 'Classes'],
  ['user', ADMIN, 200, 'Users'],
  ['user', DEMO_USER, 200, 'Users'],
  ['user3', DEMO_USER, 200, 'demo user3'],
  ['user?@template=item', ADMIN, 200, 'New user'],
  ['user?@template=register', ANONYMOUS, 200, 'Register with Roundup issue tracker'],
  ['user?@template=forgotten', ANONYMOUS, 200, 'Forgotten your password?'],
  ['user?@template=rego_progress', ANONYMOUS, 200, 'Check your e-mail'],
  ['user1', ANONYMOUS, 403, 'Welcome'],
];

const who = (userid: string | null) => (userid === null ? 'anonymous' : userid === ADMIN ? 'admin' : 'demo');

describe('minimal templates: pages', function () {
  this.timeout(60000);
  let app: TemplateApp;

  before(async () => {
    app = await startTemplateApp('minimal');
  });
  after(async () => app.close());

  for (const [path, userid, status, title] of PAGES) {
    it(`/${path} for ${who(userid)}: ${status}, heading "${title}", every control labelled`, async () => {
      const page = await app.get(path, userid);
      assert.equal(page.status, status);
      assert.equal(heading(page.html), title);
      assert.deepEqual(unlabelledControls(page.html), []);
      assert.deepEqual(app.logged, []);
    });
  }

  it('the navigation offers users, adding users and classes to the administrator only', async () => {
    const nav = (html: string) => plainText(/<nav class="main-nav"[\s\S]*?<\/nav>/.exec(html)![0]);
    assert.equal(nav((await app.get('', ADMIN)).html), 'Home Users Add user Classes');
    assert.equal(nav((await app.get('', DEMO_USER)).html), 'Home Users');
    assert.equal(nav((await app.get('', ANONYMOUS)).html), 'Home');
  });

  it('the user page posts username, address, the password with @confirm@password, and roles for admins', async () => {
    const form = formWith((await app.get('user3', ADMIN)).html, 'username');
    assert.deepEqual(fieldNames(form), [
      'username', 'address', 'password', '@confirm@password', 'roles', 'alternate_addresses', '@template', '@required', '@csrf', '@action', '@lastactivity', 'submit_button',
    ]);
    assert.equal(hiddenValue(form, '@required'), 'username,address');
    const posted = await app.post('user3', [['address', 'demo@example.org'], ['username', 'demo'], ['@action', 'edit'], ['@csrf', '0'], ['@required', 'username,address']], ADMIN);
    assert.equal(posted.status, 302);
    const db = await app.tracker.open({ userid: '1' }, { checked: false });
    assert.equal(await db.getclass('user').get(DEMO_USER, 'address'), 'demo@example.org');
    await db.close();
  });

  it('the registration form posts the minimal user fields and the opaqueregister timestamp', async () => {
    const form = formWith((await app.get('user?@template=register', ANONYMOUS)).html, 'username');
    assert.deepEqual(fieldNames(form), ['username', 'address', 'password', '@confirm@password', 'alternate_addresses', '@template', '@required', '@action', 'opaqueregister', '@csrf']);
    assert.equal(hiddenValue(form, '@action'), 'register');
  });
});
