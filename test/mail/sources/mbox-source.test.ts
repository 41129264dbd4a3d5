import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mboxEntry, splitMbox } from '../../../lib/mail/sources/mbox-format.js';
import { freePort } from './dovecot-server.js';
import { setTrackerOption } from './tracker-options.js';
import type { GatewayTracker } from '../gateway/gateway-fixtures.js';
import { batchMessages, batchTitles, newIssueTitles, runMailgw, sourceTracker } from './source-fixtures.js';

describe('roundup-mailgw mailbox', () => {
  let t: GatewayTracker | null = null;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rup-mbox-'));
  });
  afterEach(async () => {
    await t?.cleanup();
    t = null;
    rmSync(dir, { recursive: true, force: true });
  });

  const ok = { status: 0, signal: null, stdout: '', stderr: '' };
  const mbox = (messages: Buffer[]) => Buffer.concat(messages.map((m, i) => mboxEntry(m, 'alice@example.com', new Date(Date.UTC(2026, 2, 2, 10, i)))));

  it('handles every message in order, empties the file in place (same inode and mode) and releases the lock', async () => {
    t = await sourceTracker();
    const file = join(dir, 'tracker.mbox');
    writeFileSync(file, mbox(batchMessages(3)));
    chmodSync(file, 0o640);
    const before = statSync(file);
    assert.deepEqual(await runMailgw([t.home, 'mailbox', file]), ok);
    assert.deepEqual(await newIssueTitles(t), batchTitles(3));
    const after = statSync(file);
    assert.deepEqual([after.size, after.ino, after.mode & 0o777], [0, before.ino, 0o640]);
    assert.equal(existsSync(`${file}.lock`), false);
    assert.deepEqual(await runMailgw([t.home, 'mailbox', file]), ok, 'an empty mailbox is fine');
  });

  it('reads ">From " quoting and stores the body unquoted', async () => {
    t = await sourceTracker();
    const file = join(dir, 'quoted.mbox');
    const raw = Buffer.from('From: alice@example.com\nSubject: [issue] quoting\n\nFirst line\nFrom the start of a line\n>From quoted already\n');
    writeFileSync(file, mboxEntry(raw));
    assert.match(readFileSync(file, 'latin1'), /\n>From the start of a line\n>>From quoted already\n/);
    assert.deepEqual(await runMailgw([t.home, 'mailbox', file]), ok);
    await t.read(async (db) => assert.equal(await db.getclass('msg').get('31', 'content'), 'First line\nFrom the start of a line\n>From quoted already'));
  });

  it('waits for a dotlock held by another process and fails with exit 1 when it stays; a stale lock is taken over', async () => {
    t = await sourceTracker();
    const file = join(dir, 'locked.mbox');
    writeFileSync(file, mbox(batchMessages(1)));
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    // A lock file naming a live process (this test's) stays.
    writeFileSync(`${file}.lock`, `${process.pid}\n`);
    const locked = await runMailgw([t.home, 'mailbox', file]);
    assert.equal(locked.status, 1);
    assert.match(locked.stderr, /^roundup-mailgw: .*locked\.mbox is locked by another process \(lock file .*locked\.mbox\.lock\)\n$/);
    assert.deepEqual(await newIssueTitles(t), []);
    // One naming a process that is gone is stale.
    writeFileSync(`${file}.lock`, `${gone}\n`);
    assert.deepEqual(await runMailgw([t.home, 'mailbox', file]), ok);
    assert.deepEqual(await newIssueTitles(t), batchTitles(1));
  });

  it('stops at a message that cannot be handled now: exit 75, the handled ones are removed, it and the rest stay byte for byte', async () => {
    t = await sourceTracker();
    const file = join(dir, 'tempfail.mbox');
    const messages = batchMessages(3);
    // The second message needs a bounce (unknown class), and the SMTP server for it is down.
    messages[1] = Buffer.from(messages[1]!.toString('latin1').replace('[issue] batch message 2', '[nosuchclass] batch message 2'), 'latin1');
    const data = mbox(messages);
    writeFileSync(file, data);
    setTrackerOption(t.home, 'mail', 'debug', '');
    setTrackerOption(t.home, 'mail', 'host', '127.0.0.1');
    setTrackerOption(t.home, 'mail', 'port', String(await freePort()));
    const stopped = await runMailgw([t.home, 'mailbox', file]);
    assert.equal(stopped.status, 75);
    assert.match(stopped.stderr, /^roundup-mailgw: temporary failure, the message was not stored; it stays in the source for the next run: the message could not be stored \(/);
    assert.match(stopped.stderr, /\nroundup-mailgw: stopped at a message that could not be handled now; it and the messages after it stay in the mailbox source for the next run\n$/);
    assert.deepEqual(await newIssueTitles(t), batchTitles(1));
    const entries = splitMbox(data);
    assert.ok(readFileSync(file).equals(data.subarray(entries[1]!.start)), 'the rest of the file, unchanged');
  });

  it('a file that is not a mailbox, or is missing, exits 1 and is left alone', async () => {
    t = await sourceTracker();
    const file = join(dir, 'not.mbox');
    writeFileSync(file, 'Subject: hello\n\nnot a mailbox\n');
    const bad = await runMailgw([t.home, 'mailbox', file]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /is not a Unix mailbox: it does not start with a "From " line\n$/);
    assert.equal(readFileSync(file, 'utf8'), 'Subject: hello\n\nnot a mailbox\n');
    const missing = await runMailgw([t.home, 'mailbox', join(dir, 'missing.mbox')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^roundup-mailgw: cannot open the mailbox .*missing\.mbox: ENOENT/);
  });
});
