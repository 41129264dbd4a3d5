import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GatewayTracker } from '../gateway/gateway-fixtures.js';
import { LAUNCHER, newIssueTitles, sourceTracker } from './source-fixtures.js';

/*
 * One message through a real mail transfer agent: a private Postfix
 * (Debian's postfix; its own config, queue and data directories in a
 * temporary folder, no network listener at all) whose alias file pipes
 * `tracker@localhost` into `roundup-mailgw <home>`, as an administrator
 * sets it up. The message is submitted with Postfix's own `sendmail -C`,
 * and the test waits until it is an issue of the tracker. Postfix runs
 * alias commands as `default_privs` (nobody), so the tracker home is
 * given to nobody.
 */

const POSTFIX = '/usr/sbin/postfix';
const SENDMAIL = '/usr/sbin/sendmail';

function unavailable(): string | null {
  if (!existsSync(POSTFIX) || !existsSync(SENDMAIL)) return `${POSTFIX} is not installed (Debian package postfix)`;
  if (process.getuid?.() !== 0) return 'a private Postfix instance needs root (as in CI); this test run is not root';
  return null;
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) chownTree(join(path, entry), uid, gid);
}

const MASTER_CF = `pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000    0       flush
proxymap  unix  -       -       n       -       -       proxymap
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
showq     unix  n       -       n       -       -       showq
postlog   unix-dgram n  -       n       -       1       postlogd
`;

describe('a message delivered by a real Postfix through an alias pipe into roundup-mailgw', function () {
  let dir: string;
  let etc: string;
  let t: GatewayTracker | null = null;
  let started = false;

  before(function () {
    const reason = unavailable();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
  });
  after(async () => {
    if (started) {
      spawnSync(POSTFIX, ['-c', etc, 'stop'], { stdio: 'ignore' });
      // Postfix's master removes its pid file when it has stopped.
      for (let i = 0; i < 100 && existsSync(join(dir, 'queue', 'pid', 'master.pid')); i++) await sleep(100);
    }
    await t?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lands as an issue of the tracker', async () => {
    t = await sourceTracker();
    const nobody = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }));
    const nogroup = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }));
    chownTree(t.home, nobody, nogroup);
    dir = mkdtempSync(join(tmpdir(), 'rup-postfix-'));
    execFileSync('chmod', ['755', dir]);
    etc = join(dir, 'etc');
    mkdirSync(etc);
    mkdirSync(join(dir, 'queue'));
    mkdirSync(join(dir, 'data'));
    chownSync(join(dir, 'data'), Number(execFileSync('id', ['-u', 'postfix'], { encoding: 'utf8' })), 0);
    writeFileSync(
      join(etc, 'main.cf'),
      [
        'compatibility_level = 3.6',
        `queue_directory = ${dir}/queue`,
        `data_directory = ${dir}/data`,
        'meta_directory = /etc/postfix',
        'myhostname = localhost',
        'mydomain = localdomain',
        'mydestination = localhost',
        'inet_interfaces = loopback-only',
        'inet_protocols = ipv4',
        `alias_maps = texthash:${etc}/aliases`,
        'alias_database =',
        'default_transport = error',
        'relay_transport = error',
        'default_privs = nobody',
        `maillog_file = ${dir}/maillog`,
        `maillog_file_prefixes = ${dir}`,
        `syslog_name = rup-postfix-test`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(etc, 'master.cf'), MASTER_CF);
    writeFileSync(join(etc, 'aliases'), `tracker "|${process.execPath} ${LAUNCHER} ${t.home}"\n`);
    const log = () => (existsSync(join(dir, 'maillog')) ? readFileSync(join(dir, 'maillog'), 'utf8') : '');
    const start = spawnSync(POSTFIX, ['-c', etc, 'start'], { encoding: 'utf8' });
    started = true;
    assert.equal(start.status, 0, `postfix start: ${start.stdout}${start.stderr}${log()}`);
    const message = 'From: Alice <alice@example.com>\nTo: tracker@localhost\nSubject: [issue] Delivered by Postfix\n\nThis came through the alias pipe.\n';
    const send = spawnSync(SENDMAIL, ['-C', etc, '-f', 'alice@example.com', 'tracker@localhost'], { input: message, encoding: 'utf8' });
    assert.equal(send.status, 0, `sendmail: ${send.stderr}`);
    // Readiness, not timing: wait until Postfix has delivered (or bounced) the message.
    for (let i = 0; i < 600 && !/status=(sent|bounced|deferred)/.test(log()); i++) await sleep(100);
    assert.match(log(), /to=<tracker@localhost>, relay=local, .*status=sent \(delivered to command: /, log());
    assert.deepEqual(await newIssueTitles(t), ['Delivered by Postfix']);
    await t.read(async (db) => {
      assert.equal(await db.getclass('msg').get('31', 'content'), 'This came through the alias pipe.');
      assert.equal(await db.getclass('msg').get('31', 'author'), '3');
    });
  });
});
