import assert from 'node:assert/strict';
import { DEMO_USER, type TemplateApp, startTemplateApp } from './template-app.js';
import { fieldNames, formWith, forms, heading, hiddenValue, notices, plainText, tags, unlabelledControls } from './page-html.js';

/**
 * The classic template's pages, rendered by the real request handler:
 * what each shows, the form fields it posts (Roundup's names), labels on
 * every control, messages, and forms that work when posted as a browser
 * would post them.
 */

const ADMIN = '1';
const ANONYMOUS = null;
const OPEN_ISSUES =
  'issue?@columns=id,activity,title,creator,assignedto,status&@sort=-activity&@group=priority&@filter=status&status=-1,1,2,3,4,5,6,7&@dispname=Open%20issues';

/** [path, user, status, heading] of every page of the classic template. */
const PAGES: ReadonlyArray<readonly [string, string | null, number, string]> = [
  ['', ANONYMOUS, 200, 'Welcome'],
  ['', ADMIN, 200, 'Hello, admin'],
  ['', DEMO_USER, 200, 'Hello, demo'],
  ['home?@template=classlist', ADMIN, 200, 'Classes'],
  ['issue', DEMO_USER, 200, 'Issues'],
  ['issue', ANONYMOUS, 200, 'Issues'],
  [OPEN_ISSUES, DEMO_USER, 200, 'Issues – Open issues'],
  ['issue?@template=search', DEMO_USER, 200, 'Search issues'],
  ['issue?@template=item', DEMO_USER, 200, 'New issue'],
  ['issue?@template=item', ANONYMOUS, 200, 'New issue'],
  ['issue3', DEMO_USER, 200, 'Issue number 3 #3'],
  ['issue3', ANONYMOUS, 200, 'Issue number 3 #3'],
  ['msg', DEMO_USER, 200, 'Messages'],
  ['msg2', DEMO_USER, 200, 'Message 2'],
  ['file', DEMO_USER, 200, 'Files'],
  ['file?@template=item', DEMO_USER, 200, 'New file'],
  ['user', ADMIN, 200, 'Users'],
  ['user3', DEMO_USER, 200, 'demo'],
  ['user?@template=item', ADMIN, 200, 'New user'],
  ['user?@template=register', ANONYMOUS, 200, 'Register with Roundup issue tracker'],
  ['user?@template=forgotten', ANONYMOUS, 200, 'Forgotten your password?'],
  ['user?@template=rego_progress', ANONYMOUS, 200, 'Check your e-mail'],
  ['query?@template=edit', DEMO_USER, 200, 'Your queries'],
  ['keyword', DEMO_USER, 200, 'Keywords'],
  ['keyword?@template=item', DEMO_USER, 200, 'New keyword'],
  ['status', DEMO_USER, 200, 'Statuses'],
  ['status1', DEMO_USER, 200, 'unread status1'],
  ['priority', DEMO_USER, 200, 'Priorities'],
  ['priority3', ADMIN, 200, 'bug priority3'],
  ['user1', ANONYMOUS, 403, 'Welcome'],
];

const who = (userid: string | null) => (userid === null ? 'anonymous' : userid === ADMIN ? 'admin' : 'demo');

describe('classic templates: pages', function () {
  this.timeout(60000);
  let app: TemplateApp;

  before(async () => {
    app = await startTemplateApp('classic', 60);
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

  it('pages hold no inline script or style, and link the stylesheet and script by @@file/', async () => {
    const page = await app.get('issue3', DEMO_USER);
    const scripts = tags(page.html, ['script']);
    assert.deepEqual(
      scripts.map((s) => s.attrs.src),
      [`${app.base}@@file/tracker.js`],
    );
    assert.deepEqual(
      tags(page.html, ['link']).map((l) => [l.attrs.rel, l.attrs.href]),
      [
        ['icon', `${app.base}@@file/favicon.svg`],
        ['stylesheet', `${app.base}@@file/style.css`],
      ],
    );
    assert.doesNotMatch(page.html, /<style|\sstyle="|\son[a-z]+="/i);
    const css = await fetch(`${app.base}@@file/style.css`);
    assert.equal(css.status, 200);
    assert.match(await css.text(), /prefers-color-scheme: dark/);
  });

  it('the anonymous home page has the login form with Roundup\'s fields, and no login menu in the header', async () => {
    const page = await app.get('', ANONYMOUS);
    const login = formWith(page.html, '__login_name');
    assert.equal(login.attrs.method, 'post');
    assert.equal(login.attrs.action, app.base);
    assert.deepEqual(fieldNames(login), ['__login_name', '__login_password', 'remember', '@action', '__came_from', '@csrf']);
    assert.equal(hiddenValue(login, '@action'), 'login');
    assert.equal(hiddenValue(login, '@csrf'), '0');
    assert.equal(hiddenValue(login, '__came_from'), `${app.base}?@template=home&@pagesize=50&@startwith=0`);
    assert.equal(forms(page.html).filter((f) => fieldNames(f).includes('__login_name')).length, 1);
    assert.match(page.html, /href="[^"]*user\?@template=register">Register an account/);
  });

  it('other pages offer anonymous visitors the login menu in the header, coming back to the page', async () => {
    const page = await app.get('issue3', ANONYMOUS);
    const login = formWith(page.html, '__login_name', '__login_password');
    assert.equal(hiddenValue(login, '__came_from'), `${app.base}issue3?@template=item&@pagesize=50&@startwith=0`);
    assert.match(page.html, /<details class="menu" id="login-menu">/);
    assert.match(page.html, /Log in to comment on this issue or change it\./);
    assert.equal(forms(page.html).some((f) => fieldNames(f).includes('@note')), false);
  });

  it('a logged-in user gets their menu (issues, details, queries, log out) and the navigation', async () => {
    const db = await app.tracker.open({ userid: DEMO_USER }, { checked: false });
    const query = await db.getclass('query').create({ klass: 'issue', name: 'Mine & open', url: '@columns=id,title&@filter=status&status=1', private_for: DEMO_USER });
    await db.getclass('user').set(DEMO_USER, { queries: [query] });
    await db.commit();
    await db.close();
    const page = await app.get('', DEMO_USER);
    const menu = /<details class="menu" id="user-menu">([\s\S]*?)<\/details>/.exec(page.html)![1]!;
    assert.deepEqual(
      tags(menu, ['a']).map((a) => a.attrs.href),
      [
        `${app.base}issue?@columns=id,activity,title,creator,status&@sort=-activity&@group=priority&@filter=status,assignedto&status=-1,1,2,3,4,5,6,7&assignedto=${DEMO_USER}&@dispname=Your%20issues`,
        `${app.base}user${DEMO_USER}`,
        `${app.base}issue?@columns=id,title&@filter=status&status=1&@dispname=Mine%20%26%20open`,
        `${app.base}query?@template=edit`,
        `${app.base}?@action=logout`,
      ],
    );
    const nav = /<nav class="main-nav"[\s\S]*?<\/nav>/.exec(page.html)![0];
    assert.deepEqual(plainText(nav), 'Issues New issue Search Keywords');
    const adminNav = /<nav class="main-nav"[\s\S]*?<\/nav>/.exec((await app.get('', ADMIN)).html)![0];
    assert.deepEqual(plainText(adminNav), 'Issues New issue Search Keywords Users Classes');
  });

  it('the issue index shows 50 rows grouped by priority, sorted by activity, with paging and CSV links', async () => {
    const page = await app.get(OPEN_ISSUES, DEMO_USER);
    // Issues with status 8 (resolved) are left out: 60 issues, every eighth resolved.
    const rows = [...page.html.matchAll(/<td class="col-id" data-label="ID"><a href="[^"]*issue(\d+)">/g)];
    assert.equal(rows.length, 50);
    assert.match(page.html, /<p class="muted" id="result-count">\s*53 issues\s*<\/p>/);
    assert.deepEqual(
      [...page.html.matchAll(/<th scope="rowgroup"[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]),
      ['Priority: critical', 'Priority: urgent', 'Priority: bug', 'Priority: feature', 'Priority: wish'],
    );
    assert.match(page.html, /<th scope="col" aria-sort="descending"><a href="[^"]*@sort=activity&amp;@startwith=0[^"]*">Activity<\/a><\/th>/);
    assert.match(page.html, /<span class="count">1&ndash;50 of 53<\/span>/);
    const next = tags(page.html, ['a']).find((a) => a.attrs.rel === 'next')!;
    assert.match(next.attrs.href!, /@startwith=50&@pagesize=50&@dispname=Open%20issues/);
    const csv = tags(page.html, ['a']).find((a) => a.attrs.download === 'issues.csv')!;
    assert.match(decodeURIComponent(csv.attrs.href!), /^http:\/\/127\.0\.0\.1:\d+\/demo\/issue\?@action=export_csv&@columns=id,activity,title,creator,assignedto,status&/);
    const exported = await app.get(csv.attrs.href!.slice(app.base.length), DEMO_USER);
    assert.equal(exported.status, 200);
    assert.equal(exported.html.split('\r\n')[0], '"id","activity","title","creator","assignedto","status"');
  });

  it('the issue index costs the same number of SQL statements for 50 rows as for 5', async () => {
    const count = async (pagesize: number) => {
      const before = app.tracker.storage.backend.statements;
      const page = await app.get(`${OPEN_ISSUES}&@pagesize=${pagesize}`, DEMO_USER);
      assert.equal(page.status, 200);
      return app.tracker.storage.backend.statements - before;
    };
    // The first requests fill the tracker's caches (key lookups); then the count stays put.
    await count(5);
    await count(50);
    assert.equal(await count(50), await count(5));
  });

  it('the new-issue form posts Roundup\'s fields, and creates the issue with its description and attachment', async () => {
    const page = await app.get('issue?@template=item', DEMO_USER);
    const form = formWith(page.html, 'title', '@note');
    assert.equal(form.attrs.enctype, 'multipart/form-data');
    assert.equal(form.attrs.action, `${app.base}issue`);
    assert.deepEqual(fieldNames(form), ['title', 'status', 'priority', 'assignedto', 'keyword', 'nosy', 'superseder', '@note', '@file', '@template', '@required', '@csrf', '@action', 'submit_button']);
    assert.equal(hiddenValue(form, '@action'), 'new');
    assert.equal(hiddenValue(form, '@required'), 'title,priority');
    assert.equal(tags(form.html, ['input']).find((i) => i.attrs.name === '@file')!.attrs.multiple, '');

    const posted = await app.post(
      'issue',
      [
        ['title', 'Printer on fire'],
        ['priority', '3'],
        ['status', '-1'],
        ['@note', 'It smokes.'],
        ['@template', hiddenValue(form, '@template')!],
        ['@required', hiddenValue(form, '@required')!],
        ['@csrf', hiddenValue(form, '@csrf')!],
        ['@action', hiddenValue(form, '@action')!],
      ],
      DEMO_USER,
      [['@file', 'smoke.txt', 'text/plain', 'lots of smoke']],
    );
    assert.equal(posted.status, 302);
    const id = /\/demo\/issue(\d+)\?@ok_message=/.exec(posted.location!)![1]!;
    const db = await app.tracker.open({ userid: '1' }, { checked: false });
    const issue = await db.getclass('issue').getnode(id);
    assert.equal(issue.title, 'Printer on fire');
    assert.equal(issue.priority, '3');
    const [msg] = issue.messages as string[];
    assert.equal(await db.getclass('msg').get(msg!, 'content'), 'It smokes.');
    const [file] = issue.files as string[];
    assert.equal(await db.getclass('file').get(file!, 'name'), 'smoke.txt');
    assert.equal(await db.getclass('file').get(file!, 'content'), 'lots of smoke');
    await db.close();

    const shown = await app.get(posted.location!.slice(app.base.length), DEMO_USER);
    assert.deepEqual(notices(shown.html).ok, [`file 1 created msg 61 created issue ${id} created`]);
    assert.match(shown.html, /<a href="[^"]*file\d+\/smoke\.txt">smoke\.txt<\/a>/);
    assert.match(shown.html, /<div class="message-body">It smokes\.<\/div>/);
  });

  it('the issue page\'s form comments and changes the status, with the edit-collision field', async () => {
    const page = await app.get('issue4', DEMO_USER);
    const form = formWith(page.html, '@note', 'status');
    assert.equal(form.attrs.action, `${app.base}issue4`);
    assert.equal(hiddenValue(form, '@action'), 'edit');
    assert.match(hiddenValue(form, '@lastactivity')!, /^\d{4}-\d\d-\d\d\.\d\d:\d\d:\d\d(\.\d+)?$/);
    const fields: Array<[string, string]> = form.controls
      .filter((c) => c.name === 'input' && c.attrs.type === 'hidden')
      .map((c) => [c.attrs.name!, c.attrs.value!]);
    const posted = await app.post('issue4', [...fields, ['title', 'Issue number 4'], ['priority', '5'], ['status', '2'], ['@note', 'Working on it.']], DEMO_USER);
    assert.equal(posted.status, 302);
    assert.match(posted.location!, /\/demo\/issue4\?@ok_message=msg%2062%20created%0Aissue%204%20status%2C%20messages%20edited%20ok&@template=item$/);
    const db = await app.tracker.open({ userid: '1' }, { checked: false });
    const issue = await db.getclass('issue').getnode('4');
    assert.equal(issue.status, '2');
    assert.equal((issue.messages as string[]).length, 2);
    await db.close();
    const shown = await app.get('issue4', DEMO_USER);
    assert.match(shown.html, /<option value="2" selected>deferred<\/option>/);
    assert.match(shown.html, /Messages <span class="muted">\(2, newest first\)<\/span>/);
  });

  it('a message is removed with the Remove button of the thread form (@remove@messages)', async () => {
    const page = await app.get('issue5', DEMO_USER);
    const thread = forms(page.html).find((f) => f.attrs.class === 'thread-form')!;
    const button = thread.controls.find((c) => c.attrs.name === '@remove@messages')!;
    assert.equal(button.attrs.value, '5');
    assert.equal(button.attrs['data-confirm'], 'Remove this message from the issue?');
    const posted = await app.post(
      'issue5',
      [
        ['@action', hiddenValue(thread, '@action')!],
        ['@csrf', hiddenValue(thread, '@csrf')!],
        ['@remove@messages', button.attrs.value!],
      ],
      DEMO_USER,
    );
    assert.equal(posted.status, 302);
    const db = await app.tracker.open({ userid: '1' }, { checked: false });
    assert.deepEqual(await db.getclass('issue').get('5', 'messages'), []);
    await db.close();
  });

  it('a form error is shown as an alert and the page keeps what the user typed', async () => {
    const posted = await app.post(
      'issue',
      [
        ['title', ''],
        ['@note', 'Text I typed'],
        ['@required', 'title,priority'],
        ['@template', 'item'],
        ['@action', 'new'],
        ['@csrf', '0'],
      ],
      DEMO_USER,
    );
    assert.equal(posted.status, 400);
    assert.deepEqual(notices(posted.html).error, ['Error: Required issue properties title, priority not supplied']);
    assert.match(posted.html, /<div class="notice notice-error error-summary" role="alert" id="page-errors" tabindex="-1">/);
    assert.match(posted.html, /<form [^>]*id="issue-form" class="card" aria-describedby="page-errors">/);
    assert.match(posted.html, /<textarea id="note" name="@note"[^>]*>Text I typed<\/textarea>/);
  });

  it('@ok_message and @error_message are shown escaped, as status and alert', async () => {
    const page = await app.get('issue3?@ok_message=Saved%20<b>it</b>&@error_message=Bad%20%26%20wrong', DEMO_USER);
    assert.deepEqual(notices(page.html), { ok: ['Saved <b>it</b>'], error: ['Bad & wrong'] });
    assert.match(page.html, /<p>Saved &lt;b&gt;it&lt;\/b&gt;<\/p>/);
  });

  it('the search form posts Roundup\'s index fields and its search lands on the index', async () => {
    const page = await app.get('issue?@template=search', DEMO_USER);
    const form = formWith(page.html, '@search_text', '@queryname');
    assert.equal(form.attrs.method, 'get');
    assert.deepEqual(fieldNames(form), [
      '@search_text', 'title', 'id', 'status', 'priority', 'keyword', 'assignedto', 'creator', 'actor', 'creation', 'activity',
      '@columns', '@sort', '@sortdir', '@group', '@groupdir', '@pagesize', '@queryname', '@old-queryname', '@action',
    ]);
    assert.equal(hiddenValue(form, '@action'), 'search');
    assert.match(form.html, /<option value="-1,1,2,3,4,5,6,7">not resolved<\/option>/);
    const query = new URLSearchParams([
      ['title', 'number 1'], ['status', ''], ['@columns', 'id'], ['@columns', 'title'], ['@sort', 'id'], ['@group', ''], ['@pagesize', '50'], ['@queryname', ''], ['@action', 'search'],
    ]);
    const searched = await app.get(`issue?${query}`, DEMO_USER);
    assert.equal(searched.status, 302);
    const index = await app.get(searched.location!.slice(app.base.length), DEMO_USER);
    const titles = [...index.html.matchAll(/<td class="col-title" data-label="Title"><a [^>]*>([^<]*)<\/a>/g)].map((m) => m[1]);
    assert.deepEqual(titles, ['Issue number 1', 'Issue number 10', 'Issue number 11', 'Issue number 12', 'Issue number 13', 'Issue number 14', 'Issue number 15', 'Issue number 16', 'Issue number 17', 'Issue number 18', 'Issue number 19']);
  });

  it('the registration form posts the user fields with @confirm@password and the opaqueregister timestamp', async () => {
    const page = await app.get('user?@template=register', ANONYMOUS);
    const form = formWith(page.html, 'username', 'opaqueregister');
    assert.equal(form.attrs.action, `${app.base}user`);
    assert.deepEqual(fieldNames(form), [
      'username', 'password', '@confirm@password', 'address', 'realname', 'phone', 'organisation', 'alternate_addresses',
      '@template', '@required', '@action', 'opaqueregister', '@csrf',
    ]);
    assert.equal(hiddenValue(form, '@action'), 'register');
    assert.equal(hiddenValue(form, '@required'), 'username,password,address');
    assert.equal(hiddenValue(form, '@template'), 'register');
    assert.match(hiddenValue(form, 'opaqueregister')!, /^\S+$/);
  });

  it('the forgotten-password page has one form by address and one by login name (@action=passrst)', async () => {
    const page = await app.get('user?@template=forgotten', ANONYMOUS);
    const pageForms = forms(page.html).filter((f) => hiddenValue(f, '@action') === 'passrst');
    assert.deepEqual(pageForms.map(fieldNames), [
      ['address', '@action', '@template', '@csrf'],
      ['username', '@action', '@template', '@csrf'],
    ]);
    assert.deepEqual(pageForms.map((f) => [f.attrs.method, f.attrs.action, hiddenValue(f, '@template')]), [
      ['post', `${app.base}user`, 'forgotten'],
      ['post', `${app.base}user`, 'forgotten'],
    ]);
  });

  it('the user page edits the password with @confirm@password and @required=username,address', async () => {
    const page = await app.get('user3', DEMO_USER);
    const form = formWith(page.html, 'username', 'password');
    assert.deepEqual(fieldNames(form), [
      'realname', 'username', 'password', '@confirm@password', 'address', 'phone', 'organisation', 'timezone', 'alternate_addresses',
      '@template', '@required', '@csrf', '@action', '@lastactivity', 'submit_button',
    ]);
    const admin = formWith((await app.get('user3', ADMIN)).html, 'roles');
    assert.equal(tags(admin.html, ['input']).find((i) => i.attrs.name === 'roles')!.attrs.value, 'User');
  });

  it('"Your queries" changes several queries in one edit form and deletes with retire forms', async () => {
    const page = await app.get('query?@template=edit', DEMO_USER);
    const form = formWith(page.html, `user${DEMO_USER}@remove@queries`);
    assert.equal(form.attrs.action, `${app.base}query`);
    assert.equal(hiddenValue(form, '@action'), 'edit');
    assert.equal(hiddenValue(form, '@template'), 'edit');
    assert.deepEqual(fieldNames(form), ['@action', '@template', '@csrf', 'query1@private_for', `user${DEMO_USER}@remove@queries`]);
    const retire = forms(page.html).find((f) => f.attrs.id === 'retire-query1')!;
    assert.deepEqual([retire.attrs.action, hiddenValue(retire, '@action'), hiddenValue(retire, '@template')], [`${app.base}query1`, 'retire', 'edit']);
    assert.match(page.html, /<button [^>]*type="submit" form="retire-query1"/);

    const posted = await app.post('query', [['@action', 'edit'], ['@template', 'edit'], ['@csrf', '0'], ['query1@private_for', '-1']], DEMO_USER);
    assert.equal(posted.status, 302);
    const db = await app.tracker.open({ userid: '1' }, { checked: false });
    assert.equal(await db.getclass('query').get('1', 'private_for'), null);
    await db.close();
  });

  it('the user list shows retire buttons (POST @action=retire) to administrators only', async () => {
    const admin = await app.get('user?@sort=username', ADMIN);
    const retire = forms(admin.html).filter((f) => hiddenValue(f, '@action') === 'retire');
    assert.deepEqual(retire.map((f) => f.attrs.action), [`${app.base}user${DEMO_USER}`]);
    assert.equal(hiddenValue(retire[0]!, '@template'), 'index');
    const demo = await app.get('user', DEMO_USER);
    assert.equal(forms(demo.html).some((f) => hiddenValue(f, '@action') === 'retire'), false);
  });

  it('keyword, status and priority pages list the items in order and edit name (and order)', async () => {
    const statuses = await app.get('status', DEMO_USER);
    assert.deepEqual(
      [...statuses.html.matchAll(/<td class="col-title" data-label="Name"><a [^>]*>([^<]*)<\/a><\/td>\s*<td data-label="Order">(\d+)<\/td>/g)].map((m) => `${m[1]}=${m[2]}`),
      ['unread=1', 'deferred=2', 'chatting=3', 'need-eg=4', 'in-progress=5', 'testing=6', 'done-cbb=7', 'resolved=8'],
    );
    const priority = await app.get('priority3', ADMIN);
    const form = formWith(priority.html, 'name', 'order');
    assert.deepEqual(fieldNames(form), ['name', 'order', '@required', '@template', '@csrf', '@action', '@lastactivity', 'submit_button']);
    const keyword = await app.get('keyword?@template=item', DEMO_USER);
    const create = formWith(keyword.html, 'name');
    assert.equal(create.attrs.action, `${app.base}keyword`);
    assert.equal(hiddenValue(create, '@action'), 'new');
  });
});
