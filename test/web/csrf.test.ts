import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { CSRF_FAILURE, type CsrfRequest, CsrfTokens, type CsrfVerdict, issueCsrfToken, verifyCsrf } from '../../lib/web/csrf.js';
import { CsrfSigner } from '../../lib/web/csrf-token.js';
import { SubmittedForm } from '../../lib/web/form/form-data.js';
import { type SessionServices, configureSessionServices } from '../../lib/web/session/session-services.js';
import { RECORD_EXPIRY_SECONDS } from '../../lib/web/session/session-store.js';
import { sessionRows } from '../support/session-db.js';
import { type TestTracker, createTestTracker } from '../support/trackers.js';

const BASE = 'http://tracker.example/demo/';
const GOOD_HEADERS: IncomingHttpHeaders = { host: 'tracker.example', referer: `${BASE}issue1`, origin: 'http://tracker.example' };

describe('CSRF protection', () => {
  let tt: TestTracker;
  let services: SessionServices;
  let now = 1_700_000_000;
  let log: Array<[string, string]>;

  before(async () => {
    tt = await createTestTracker();
    services = configureSessionServices(tt.tracker, { now: () => now });
  });
  after(async () => {
    await tt?.cleanup();
  });
  beforeEach(() => {
    log = [];
  });

  /** Runs the check with the [web] settings given, restoring them afterwards. */
  async function check(request: Partial<CsrfRequest> & { fields?: Record<string, string> }, settings: Record<string, string> = {}): Promise<CsrfVerdict> {
    const config = tt.tracker.config;
    const saved = Object.keys(settings).map((name) => [name, config.text('web', name)!] as const);
    for (const [name, value] of Object.entries(settings)) config.set('web', name, value);
    try {
      return await verifyCsrf(
        tt.tracker,
        {
          method: 'POST',
          headers: GOOD_HEADERS,
          form: new SubmittedForm(Object.entries(request.fields ?? {})),
          baseUrl: BASE,
          userid: '1',
          sessionId: 'S1',
          ...request,
        },
        (level, message) => log.push([level, message]),
      );
    } finally {
      for (const [name, value] of saved) config.set('web', name, value);
    }
  }

  const token = (userid = '1', sessionId: string | null = 'S1', lifetime?: number) => issueCsrfToken(tt.tracker, userid, sessionId, lifetime);
  /** How logs show a session: its fingerprint under the tracker's signing key. */
  const tagOf = async (sid: string) => {
    const record = await services.backend.otks.get('csrf_signing_key', now);
    return new CsrfSigner(Buffer.from(String(record!.data.key), 'base64')).sessionTag(sid);
  };
  const refused = (message: string, status: 400 | 403 = 400): CsrfVerdict => ({ ok: false, status, message });

  describe('tokens', () => {
    it('accepts a token issued for the same user and session, once', async () => {
      const key = await token();
      assert.match(key, /^[A-Za-z0-9_-]{22}\.[0-9a-z]+\.1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}$/);
      assert.deepEqual(await check({ fields: { '@csrf': key } }), { ok: true });
      assert.deepEqual(await check({ fields: { '@csrf': key } }), refused(CSRF_FAILURE));
      assert.equal(await services.backend.otks.get(key, now), null);
    });

    it('refuses a forged token', async () => {
      assert.deepEqual(await check({ fields: { '@csrf': 'forged-token' } }), refused(CSRF_FAILURE));
      assert.deepEqual(log[0], ['error', `Csrf mismatch user: current user 1 != stored user null, current session, stored session: ${await tagOf('S1')},null for key forged-token.`]);
    });

    it('refuses the token of another session or another user, and uses it up', async () => {
      const other = await token('1', 'S2');
      assert.deepEqual(await check({ fields: { '@csrf': other } }), refused(CSRF_FAILURE));
      assert.deepEqual(await check({ fields: { '@csrf': other }, sessionId: 'S2' }), refused(CSRF_FAILURE), 'already used up');
      const anonymous = await token('2', 'S1');
      assert.deepEqual(await check({ fields: { '@csrf': anonymous } }), refused(CSRF_FAILURE));
    });

    it('binds a token issued without a session to requests without one', async () => {
      const key = await token('2', null);
      assert.deepEqual(await check({ fields: { '@csrf': key }, userid: '2', sessionId: null }), { ok: true });
    });

    it('refuses a token past its lifetime', async () => {
      const key = await token('1', 'S1', 1);
      now += 61;
      assert.deepEqual(await check({ fields: { '@csrf': key } }), refused(CSRF_FAILURE));
    });

    it('accepts a form without a token under yes and no, refuses it under required, logs it under logfailure', async () => {
      assert.deepEqual(await check({}), { ok: true });
      assert.deepEqual(await check({}, { csrf_enforce_token: 'no' }), { ok: true });
      assert.deepEqual(await check({}, { csrf_enforce_token: 'required' }), refused(CSRF_FAILURE));
      assert.deepEqual(log.shift(), ['error', 'Required csrf field missing for user1']);
      assert.deepEqual(await check({}, { csrf_enforce_token: 'logfailure' }), { ok: true });
      assert.deepEqual(log.map((l) => l[0]), ['warning', 'warning', 'warning']);
      assert.equal(log[0]![1], 'csrf field not supplied by user1');
    });

    it('only logs a bad token under logfailure and ignores it under no, using it up either way', async () => {
      const key = await token('1', 'S2');
      assert.deepEqual(await check({ fields: { '@csrf': key } }, { csrf_enforce_token: 'logfailure' }), { ok: true });
      assert.deepEqual(log, [['warning', `logged only: Csrf mismatch user: current session ${await tagOf('S1')} != stored session ${await tagOf('S2')}, current user/stored user is: 1 for key ${key}.`]]);
      log = [];
      const key2 = await token('2', 'S1');
      assert.deepEqual(await check({ fields: { '@csrf': key2 } }, { csrf_enforce_token: 'no' }), { ok: true });
      assert.deepEqual(log, []);
      assert.equal(await services.backend.otks.get(key2, now), null);
    });

    it('destroys a token sent with a GET and logs where it came from, without refusing the GET', async () => {
      const key = await token();
      assert.deepEqual(await check({ method: 'GET', fields: { '@csrf': key }, headers: { host: 'tracker.example', referer: `${BASE}issue?x=1` } }), { ok: true });
      assert.deepEqual(log, [['error', `csrf key used with wrong method from: ${BASE}issue?x=1`]]);
      assert.deepEqual(await check({ fields: { '@csrf': key } }), refused(CSRF_FAILURE));
      log = [];
      assert.deepEqual(await check({ method: 'HEAD', fields: { '@csrf': 'unknown' }, headers: {} }), { ok: true });
      assert.deepEqual(log, [], 'an unknown key in a GET is not worth a log line');
    });

    it('stores nothing when it issues tokens, and records a used one until it would expire', async () => {
      const countOtks = async () => (await sessionRows<{ n: number }>(tt.tracker, 'otks', 'SELECT COUNT(*) AS n FROM otks'))[0]!.n;
      const tokens = new CsrfTokens(tt.tracker);
      assert.throws(() => tokens.issue('3', null), /before prepare/);
      await tokens.prepare();
      const before = await countOtks();
      const a = tokens.issue('3', null);
      const b = tokens.issue('3', 'S9', 5);
      assert.notEqual(a, b);
      assert.equal(await countOtks(), before, 'issuing wrote nothing');
      assert.deepEqual(await check({ fields: { '@csrf': b }, userid: '3', sessionId: 'S9' }), { ok: true });
      const nonce = b.split('.')[0]!;
      assert.deepEqual(await services.backend.otks.get(`csrf_used_${nonce}`, now), { data: {}, timestamp: now + 300 - RECORD_EXPIRY_SECONDS });
      assert.deepEqual(await check({ fields: { '@csrf': a }, userid: '3', sessionId: null }), { ok: true }, 'the default lifetime (two weeks) has not passed');
    });

    it('refuses a token whose signature does not match what it claims', async () => {
      const key = await token('2', 'S1');
      const [nonce, expires, , session, mac] = key.split('.');
      const claimsAdmin = [nonce, expires, '1', session, mac].join('.');
      assert.deepEqual(await check({ fields: { '@csrf': claimsAdmin } }), refused(CSRF_FAILURE));
      const longer = [nonce, (parseInt(expires!, 36) + 86400).toString(36), '2', session, mac].join('.');
      assert.deepEqual(await check({ fields: { '@csrf': longer }, userid: '2' }), refused(CSRF_FAILURE));
      assert.deepEqual(await check({ fields: { '@csrf': key }, userid: '2' }), { ok: true }, 'the genuine token was not used up by the forgeries');
    });

    it('keeps one signing key for every process of the tracker', async () => {
      const key = await token();
      const record = await services.backend.otks.get('csrf_signing_key', now);
      assert.equal(Buffer.from(String(record?.data.key), 'base64').length, 32);
      const other = configureSessionServices(tt.tracker, { now: () => now });
      services = other;
      assert.deepEqual(await check({ fields: { '@csrf': key } }), { ok: true }, 'a fresh process (new services) accepts it');
    });
  });

  describe('headers', () => {
    it('refuses an Origin other than the tracker', async () => {
      assert.deepEqual(await check({ headers: { ...GOOD_HEADERS, origin: 'http://evil.example' } }), refused('Invalid Origin http://evil.example', 403));
      assert.deepEqual(log, [['error', 'csrf Origin header check failed for user1. Value=http://evil.example']]);
    });

    it('refuses a Referer outside the tracker', async () => {
      for (const referer of ['http://evil.example/demo/', 'http://tracker.example/other/', 'https://tracker.example/demo/']) {
        assert.deepEqual(await check({ headers: { ...GOOD_HEADERS, referer } }), refused(`Invalid Referer ${referer}, ${BASE}`, 403));
      }
    });

    it('refuses a Host other than the tracker host and port, and checks X-Forwarded-Host instead when present', async () => {
      assert.deepEqual(await check({ headers: { host: 'evil.example' } }), refused('Invalid HOST evil.example', 403));
      assert.deepEqual(await check({ headers: { host: 'tracker.example:8080' } }), refused('Invalid HOST tracker.example:8080', 403));
      assert.deepEqual(await check({ headers: { host: 'localhost:8917', 'x-forwarded-host': 'tracker.example' } }), { ok: true });
      assert.deepEqual(
        await check({ headers: { host: 'tracker.example', 'x-forwarded-host': 'evil.example' } }),
        refused('Invalid X-FORWARDED-HOST evil.example', 403),
      );
    });

    it('lets a missing Referer pass under yes but refuses it under required', async () => {
      const noReferer = { host: 'tracker.example' };
      assert.deepEqual(await check({ headers: noReferer }), { ok: true });
      assert.deepEqual(await check({ headers: noReferer }, { csrf_enforce_header_referer: 'required' }), refused('Missing header: REFERER', 403));
      assert.deepEqual(log, [['error', 'csrf header REFERER required but missing for user1.']]);
    });

    it('only logs a failed header check under logfailure and skips it under no; neither counts as passed', async () => {
      const bad = { host: 'tracker.example', referer: 'http://evil.example/' };
      assert.deepEqual(await check({ headers: bad }, { csrf_enforce_header_referer: 'logfailure' }), { ok: true });
      assert.deepEqual(log, [['warning', 'csrf Referer header check failed for user1. Value=http://evil.example/']]);
      assert.deepEqual(await check({ headers: bad }, { csrf_enforce_header_referer: 'no' }), { ok: true });
      assert.deepEqual(
        await check({ headers: bad }, { csrf_enforce_header_referer: 'logfailure', csrf_header_min_count: '2' }),
        refused('Unable to verify sufficient headers'),
      );
    });

    it('needs csrf_header_min_count headers that pass', async () => {
      assert.deepEqual(await check({ headers: {} }), refused('Unable to verify sufficient headers'));
      assert.deepEqual(await check({ headers: { host: 'tracker.example' } }, { csrf_header_min_count: '2' }), refused('Unable to verify sufficient headers'));
      assert.deepEqual(await check({ headers: GOOD_HEADERS }, { csrf_header_min_count: '3' }), { ok: true });
      assert.deepEqual(await check({ headers: {} }, { csrf_header_min_count: '0' }), { ok: true });
    });

    it('for the APIs: needs X-Requested-With, takes allowed_api_origins, and no token', async () => {
      const api = { api: true, headers: { ...GOOD_HEADERS, 'x-requested-with': 'rest' } };
      assert.deepEqual(await check(api, { csrf_enforce_token: 'required' }), { ok: true });
      assert.deepEqual(await check({ ...api, headers: GOOD_HEADERS }), refused('Required Header Missing'));
      assert.deepEqual(await check({ ...api, headers: GOOD_HEADERS }, { 'csrf_enforce_header_x-requested-with': 'no' }), { ok: true });
      const foreign = { ...api, headers: { ...api.headers, origin: 'https://app.example' } };
      assert.deepEqual(await check(foreign), refused('Invalid Origin https://app.example', 403));
      assert.deepEqual(await check(foreign, { allowed_api_origins: 'https://app.example' }), { ok: true });
      assert.deepEqual(await check(foreign, { allowed_api_origins: '* https://other.example' }), { ok: true });
      assert.deepEqual(
        await check({ headers: foreign.headers }, { allowed_api_origins: 'https://app.example' }),
        refused('Invalid Origin https://app.example', 403),
        'allowed_api_origins does not open the HTML interface',
      );
    });
  });

  describe('tokenless protection', () => {
    const tokenless = { use_tokenless_csrf_protection: 'yes' };

    it('issues the token "0" and needs none', async () => {
      const config = tt.tracker.config;
      config.set('web', 'use_tokenless_csrf_protection', 'yes');
      try {
        assert.equal(new CsrfTokens(tt.tracker).issue('1', null), '0', 'no signing key needed');
      } finally {
        config.set('web', 'use_tokenless_csrf_protection', 'no');
      }
      assert.deepEqual(await check({ headers: { host: 'tracker.example' } }, { ...tokenless, csrf_enforce_token: 'required' }), { ok: true });
    });

    it('accepts same-origin or user-typed requests, non-browser requests, and an Origin matching Host or the tracker', async () => {
      assert.deepEqual(await check({ headers: { 'sec-fetch-site': 'same-origin', origin: 'http://evil.example' } }, tokenless), { ok: true });
      assert.deepEqual(await check({ headers: { 'sec-fetch-site': 'none' } }, tokenless), { ok: true });
      assert.deepEqual(await check({ headers: {} }, tokenless), { ok: true });
      assert.deepEqual(await check({ headers: { host: 'localhost:8080', origin: 'http://localhost:8080' } }, tokenless), { ok: true });
      assert.deepEqual(await check({ headers: { host: 'internal', origin: 'http://tracker.example' } }, tokenless), { ok: true });
      assert.deepEqual(
        await check({ headers: { 'sec-fetch-site': 'cross-site', origin: 'https://app.example' } }, { ...tokenless, allowed_api_origins: 'https://app.example' }),
        { ok: true },
      );
    });

    it('refuses cross-site requests', async () => {
      assert.deepEqual(
        await check({ headers: { 'sec-fetch-site': 'cross-site', origin: 'http://evil.example' } }, tokenless),
        refused('Cross-origin request refused (Sec-Fetch-Site: cross-site)', 403),
      );
      assert.deepEqual(await check({ headers: { host: 'tracker.example', origin: 'http://evil.example' } }, tokenless), refused('Invalid Origin http://evil.example', 403));
    });
  });
});
