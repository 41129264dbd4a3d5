import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { GatewayTracker } from '../gateway/gateway-fixtures.js';
import { type Dovecot, MAIL_USER, dovecotUnavailable, startDovecot } from './dovecot-server.js';
import { batchMessages, batchTitles, newIssueTitles, runMailgw, sourceTracker } from './source-fixtures.js';

/*
 * imaps_oauth against Dovecot's oauth2 passdb: a local HTTP server is both
 * the OAuth token endpoint roundup-mailgw renews its token at (-T) and
 * the introspection endpoint Dovecot asks whether a token is good. Only
 * the token the endpoint issued last is good.
 */

function body(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => resolve(new URLSearchParams(text)));
  });
}

describe('roundup-mailgw imaps_oauth against Dovecot with an OAuth token endpoint', function () {
  let dovecot: Dovecot;
  let http: Server;
  let base: string;
  let goodToken = 'issued-before';
  const refreshRequests: Array<Record<string, string>> = [];
  let t: GatewayTracker | null = null;

  before(async function () {
    const reason = dovecotUnavailable();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    let issued = 0;
    http = createServer(async (req, res) => {
      const form = await body(req);
      res.setHeader('content-type', 'application/json');
      if (req.url === '/introspect') {
        res.end(JSON.stringify(form.get('token') === goodToken ? { active: true, username: MAIL_USER } : { active: false }));
      } else if (req.url === '/token') {
        refreshRequests.push(Object.fromEntries(form));
        if (form.get('grant_type') === 'refresh_token' && form.get('client_id') === 'mailgw-client' && form.get('client_secret') === 'client-s3cret' && form.get('refresh_token') === `refresh-${issued}`) {
          issued++;
          goodToken = `access-${issued}`;
          res.end(JSON.stringify({ access_token: goodToken, refresh_token: `refresh-${issued}`, token_type: 'Bearer', expires_in: 3600 }));
        } else {
          res.statusCode = 400;
          res.end(JSON.stringify({ error: 'invalid_grant', error_description: 'refresh token not recognised' }));
        }
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    dovecot = await startDovecot({ oauth: { introspectionUrl: `${base}/introspect` } });
  });
  after(async () => {
    await dovecot?.stop();
    await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
  });
  afterEach(async () => {
    await t?.cleanup();
    t = null;
  });

  function tokenDir(home: string, refresh: string): string {
    const dir = join(home, 'oauth');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'access_token'), 'expired-token\n');
    writeFileSync(join(dir, 'refresh_token'), `${refresh}\n`);
    writeFileSync(join(dir, 'client_id'), 'mailgw-client\n');
    writeFileSync(join(dir, 'client_secret'), 'client-s3cret\n');
    return dir;
  }

  it('renews a refused access token with the refresh token, rewrites both token files, then reads the mailbox; a good token is used as it is', async () => {
    t = await sourceTracker();
    const dir = tokenDir(t.home, 'refresh-0');
    await dovecot.deliver(batchMessages(2), 'OAuth');
    const args = [t.home, '-T', `${base}/token`, 'imaps_oauth', `${MAIL_USER}@127.0.0.1:${dovecot.imapsPort}`, 'OAuth'];
    const env = { NODE_EXTRA_CA_CERTS: dovecot.caFile };
    assert.deepEqual(await runMailgw(args, { env }), { status: 0, signal: null, stdout: '', stderr: '' });
    assert.deepEqual(refreshRequests, [{ client_id: 'mailgw-client', client_secret: 'client-s3cret', refresh_token: 'refresh-0', grant_type: 'refresh_token' }]);
    assert.deepEqual([readFileSync(join(dir, 'access_token'), 'utf8'), readFileSync(join(dir, 'refresh_token'), 'utf8')], ['access-1\n', 'refresh-1\n']);
    assert.deepEqual(await newIssueTitles(t), batchTitles(2));
    assert.deepEqual(await dovecot.messages('OAuth'), []);
    assert.match(dovecot.log(), /imap-login: Info: Login: user=<tracker>, method=(XOAUTH2|OAUTHBEARER), rip=127\.0\.0\.1/);

    await dovecot.deliver(batchMessages(3).slice(2), 'OAuth');
    assert.deepEqual(await runMailgw(args, { env }), { status: 0, signal: null, stdout: '', stderr: '' });
    assert.equal(refreshRequests.length, 1, 'the good token was not renewed');
    assert.deepEqual(await newIssueTitles(t), batchTitles(3));
  });

  it('a refresh the endpoint refuses exits 1 naming the error, with the mailbox untouched; -O names another token directory', async () => {
    t = await sourceTracker();
    const dir = tokenDir(join(t.home, 'elsewhere'), 'revoked');
    await dovecot.deliver(batchMessages(1), 'Refused');
    const run = await runMailgw([t.home, '-O', dir, '-T', `${base}/token`, 'imaps_oauth', `${MAIL_USER}@127.0.0.1:${dovecot.imapsPort}`, 'Refused'], { env: { NODE_EXTRA_CA_CERTS: dovecot.caFile } });
    assert.equal(run.status, 1);
    assert.equal(run.stderr, `roundup-mailgw: the OAuth token endpoint ${base}/token gave no new access token (invalid_grant: refresh token not recognised)\n`);
    assert.equal(refreshRequests.at(-1)?.refresh_token, 'revoked');
    assert.equal(readFileSync(join(dir, 'access_token'), 'utf8'), 'expired-token\n');
    assert.deepEqual(await newIssueTitles(t), []);
    assert.equal((await dovecot.messages('Refused')).length, 1);
  });

  it('a token directory without its files exits 1 saying which file', async () => {
    t = await sourceTracker();
    const run = await runMailgw([t.home, 'imaps_oauth', `${MAIL_USER}@127.0.0.1:${dovecot.imapsPort}`], { env: { NODE_EXTRA_CA_CERTS: dovecot.caFile } });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^roundup-mailgw: cannot read the OAuth file .*\/oauth\/access_token: ENOENT/);
  });
});
