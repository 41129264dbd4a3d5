import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DemoIO, demoMain } from '../../lib/demo/demo-command.js';
import type { RunningDemo } from '../../lib/demo/run-demo.js';
import { formWith, hiddenValue, notices } from '../web/templates/page-html.js';
import { freePort } from './demo-fixtures.js';

interface Reply {
  status: number;
  location: string | undefined;
  cookies: string[];
  body: string;
}

/**
 * The demo as a person meets it: `roundup-demo` on the classic template
 * and SQLite, served by the real web interface, a browser logging in as
 * demo/demo (or admin/admin) and creating an issue.
 */
describe('roundup-demo: the demo tracker in a browser', function () {
  this.timeout(60000);
  let dir: string;
  let demo: RunningDemo;
  let port: number;
  let host: string;
  const out: string[] = [];

  /** One request the way a browser on the demo's URL makes it (Host localhost:port). */
  function send(method: string, path: string, options: { cookie?: string; form?: Array<[string, string]> } = {}): Promise<Reply> {
    const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
    const headers: Record<string, string> = { Host: host };
    if (options.cookie) headers.Cookie = options.cookie;
    if (body !== undefined) {
      Object.assign(headers, {
        'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Length': String(Buffer.byteLength(body)),
        Origin: `http://${host}`,
        Referer: `http://${host}${path}`,
      });
    }
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, headers, setHost: false }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location, cookies: res.headers['set-cookie'] ?? [], body: text }));
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** Submits the page's form that has these fields, with the values given (its hidden fields as the page holds them). */
  async function submit(path: string, cookie: string | undefined, fields: string[], values: Record<string, string>): Promise<Reply> {
    const page = await send('GET', path, { cookie });
    assert.equal(page.status, 200, path);
    const form = formWith(page.body, ...fields);
    const hidden = form.controls.filter((c) => c.name === 'input' && c.attrs.type === 'hidden' && c.attrs.name);
    const pairs: Array<[string, string]> = hidden.map((c) => [c.attrs.name!, values[c.attrs.name!] ?? c.attrs.value ?? '']);
    // A select sends the option chosen by its label in `values`, else its selected option, else its first one.
    const chosenSelects = new Set<string>();
    for (const m of form.html.matchAll(/<select[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
      const name = m[1]!;
      const options = [...m[2]!.matchAll(/<option([^>]*)>([^<]*)<\/option>/g)].map((o) => ({
        value: /value="([^"]*)"/.exec(o[1]!)?.[1] ?? '',
        label: o[2]!,
        selected: /\bselected\b/.test(o[1]!),
      }));
      const chosen = name in values ? options.find((o) => o.label === values[name]) : (options.find((o) => o.selected) ?? options[0]);
      if (chosen) pairs.push([name, chosen.value]);
      if (name in values) chosenSelects.add(name);
    }
    for (const [name, value] of Object.entries(values)) if (!chosenSelects.has(name) && !pairs.some(([n]) => n === name)) pairs.push([name, value]);
    assert.ok(hiddenValue(form, '@csrf'), 'the form carries a CSRF token');
    return send('POST', new URL(form.attrs.action!, `http://${host}${path}`).pathname, { cookie, form: pairs });
  }

  async function logIn(username: string, password: string): Promise<string> {
    const res = await submit('/demo/', undefined, ['__login_name', '__login_password'], { __login_name: username, __login_password: password });
    assert.equal(res.status, 302, res.body);
    const cookie = res.cookies.find((c) => c.startsWith('roundup_session_'))?.split(';')[0];
    assert.ok(cookie, 'a session cookie');
    return cookie;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rup-demo-web-'));
    port = await freePort();
    host = `localhost:${port}`;
    const io: DemoIO = { out: (line) => out.push(line), ask: async () => null, script: 'roundup-demo', usage: '' };
    demo = await demoMain({ directory: join(dir, 'demo'), template: 'classic', backend: 'sqlite', hostname: 'localhost', bindAddress: '127.0.0.1', port, nuke: false }, io);
  });
  after(async () => {
    await demo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the URL and the demo and admin logins', () => {
    const text = out.join('\n');
    assert.match(text, new RegExp(`Server running - connect to:\\n {4}http://localhost:${port}/demo/\\n`));
    assert.match(text, /1\. Log in as "demo"\/"demo" or "admin"\/"admin"\./);
  });

  it('logs in as demo and creates an issue that is stored as theirs', async () => {
    const cookie = await logIn('demo', 'demo');
    const home = await send('GET', '/demo/', { cookie });
    assert.equal(home.status, 200);
    assert.match(home.body, /Account: <\/span>demo<\/summary>/);

    const created = await submit('/demo/issue?@template=item', cookie, ['title', '@csrf'], { title: 'Demo issue from a browser', priority: 'bug', '@note': 'It works.' });
    assert.equal(created.status, 302, created.body);
    const location = new URL(created.location!);
    assert.match(location.pathname, /^\/demo\/issue\d+$/);
    const page = await send('GET', `${location.pathname}${location.search}`, { cookie });
    assert.equal(page.status, 200);
    assert.match(page.body, /Demo issue from a browser/);
    assert.equal(notices(page.body).ok.length, 1);

    const db = await demo.tracker.open({ userid: '1' }, { checked: false });
    try {
      const issues = db.getclass('issue');
      const id = location.pathname.slice('/demo/issue'.length);
      assert.equal(await issues.get(id, 'title'), 'Demo issue from a browser');
      const demoUser = await db.getclass('user').lookup('demo');
      assert.equal(await issues.get(id, 'creator'), demoUser);
      const [msg] = (await issues.get(id, 'messages')) as string[];
      assert.equal(await db.getclass('msg').get(msg!, 'content'), 'It works.');
      assert.equal(await issues.get(id, 'priority'), await db.getclass('priority').lookup('bug'));
    } finally {
      await db.close();
    }
  });

  it('logs in as admin/admin, and refuses a wrong password', async () => {
    const cookie = await logIn('admin', 'admin');
    assert.match((await send('GET', '/demo/user', { cookie })).body, /Account: <\/span>admin<\/summary>/);
    const wrong = await submit('/demo/', undefined, ['__login_name'], { __login_name: 'demo', __login_password: 'not-demo' });
    assert.equal(wrong.status, 302);
    assert.match(wrong.location!, /%40error_message=Invalid\+login/);
    assert.deepEqual(wrong.cookies, []);
  });
});
