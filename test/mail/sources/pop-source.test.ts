import assert from 'node:assert/strict';
import type { GatewayTracker } from '../gateway/gateway-fixtures.js';
import { MAIL_PASSWORD, MAIL_USER, useDovecot } from './dovecot-server.js';
import { batchMessages, batchTitles, newIssueTitles, runMailgw, sourceTracker } from './source-fixtures.js';

function popLogins(log: string): string[] {
  return [...log.matchAll(/pop3-login: Info: Login: user=<tracker>, method=([\w-]+), rip=127\.0\.0\.1, lip=127\.0\.0\.1, mpid=\d+, (\w+)/g)].map((m) => `${m[1]} ${m[2]}`);
}

describe('roundup-mailgw pop, pops, apop against a real Dovecot', function () {
  const dovecot = useDovecot();
  let t: GatewayTracker | null = null;
  afterEach(async () => {
    await t?.cleanup();
    t = null;
  });

  const account = (port: number, password = MAIL_PASSWORD) => `${MAIL_USER}:${password}@127.0.0.1:${port}`;
  const ok = { status: 0, signal: null, stdout: '', stderr: '' };

  it('pop (USER/PASS), pops (TLS) and apop (APOP digest) each handle every message in order and delete them', async () => {
    t = await sourceTracker();
    const env = { NODE_EXTRA_CA_CERTS: dovecot().caFile };
    const messages = batchMessages(6);
    await dovecot().deliver(messages.slice(0, 2));
    assert.deepEqual(await runMailgw([t.home, 'pop', account(dovecot().pop3Port)]), ok);
    assert.deepEqual(await dovecot().messages(), []);
    await dovecot().deliver(messages.slice(2, 4));
    assert.deepEqual(await runMailgw([t.home, 'pops', account(dovecot().pop3sPort)], { env }), ok);
    assert.deepEqual(await dovecot().messages(), []);
    await dovecot().deliver(messages.slice(4));
    assert.deepEqual(await runMailgw([t.home, 'apop', account(dovecot().pop3Port)]), ok);
    assert.deepEqual(await dovecot().messages(), []);
    assert.deepEqual(await newIssueTitles(t), batchTitles(6));
    assert.deepEqual(popLogins(dovecot().log()), ['PLAIN secured', 'PLAIN TLS', 'APOP secured']);
  });

  it('a refused password exits 1 and deletes nothing', async () => {
    t = await sourceTracker();
    await dovecot().deliver(batchMessages(1));
    for (const source of ['pop', 'apop']) {
      const run = await runMailgw([t.home, source, account(dovecot().pop3Port, 'wrong')]);
      assert.equal(run.status, 1, source);
      assert.match(run.stderr, new RegExp(`^roundup-mailgw: the POP server answered ${source === 'pop' ? 'PASS' : 'APOP'} with: `));
    }
    assert.equal((await dovecot().messages()).length, 1);
    assert.deepEqual(await newIssueTitles(t), []);
    assert.deepEqual(await runMailgw([t.home, 'pop', account(dovecot().pop3Port)]), ok);
    assert.deepEqual(await newIssueTitles(t), batchTitles(1));
  });
});
