import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScript } from '../../support/scripts.js';
import type { GatewayTracker } from '../gateway/gateway-fixtures.js';
import { freePort, MAIL_PASSWORD, MAIL_USER, useDovecot } from './dovecot-server.js';
import { batchMessages, batchTitles, newIssueTitles, runMailgw, sourceTracker } from './source-fixtures.js';

/** Login lines of Dovecot's log for a protocol, e.g. "method=CRAM-MD5". */
function loginMethods(log: string, service: 'imap' | 'pop3'): string[] {
  return [...log.matchAll(new RegExp(`${service}-login: Info: Login: user=<${MAIL_USER}>, method=([\\w-]+)`, 'g'))].map((m) => m[1]!);
}

describe('roundup-mailgw imap, imaps, imaps_cram against a real Dovecot', function () {
  const dovecot = useDovecot();
  let t: GatewayTracker | null = null;
  afterEach(async () => {
    await t?.cleanup();
    t = null;
  });

  const env = () => ({ NODE_EXTRA_CA_CERTS: dovecot().caFile });
  const account = (port: number) => `${MAIL_USER}:${MAIL_PASSWORD}@127.0.0.1:${port}`;

  it('imap: handles every message of INBOX in order, then expunges them', async () => {
    t = await sourceTracker();
    await dovecot().deliver(batchMessages(3));
    assert.deepEqual(await runMailgw([t.home, 'imap', account(dovecot().imapPort)], { env: env() }), { status: 0, signal: null, stdout: '', stderr: '' });
    assert.deepEqual(await newIssueTitles(t), batchTitles(3));
    assert.deepEqual(await dovecot().messages(), []);
    assert.equal(loginMethods(dovecot().log(), 'imap').at(-2), 'PLAIN');
    await t.read(async (db) => assert.equal(await db.getclass('msg').get('31', 'messageid'), '<batch-1@client.example>'));
  });

  it('imaps: reads the named mailbox over TLS and leaves INBOX alone', async () => {
    t = await sourceTracker();
    await dovecot().deliver(batchMessages(1), 'INBOX');
    await dovecot().deliver(batchMessages(2), 'Tracker');
    const run = await runMailgw([t.home, 'imaps', account(dovecot().imapsPort), 'Tracker'], { env: env() });
    assert.deepEqual(run, { status: 0, signal: null, stdout: '', stderr: '' });
    assert.deepEqual(await newIssueTitles(t), batchTitles(2));
    assert.deepEqual(await dovecot().messages('Tracker'), []);
    assert.deepEqual((await dovecot().messages('INBOX')).map((m) => m.subject), ['[issue] batch message 1']);
    assert.match(dovecot().log(), /imap-login: Info: Login: user=<tracker>, method=PLAIN, rip=127\.0\.0\.1, lip=127\.0\.0\.1, mpid=\d+, TLS/);
  });

  it('imaps refuses a server whose certificate it cannot verify', async () => {
    t = await sourceTracker();
    await dovecot().deliver(batchMessages(1), 'Unverified');
    const run = await runMailgw([t.home, 'imaps', account(dovecot().imapsPort), 'Unverified']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^roundup-mailgw: cannot connect to the IMAP server 127\.0\.0\.1:\d+: .*self[- ]signed certificate/);
    assert.deepEqual(await newIssueTitles(t), []);
    assert.equal((await dovecot().messages('Unverified')).length, 1);
  });

  it('imaps_cram logs in with CRAM-MD5', async () => {
    t = await sourceTracker();
    await dovecot().deliver(batchMessages(2), 'Cram');
    assert.deepEqual(await runMailgw([t.home, 'imaps_cram', account(dovecot().imapsPort), 'Cram'], { env: env() }), { status: 0, signal: null, stdout: '', stderr: '' });
    assert.deepEqual(await newIssueTitles(t), batchTitles(2));
    assert.deepEqual(await dovecot().messages('Cram'), []);
    assert.ok(loginMethods(dovecot().log(), 'imap').includes('CRAM-MD5'));
  });

  it('a wrong password, a missing mailbox and a closed port exit 1 and touch nothing', async () => {
    t = await sourceTracker();
    await dovecot().deliver(batchMessages(1), 'Kept');
    const wrong = await runMailgw([t.home, 'imap', `${MAIL_USER}:wrong@127.0.0.1:${dovecot().imapPort}`, 'Kept']);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /^roundup-mailgw: IMAP login failure for tracker at 127\.0\.0\.1:\d+: /);
    const cram = await runMailgw([t.home, 'imaps_cram', `${MAIL_USER}:wrong@127.0.0.1:${dovecot().imapsPort}`, 'Kept'], { env: env() });
    assert.equal(cram.status, 1);
    assert.match(cram.stderr, /^roundup-mailgw: IMAP login failure for tracker/);
    const missing = await runMailgw([t.home, 'imap', account(dovecot().imapPort), 'NoSuchBox']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^roundup-mailgw: Failed to get mailbox "NoSuchBox": /);
    const closed = await runMailgw([t.home, 'imap', account(await freePort())]);
    assert.equal(closed.status, 1);
    assert.match(closed.stderr, /^roundup-mailgw: cannot connect to the IMAP server 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    assert.deepEqual(await newIssueTitles(t), []);
    assert.equal((await dovecot().messages('Kept')).length, 1);
  });

  it('takes the user and password from ~/.netrc when only the server is given, or asks for the password', async () => {
    t = await sourceTracker();
    const home = mkdtempSync(join(tmpdir(), 'rup-netrc-'));
    try {
      writeFileSync(join(home, '.netrc'), `machine 127.0.0.1:${dovecot().imapPort} login ${MAIL_USER} password ${MAIL_PASSWORD}\n`);
      chmodSync(join(home, '.netrc'), 0o600);
      await dovecot().deliver(batchMessages(1), 'Netrc');
      assert.deepEqual(await runMailgw([t.home, 'imap', `127.0.0.1:${dovecot().imapPort}`, 'Netrc'], { env: { HOME: home } }), { status: 0, signal: null, stdout: '', stderr: '' });
      await dovecot().deliver(batchMessages(2).slice(1), 'Netrc');
      const asked = await runMailgw([t.home, 'imap', `${MAIL_USER}@127.0.0.1:${dovecot().imapPort}`, 'Netrc'], { input: `${MAIL_PASSWORD}\n` });
      assert.deepEqual(asked, { status: 0, signal: null, stdout: '', stderr: 'Password: ' });
      assert.deepEqual(await newIssueTitles(t), batchTitles(2));
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('stops at a message that cannot be handled now (database locked): exit 75, it and the rest stay; the next run handles them', async () => {
    t = await sourceTracker({ rdbms_sqlite_timeout: '1' });
    await dovecot().deliver(batchMessages(3), 'Locked');
    const holder = startScript('hold-write-lock', [t.home, 'held by another process']);
    try {
      await holder.waitForLine('locked');
      const locked = await runMailgw([t.home, 'imap', account(dovecot().imapPort), 'Locked']);
      assert.equal(locked.status, 75);
      assert.match(locked.stderr, /the database is locked by another process/);
      assert.equal((await dovecot().messages('Locked')).length, 3);
      holder.send('commit');
      await holder.finished;
    } finally {
      holder.stop();
    }
    assert.deepEqual(await runMailgw([t.home, 'imap', account(dovecot().imapPort), 'Locked']), { status: 0, signal: null, stdout: '', stderr: '' });
    assert.deepEqual(await newIssueTitles(t), ['held by another process', ...batchTitles(3)]);
    assert.deepEqual(await dovecot().messages('Locked'), []);
  });
});
