import assert from 'node:assert/strict';
import { isRupError } from '../../lib/errors.js';
import type { Tracker } from '../../lib/tracker/tracker.js';
import { createTrackerApp } from '../../lib/web/app.js';
import type { CsrfGuard } from '../../lib/web/web-hooks.js';
import type { ActionOutcome, WebRequest } from '../../lib/web/web-types.js';
import { type CoreServer, createIssues, startCoreServer } from './core-harness.js';

const ADMIN = { 'x-test-user': 'admin' };

async function titles(tracker: Tracker): Promise<string[]> {
  const db = await tracker.open({ userid: '1' }, { checked: false });
  try {
    const issues = db.getclass('issue');
    const out: string[] = [];
    for (const id of await issues.list()) out.push((await issues.get(id, 'title')) as string);
    return out;
  } finally {
    await db.close();
  }
}

function errorsOf(html: string): string[] {
  return [...html.matchAll(/<p class="error">([\s\S]*?)<\/p>/g)].map((m) => m[1]!);
}

describe('web/app: @action dispatch over HTTP', function () {
  let s: CoreServer;
  const seen: string[] = [];
  before(async () => {
    s = await startCoreServer({
      prepare: (tracker) => {
        tracker.extensions.registerAction('Ping', { changesData: false, run: async () => ({ kind: 'response', status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'pong' }) });
        tracker.extensions.registerAction('escape', {
          changesData: false,
          run: async (req: WebRequest): Promise<ActionOutcome> => ({ kind: 'redirect', location: req.form.get('to') ?? '' }),
        });
        tracker.extensions.registerAction('touch', async (req: WebRequest): Promise<ActionOutcome> => {
          seen.push(req.method);
          return { kind: 'redirect', location: `${req.baseUrl}?@ok_message=touched` };
        });
        tracker.extensions.registerAction(
          'classy',
          class {
            static changesData = false;
            async run(): Promise<ActionOutcome> {
              return { kind: 'response', status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'from a class' };
            }
          },
        );
      },
    });
    await createIssues(s.tracker, 2);
  });
  after(async () => s?.close());

  it('answers an unknown action with `No such action "x"` on the page (400), changing nothing', async () => {
    const r = await s.post('issue', { '@action': 'frobnicate', title: 'x' }, ADMIN);
    assert.equal(r.status, 400);
    assert.deepEqual(errorsOf(r.body), ['No such action &quot;frobnicate&quot;']);
    assert.deepEqual(await titles(s.tracker), ['issue number 1', 'issue number 2']);
  });

  it('refuses several @action values with "broken form: multiple @action values submitted" (400)', async () => {
    const r = await s.post('issue', { '@action': ['new', 'edit'], title: 'x' }, ADMIN);
    assert.equal(r.status, 400);
    assert.match(r.body, /broken form: multiple @action values submitted/);
    assert.deepEqual(await titles(s.tracker), ['issue number 1', 'issue number 2']);
  });

  it('finds actions whatever the case, in the :action spelling too', async () => {
    const r = await s.get('issue?:action=PING');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'pong');
    assert.equal(r.headers['content-type'], 'text/plain');
    assert.equal(r.headers['x-frame-options'], 'DENY');
  });

  it('runs an action that changes data only for POST: by GET it is "Invalid request" (400) and does not run', async () => {
    const r = await s.get('issue?@action=new&title=sneaky', ADMIN);
    assert.equal(r.status, 400);
    assert.deepEqual(errorsOf(r.body), ['Invalid request']);
    const touched = await s.get('?@action=touch', ADMIN);
    assert.equal(touched.status, 400);
    assert.deepEqual(seen, []);
    assert.deepEqual(await titles(s.tracker), ['issue number 1', 'issue number 2']);
  });

  it('runs a POSTed action, commits, and redirects (302) with @ok_message', async () => {
    const r = await s.post('issue', { '@action': 'new', title: 'Created over HTTP' }, ADMIN);
    assert.equal(r.status, 302);
    assert.equal(r.headers.location, 'http://tracker.example/demo/issue3?@ok_message=issue%203%20created&@template=index');
    assert.match(r.body, /^Redirecting to <a href="http:\/\/tracker.example\/demo\/issue3\?@ok_message=issue%203%20created&amp;@template=index">/);
    assert.deepEqual(await titles(s.tracker), ['issue number 1', 'issue number 2', 'Created over HTTP']);
    const touched = await s.post('', { '@action': 'touch' }, ADMIN);
    assert.equal(touched.status, 302);
    assert.deepEqual(seen, ['POST']);
  });

  it('re-renders the page with the action\'s error (400) and stores nothing when the form is wrong', async () => {
    const r = await s.post('issue1', { '@action': 'edit', priority: 'nosuchpriority' }, ADMIN);
    assert.equal(r.status, 400);
    assert.equal(errorsOf(r.body).length, 1);
    assert.match(errorsOf(r.body)[0]!, /nosuchpriority/);
    const db = await s.tracker.open({ userid: '1' }, { checked: false });
    assert.equal(await db.getclass('issue').get('1', 'priority'), null);
    await db.close();
  });

  it('answers a permission denial with 403 and the home page showing why, storing nothing', async () => {
    const r = await s.post('issue', { '@action': 'new', title: 'anonymous try' });
    assert.equal(r.status, 403);
    assert.match(r.body, /template=home.html/);
    assert.equal(errorsOf(r.body).length, 1);
    assert.match(errorsOf(r.body)[0]!, /permission/i);
    assert.deepEqual(await titles(s.tracker), ['issue number 1', 'issue number 2', 'Created over HTTP']);
  });

  it('uses what an action answers itself (CSV export)', async () => {
    const r = await s.get('issue?@action=export_csv&@columns=id,title&@sort=id', ADMIN);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/csv; charset=utf-8');
    assert.equal(r.body.split('\r\n')[1], '"1","issue number 1"');
  });

  it('accepts actions registered as classes', async () => {
    assert.equal((await s.get('?@action=classy')).body, 'from a class');
  });

  describe('redirects stay inside the tracker', () => {
    it('follows a redirect under the base URL, resolves a relative one against it', async () => {
      const inside = await s.get(`?@action=escape&to=${encodeURIComponent('http://tracker.example/demo/issue1?x=1')}`);
      assert.equal(inside.status, 302);
      assert.equal(inside.headers.location, 'http://tracker.example/demo/issue1?x=1');
      const relative = await s.get('?@action=escape&to=issue2');
      assert.equal(relative.headers.location, 'http://tracker.example/demo/issue2');
    });

    it('sends the user to the tracker home instead of anywhere else, and logs it', async () => {
      const outside = [
        'http://evil.example/',
        '//evil.example/x',
        '/\\evil.example',
        'https://tracker.example/demo/',
        'http://tracker.example/demoX',
        'http://tracker.example/other',
        '/other/path',
        '../other',
        'javascript:alert(1)',
        'http://tracker.example.evil.example/demo/',
        'http://tracker.example/demo/\r\nSet-Cookie: x=1',
      ];
      for (const to of outside) {
        const r = await s.get(`?@action=escape&to=${encodeURIComponent(to)}`);
        assert.equal(r.status, 302, to);
        assert.equal(r.headers.location, 'http://tracker.example/demo/', to);
      }
      assert.ok(s.logger.lines.some((l) => l.startsWith('warn: refused a redirect outside the tracker: "http://evil.example/"')));
    });

    it('keeps __redirect_to inside the tracker (the new action refuses others, storing nothing)', async () => {
      const r = await s.post('issue', { '@action': 'new', title: 'with redirect', __redirect_to: 'http://evil.example/' }, ADMIN);
      assert.equal(r.status, 400);
      assert.match(errorsOf(r.body)[0]!, /Net location in http:\/\/evil.example\/ does not match base: tracker.example/);
      assert.equal((await titles(s.tracker)).includes('with redirect'), false);
    });
  });
});

describe('web/app: the CSRF seam', function () {
  let s: CoreServer;
  let prepared = 0;
  let issued = 0;
  const guard: CsrfGuard = {
    async check(req) {
      if (req.method !== 'POST') return null;
      return req.form.get('@csrf') === 'good' ? null : { message: "We can't validate your session (csrf failure). Re-enter any unsaved data and try again." };
    },
    async prepare() {
      prepared++;
    },
    issue: () => {
      assert.ok(prepared > 0, 'a token issued before the guard was prepared');
      return `token${++issued}`;
    },
  };
  before(async () => {
    s = await startCoreServer({ app: { csrf: guard } });
    await createIssues(s.tracker, 1);
  });
  after(async () => s?.close());

  it('skips the action and shows the guard\'s message (400) when it refuses', async () => {
    const r = await s.post('issue', { '@action': 'new', title: 'forged', '@csrf': 'bad' }, ADMIN);
    assert.equal(r.status, 400);
    assert.deepEqual(errorsOf(r.body), ['We can&#39;t validate your session (csrf failure). Re-enter any unsaved data and try again.']);
    assert.deepEqual(await titles(s.tracker), ['issue number 1']);
  });

  it('runs the action when the guard agrees', async () => {
    const r = await s.post('issue', { '@action': 'new', title: 'genuine', '@csrf': 'good' }, ADMIN);
    assert.equal(r.status, 302);
    assert.deepEqual(await titles(s.tracker), ['issue number 1', 'genuine']);
  });

  it('prepares the guard, then puts its tokens in forms', async () => {
    prepared = 0;
    const r = await s.get('issue1', ADMIN);
    assert.equal(r.status, 200);
    const token = /<input type="hidden" name="@csrf" value="(token\d+)">/.exec(r.body)?.[1];
    assert.equal(token, `token${issued}`);
    assert.equal(prepared, 1);
  });
});

describe('web/app: anonymous users without Web Access', function () {
  let s: CoreServer;
  before(async () => {
    s = await startCoreServer({ schema: (text) => text.replace("security.addPermissionToRole('Anonymous', 'Web Access');", '') });
  });
  after(async () => s?.close());

  it('are refused every page (403) with "Anonymous users are not allowed to use the web interface"', async () => {
    for (const path of ['', 'issue', 'issue?@template=search']) {
      const r = await s.get(path);
      assert.equal(r.status, 403, path);
      assert.deepEqual(errorsOf(r.body), ['Anonymous users are not allowed to use the web interface'], path);
    }
  });

  it('may still log in and register, and see the registration page', async () => {
    // A login without a name: getting past the access check shows as the login action's own answer.
    const login = await s.post('', { '@action': 'login' });
    assert.equal(login.status, 400);
    assert.deepEqual(errorsOf(login.body), ['Username required']);
    const register = await s.get('user?@template=register');
    assert.notEqual(register.status, 403);
  });

  it('leaves logged-in users alone', async () => {
    assert.equal((await s.get('issue', ADMIN)).status, 200);
  });
});

describe('web/app: extension actions are checked when the app is created', () => {
  it('refuses something that is not an action, naming it', async () => {
    const s = await startCoreServer();
    try {
      s.tracker.extensions.registerAction('broken', 42);
      assert.throws(
        () => createTrackerApp(s.tracker),
        (err: unknown) => isRupError(err, 'RUP_ERR_PLUGIN') && err.message.startsWith('extension action "broken": register an object with run(req)'),
      );
    } finally {
      await s.close();
    }
  });
});
