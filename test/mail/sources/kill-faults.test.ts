import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mboxEntry } from '../../../lib/mail/sources/mbox-format.js';
import type { GatewayTracker } from '../gateway/gateway-fixtures.js';
import { MAIL_PASSWORD, MAIL_USER, useDovecot } from './dovecot-server.js';
import { batchMessages, batchTitles, newIssueTitles, runMailgw, sourceTracker } from './source-fixtures.js';

/*
 * roundup-mailgw killed (SIGKILL, through the RUP_MAILGW_TEST_KILL hook)
 * in the middle of a batch, right after the third message's changes were
 * committed ("handled") or right after that was journalled ("recorded"),
 * and then run again: every message ends up stored exactly once and the
 * source ends up empty. The third message has no Message-Id, so the run
 * after the kill must recognise it by the one the batch gave it.
 */
const COUNT = 5;
const messages = () => batchMessages(COUNT, [3]);
const POINTS = ['handled', 'recorded'] as const;

async function killThenRerun(t: GatewayTracker, args: string[], env: NodeJS.ProcessEnv, point: string): Promise<void> {
  const killed = await runMailgw(args, { env: { ...env, RUP_MAILGW_TEST_KILL: `3:${point}` } });
  assert.deepEqual([killed.status, killed.signal, killed.stderr], [null, 'SIGKILL', '']);
  assert.deepEqual(await newIssueTitles(t), batchTitles(3), 'three stored before the kill');
  assert.deepEqual(await runMailgw(args, { env }), { status: 0, signal: null, stdout: '', stderr: '' });
  assert.deepEqual(await newIssueTitles(t), batchTitles(COUNT), 'each message stored once');
  await t.read(async (db) => {
    const msgs = (await db.getclass('msg').getnodeids()).filter((id) => Number(id) > 30);
    assert.equal(msgs.length, COUNT);
    assert.match((await db.getclass('msg').get('33', 'messageid')) as string, /^<mailgw\.[0-9a-f]{32}@example\.com>$/);
  });
}

describe('roundup-mailgw killed in the middle of a batch loses no message and duplicates none', () => {
  let t: GatewayTracker | null = null;
  afterEach(async () => {
    await t?.cleanup();
    t = null;
  });

  describe('mailbox', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'rup-mbox-kill-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    for (const point of POINTS) {
      it(`killed after the third message was ${point}`, async () => {
        t = await sourceTracker();
        const file = join(dir, `${point}.mbox`);
        writeFileSync(file, Buffer.concat(messages().map((m, i) => mboxEntry(m, 'alice@example.com', new Date(Date.UTC(2026, 2, 2, 10, i))))));
        await killThenRerun(t, [t.home, 'mailbox', file], {}, point);
        assert.equal(readFileSync(file).length, 0);
      });
    }
  });

  describe('IMAP and POP (Dovecot)', () => {
    const dovecot = useDovecot();

    for (const point of POINTS) {
      it(`imap killed after the third message was ${point}`, async () => {
        t = await sourceTracker();
        const mailbox = `Kill-${point}`;
        await dovecot().deliver(messages(), mailbox);
        await killThenRerun(t, [t.home, 'imap', `${MAIL_USER}:${MAIL_PASSWORD}@127.0.0.1:${dovecot().imapPort}`, mailbox], {}, point);
        assert.deepEqual(await dovecot().messages(mailbox), []);
      });

      it(`pop killed after the third message was ${point}`, async () => {
        t = await sourceTracker();
        await dovecot().deliver(messages());
        await killThenRerun(t, [t.home, 'pop', `${MAIL_USER}:${MAIL_PASSWORD}@127.0.0.1:${dovecot().pop3Port}`], {}, point);
        assert.deepEqual(await dovecot().messages(), []);
      });
    }
  });
});
