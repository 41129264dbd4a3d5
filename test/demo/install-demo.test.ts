import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RefusedNuke, installDemo, isTrackerHome } from '../../lib/demo/install-demo.js';
import { verifyPassword } from '../../lib/hyperdb/password.js';
import { loadTrackerConfig } from '../../lib/tracker/config.js';
import { Tracker } from '../../lib/tracker/tracker.js';
import { freePort, occupy, release } from './demo-fixtures.js';

/** The users of a demo home: username → { roles, realname, password hash }. */
async function demoUsers(home: string): Promise<Map<string, Record<string, unknown>>> {
  const tracker = await Tracker.open(home);
  try {
    const db = await tracker.open({ userid: '1' }, { checked: false });
    try {
      const users = db.getclass('user');
      const out = new Map<string, Record<string, unknown>>();
      for (const id of await users.list()) {
        const node: Record<string, unknown> = await users.getnode(id);
        out.set(node.username as string, node);
      }
      return out;
    } finally {
      await db.close();
    }
  } finally {
    await tracker.close();
  }
}

describe('installing a demo tracker', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rup-demo-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a classic demo: URL with the probed port, instant registration, no nosy mail, admin/admin and demo/demo', async () => {
    const home = join(dir, 'demo');
    const start = await freePort();
    const lines: string[] = [];
    const url = await installDemo({ home, template: 'classic', backend: 'sqlite', port: start, log: (l) => lines.push(l) });
    assert.equal(url, `http://localhost:${start}/demo/`);
    assert.deepEqual(lines, [`Trying to set up web server on port ${start} ... should be ok.`]);
    const config = loadTrackerConfig(home);
    assert.equal(config.TRACKER_WEB, url);
    assert.equal(config.INSTANT_REGISTRATION, true);
    assert.equal(config.WEB_DEBUG, true);
    assert.equal(config.MAIL_DOMAIN, 'localhost');
    assert.equal(config.RDBMS_BACKEND, 'sqlite');
    assert.equal(existsSync(join(home, 'detectors', 'nosyreaction.js')), false);
    assert.equal(existsSync(join(home, 'detectors', 'userauditor.js')), true);
    assert.match(readFileSync(join(home, 'TEMPLATE-INFO.txt'), 'utf8'), /^Name: classic-demo$/m);

    const users = await demoUsers(home);
    assert.deepEqual([...users.keys()].sort(), ['admin', 'anonymous', 'demo']);
    const demo = users.get('demo')!;
    assert.equal(demo.roles, 'User');
    assert.equal(demo.realname, 'Demo User');
    assert.equal((await verifyPassword(demo.password as string, 'demo')).ok, true);
    assert.equal((await verifyPassword(users.get('admin')!.password as string, 'admin')).ok, true);
  });

  it('creates a minimal demo whose demo user has no realname', async () => {
    const home = join(dir, 'demo');
    await installDemo({ home, template: 'minimal', backend: 'sqlite', port: await freePort() });
    const demo = (await demoUsers(home)).get('demo')!;
    assert.equal(demo.roles, 'User');
    assert.equal('realname' in demo, false);
  });

  it('uses the hostname given in the tracker URL', async () => {
    const home = join(dir, 'demo');
    const port = await freePort();
    assert.equal(await installDemo({ home, template: 'minimal', backend: 'sqlite', hostname: '127.0.0.1', port }), `http://127.0.0.1:${port}/demo/`);
  });

  it('probes from 8917 by default and skips it while it is taken', async () => {
    const taken = await occupy(8917);
    const lines: string[] = [];
    try {
      const url = await installDemo({ home: join(dir, 'demo'), template: 'minimal', backend: 'sqlite', log: (l) => lines.push(l) });
      const port = Number(new URL(url).port);
      assert.equal(lines[0], 'Trying to set up web server on port 8917 ... already in use.');
      assert.ok(port > 8917 && (port - 8917) % 100 === 0, url);
    } finally {
      await release(taken);
    }
  });

  it('nuking replaces an existing demo and its data', async () => {
    const home = join(dir, 'demo');
    await installDemo({ home, template: 'classic', backend: 'sqlite', port: await freePort() });
    const tracker = await Tracker.open(home);
    const db = await tracker.open({ userid: '1' }, { checked: false });
    await db.getclass('user').create({ username: 'leftover' });
    await db.commit();
    await db.close();
    await tracker.close();
    writeFileSync(join(home, 'extensions', 'stale.js'), 'export function init() {}\n');

    const lines: string[] = [];
    await installDemo({ home, template: 'minimal', backend: 'sqlite', port: await freePort(), log: (l) => lines.push(l) });
    assert.equal(lines[0], 'Nuking directory left from the previous demo instance.');
    assert.deepEqual([...(await demoUsers(home)).keys()].sort(), ['admin', 'anonymous', 'demo']);
    assert.equal(existsSync(join(home, 'extensions', 'stale.js')), false);
    assert.match(readFileSync(join(home, 'TEMPLATE-INFO.txt'), 'utf8'), /^Name: minimal-demo$/m);
  });

  it('refuses to nuke a directory that is not a tracker and leaves it alone', async () => {
    const home = join(dir, 'precious');
    mkdirSync(home);
    writeFileSync(join(home, 'thesis.txt'), 'years of work');
    await assert.rejects(installDemo({ home, template: 'classic', backend: 'sqlite', port: await freePort() }), (err: unknown) => {
      assert.ok(err instanceof RefusedNuke);
      assert.equal(err.code, 'RUP_ERR_TRACKER');
      assert.equal(err.message, `Error: Refusing to nuke non-tracker directory:\n    ${home}`);
      return true;
    });
    assert.equal(readFileSync(join(home, 'thesis.txt'), 'utf8'), 'years of work');
    assert.equal(isTrackerHome(home), false);
  });

  it('uses an existing empty directory', async () => {
    const home = join(dir, 'empty');
    mkdirSync(home);
    await installDemo({ home, template: 'minimal', backend: 'sqlite', port: await freePort() });
    assert.equal(isTrackerHome(home), true);
  });
});
