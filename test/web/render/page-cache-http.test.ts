import assert from 'node:assert/strict';
import { type TestTracker, createTestTracker } from '../../support/trackers.js';
import { type Browser, type ServedTracker, csrfOf, errorsOf, send, serveTracker, userOf } from '../app-harness.js';

/**
 * The page cache as a browser meets it: a page fetched again by the same
 * user costs a statement or two (the data version, a logged-in user's id)
 * and carries fresh CSRF
 * tokens; any change to the data, by any connection, shows at once.
 */
describe('web/render/page-cache over HTTP', function () {
  this.timeout(60000);
  let tt: TestTracker;
  let served: ServedTracker;
  let mary: Browser;

  before(async () => {
    tt = await createTestTracker();
    const setup = await tt.tracker.open({ userid: '1' }, { checked: false });
    await setup.getclass('user').create({ username: 'mary', password: 'mary-pw', roles: 'User' });
    await setup.getclass('issue').create({ title: 'first title' });
    await setup.commit();
    await setup.close();
    served = await serveTracker(tt.tracker);
    mary = served.browser();
    assert.equal((await mary.login('mary', 'mary-pw')).status, 302);
  });
  after(async () => {
    await served?.close();
    await tt?.cleanup();
  });

  /** A GET by `who` with the number of statements the tracker database ran for it. */
  async function counted(who: Browser | null, path: string): Promise<{ status: number; body: string; statements: number }> {
    const before = tt.tracker.storage.backend.statements;
    const res = who ? await who.get(path) : await send(served.port, 'GET', `/demo/${path}`);
    return { status: res.status, body: res.body, statements: tt.tracker.storage.backend.statements - before };
  }
  const withoutTokens = (html: string) => html.replace(/name="@csrf" value="[^"]*"/g, '');

  async function retitle(title: string): Promise<void> {
    const db = await tt.tracker.open({ userid: '1' }, { checked: false });
    await db.getclass('issue').set('1', { title });
    await db.commit();
    await db.close();
  }

  it('serves the same page again from two statements, with new tokens that each work once', async () => {
    const first = await counted(mary, 'issue1');
    const second = await counted(mary, 'issue1');
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.ok(first.statements > 1);
    assert.equal(second.statements, 2, "only the data version and the logged-in user's id were read");
    await counted(null, 'issue1');
    assert.equal((await counted(null, 'issue1')).statements, 1, 'anonymous: only the data version');
    assert.equal(withoutTokens(second.body), withoutTokens(first.body));
    const [a, b] = [csrfOf(first.body)!, csrfOf(second.body)!];
    assert.notEqual(a, b);
    for (const [token, title] of [[a, 'set with the first page'], [b, 'set with the second page']] as const) {
      const r = await mary.post('issue1', { '@action': 'edit', title, '@csrf': token });
      assert.equal(r.status, 302, errorsOf(r.body).join());
    }
    const replay = await mary.post('issue1', { '@action': 'edit', title: 'replayed', '@csrf': b });
    assert.equal(replay.status, 400);
    assert.match((await counted(mary, 'issue1')).body, /set with the second page/);
  });

  it('shows a change committed by another connection on the next request', async () => {
    await counted(mary, 'issue1');
    await retitle('changed elsewhere');
    const after = await counted(mary, 'issue1');
    assert.ok(after.statements > 1);
    assert.match(after.body, /changed elsewhere/);
  });

  it('keeps pages per user', async () => {
    const asMary = await counted(mary, 'issue?@columns=id,title');
    const anonymous = await counted(null, 'issue?@columns=id,title');
    assert.equal(userOf(asMary.body), 'mary');
    assert.equal(userOf(anonymous.body), 'anonymous');
    assert.ok(anonymous.statements > 1, 'anonymous did not get the page kept for mary');
    const token = csrfOf(anonymous.body);
    assert.ok(token !== undefined && !token.includes('rupcsrf'), 'the login form carries a real token');
  });

  it('does not keep a page that depends on the moment (the registration form\'s timestamp)', async () => {
    const stamp = (html: string) => /name="opaqueregister" value="([^"]*)"/.exec(html)?.[1];
    const first = await counted(null, 'user?@template=register');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = await counted(null, 'user?@template=register');
    assert.equal(again.status, 200);
    assert.ok(stamp(first.body));
    assert.notEqual(stamp(again.body), stamp(first.body), 'rendered anew, with the time of this request');
  });

  it('keeps nothing for a request with an action or a token, nor an error page', async () => {
    await counted(mary, 'issue?@action=search&title=x');
    assert.ok((await counted(mary, 'issue?@action=search&title=x')).statements > 1);
    const missing = await counted(mary, 'issue999');
    assert.equal(missing.status, 404);
    assert.ok((await counted(mary, 'issue999')).statements > 1);
  });
});
