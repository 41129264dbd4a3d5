import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { GatewayResult } from '../../../lib/mail/gateway/gateway.js';
import { type RunningScript, startScript } from '../../support/scripts.js';
import { type TestSmtpServer, startSmtpServer } from '../smtp-test-server.js';
import { type GatewayTracker, bodyText, fixtureMail, importedTracker } from './gateway-fixtures.js';

const NEW_ISSUE = fixtureMail('01-new-plain.eml');
const UNKNOWN_SENDER = fixtureMail('06-unknown-sender.eml');

function reason(result: GatewayResult): string {
  assert.equal(result.outcome, 'tempfail', JSON.stringify(result));
  return (result as { reason: string }).reason;
}

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('mail gateway: faults never lose a message', () => {
  let t: GatewayTracker;
  let holder: RunningScript | null = null;
  let smtp: TestSmtpServer | null = null;
  afterEach(async () => {
    holder?.stop();
    holder = null;
    await smtp?.close();
    smtp = null;
    await t?.cleanup();
  });

  const counts = () =>
    t.read(async (db) => ({
      issues: (await db.getclass('issue').getnodeids()).length,
      msgs: (await db.getclass('msg').getnodeids()).length,
      files: (await db.getclass('file').getnodeids()).length,
    }));

  it('a database locked by another process past sqlite_timeout is a temporary failure with nothing stored; a retry succeeds', async () => {
    t = await importedTracker('sqlite', { rdbms_sqlite_timeout: '1' });
    holder = startScript('hold-write-lock', [t.home, 'held by another process']);
    await holder.waitForLine('locked');
    assert.match(reason(await t.process(NEW_ISSUE)), /the database is locked by another process/);
    assert.deepEqual(await counts(), { issues: 12, msgs: 30, files: 7 });
    assert.deepEqual(await t.sent(), []);
    holder.send('commit');
    assert.equal((await holder.finished).status, 0);
    const retry = await t.process(NEW_ISSUE);
    assert.deepEqual(retry.outcome === 'stored' && [retry.action, retry.itemid, retry.msgid], ['created', '14', '31']);
    assert.deepEqual(await counts(), { issues: 14, msgs: 31, files: 7 });
  });

  it('a full disk while storing file content is a temporary failure with nothing stored; a retry succeeds', async () => {
    t = await importedTracker();
    const content = join(t.home, 'db', 'files', 'msg', '0', 'msg31');
    mkdirSync(join(t.home, 'db', 'files', 'msg', '0'), { recursive: true });
    symlinkSync('/dev/full', content);
    assert.match(reason(await t.process(NEW_ISSUE)), /cannot store file content: ENOSPC/);
    assert.deepEqual(await counts(), { issues: 12, msgs: 30, files: 7 });
    rmSync(content, { force: true });
    assert.equal((await t.process(NEW_ISSUE)).outcome, 'stored');
    await t.read(async (db) => assert.match((await db.getclass('msg').get('31', 'content')) as string, /^The printer jams/));
  });

  it('an SMTP server that cannot be reached for a needed bounce is a temporary failure', async () => {
    t = await importedTracker();
    t.tracker.config.set('mail', 'debug', '');
    t.tracker.config.set('mail', 'host', '127.0.0.1');
    t.tracker.config.set('mail', 'port', String(await closedPort()));
    assert.match(reason(await t.process(UNKNOWN_SENDER)), /^the message could not be stored \(You are not a registered user[\s\S]*\) and the bounce could not be sent: Error: couldn't send email: mailhost 127\.0\.0\.1: /);
  });

  it('an SMTP server refusing the bounce (for now, or for good) is a temporary failure; one accepting it gets the bounce', async () => {
    t = await importedTracker();
    t.tracker.config.set('mail', 'debug', '');
    t.tracker.config.set('mail', 'host', '127.0.0.1');
    for (const code of [451, 550]) {
      smtp = await startSmtpServer({ rejectWith: code });
      t.tracker.config.set('mail', 'port', String(smtp.port));
      assert.match(reason(await t.process(UNKNOWN_SENDER)), new RegExp(`couldn't send email: .*${code}`));
      await smtp.close();
      smtp = null;
    }
    smtp = await startSmtpServer();
    t.tracker.config.set('mail', 'port', String(smtp.port));
    assert.equal((await t.process(UNKNOWN_SENDER)).outcome, 'bounced');
    assert.deepEqual(smtp.received.map((m) => [m.from, m.to]), [['roundup-admin@example.com', ['stranger@elsewhere.test']]]);
  });

  it('stores a huge attachment whole', async () => {
    t = await importedTracker();
    const bytes = randomBytes(12 * 1024 * 1024);
    const raw = Buffer.from(
      'From: alice@example.com\nTo: issue_tracker@example.com\nSubject: [issue1] big log\nContent-Type: multipart/mixed; boundary="B"\n\n' +
        '--B\nContent-Type: text/plain\n\nHere it is.\n' +
        `--B\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="big.bin"\nContent-Transfer-Encoding: base64\n\n${bytes.toString('base64').replace(/.{76}/g, '$&\n')}\n--B--\n`,
    );
    const result = await t.process(raw);
    assert.deepEqual(result.outcome === 'stored' && result.fileids, ['8']);
    const stored = await t.read(async (db) => (await db.getclass('file').get('8', 'binary_content')) as Buffer);
    assert.equal(stored.length, bytes.length);
    assert.equal(createHash('sha256').update(stored).digest('hex'), createHash('sha256').update(bytes).digest('hex'));
  });

  it('stores malformed MIME it can read: no closing boundary, broken base64', async () => {
    t = await importedTracker();
    const noClose = Buffer.concat([Buffer.from('From: alice@example.com\n'), fixtureMail('08-no-from-broken-mime.eml')]);
    const first = await t.process(noClose);
    assert.equal(first.outcome, 'stored');
    await t.read(async (db) => assert.equal(await db.getclass('msg').get((first as { msgid: string }).msgid, 'content'), 'no closing boundary and no sender'));
    const badBase64 = Buffer.from('From: alice@example.com\nSubject: [issue1] x\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\naGVsbG8g!!d29y*bGQ=\n');
    const second = await t.process(badBase64);
    await t.read(async (db) => assert.equal(await db.getclass('msg').get((second as { msgid: string }).msgid, 'content'), 'hello world'));
  });

  it('bounces MIME without any readable part, an unknown charset, an unknown class and an unknown property with clear texts', async () => {
    t = await importedTracker();
    const cases: Array<[string, string, RegExp]> = [
      ['Subject: [issue1] x\nContent-Type: multipart/mixed; boundary="NEVER"\n', 'text without parts\n', /^\n\nRoundup requires the submission to be plain text\./],
      ['Subject: [issue1] x\nContent-Type: text/plain; charset="x-klingon"\n', "qapla'\n", /^\n\nThe text of your message is in the character set "x-klingon", which this\ntracker does not know\./],
      ['Subject: [bogus1] x\n', 'text\n', /^\n\nThe message you sent to roundup did not contain a properly formed subject/],
      ['Subject: [issue1] x [colour=red]\n', 'text\n', /^\n\nThere were problems handling your subject line argument list:\n- 'colour' is not a property of issue\n/],
    ];
    for (const [headers, body, expected] of cases) {
      const result = await t.process(Buffer.from(`From: alice@example.com\nTo: issue_tracker@example.com\n${headers}\n${body}`));
      assert.equal(result.outcome, 'bounced', headers);
      assert.match(bodyText((await t.sent()).at(-1)!), expected);
    }
    assert.deepEqual(await counts(), { issues: 12, msgs: 30, files: 7 });
  });
});
