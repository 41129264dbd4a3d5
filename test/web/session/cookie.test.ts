import assert from 'node:assert/strict';
import {
  type CookieSettings,
  REMEMBER_ME_SECONDS,
  cookieSettings,
  formatSessionCookie,
  parseCookieHeader,
  sessionCookieName,
} from '../../../lib/web/session/cookie.js';
import { type TestTracker, createTestTracker } from '../../support/trackers.js';

const NOW = 1_700_000_000;
const plain: CookieSettings = { name: 'roundup_session_demo', path: '/demo/', secure: false, sameSite: 'Lax' };

describe('session cookie', () => {
  it("is named roundup_session_ and the tracker name's letters, with __Secure- on https", () => {
    assert.equal(sessionCookieName('Roundup issue tracker', false), 'roundup_session_Roundupissuetracker');
    assert.equal(sessionCookieName('Bugs 2.0 (dev)', false), 'roundup_session_Bugsdev');
    assert.equal(sessionCookieName('Bugs', true), '__Secure-roundup_session_Bugs');
  });

  it('is a browser-session cookie limited to the tracker path, HttpOnly, with SameSite', () => {
    assert.equal(formatSessionCookie(plain, 'abc', null, NOW), 'roundup_session_demo=abc; Path=/demo/; SameSite=Lax; HttpOnly');
  });

  it('lasts a year when remembered', () => {
    assert.equal(
      formatSessionCookie(plain, 'abc', REMEMBER_ME_SECONDS, NOW),
      `roundup_session_demo=abc; Path=/demo/; Expires=${new Date((NOW + 365 * 86400) * 1000).toUTCString()}; SameSite=Lax; HttpOnly`,
    );
  });

  it('is deleted with an empty value and an expiry in the past', () => {
    assert.equal(
      formatSessionCookie(plain, null, null, NOW),
      `roundup_session_demo=; Path=/demo/; Expires=${new Date((NOW - 1) * 1000).toUTCString()}; SameSite=Lax; HttpOnly`,
    );
  });

  it('is Secure on https and leaves SameSite out when the setting is None', () => {
    const settings: CookieSettings = { name: '__Secure-roundup_session_x', path: '/', secure: true, sameSite: 'None' };
    assert.equal(formatSessionCookie(settings, 'v', null, NOW), '__Secure-roundup_session_x=v; Path=/; Secure; HttpOnly');
  });

  it('reads Cookie headers leniently: skips malformed pairs, unquotes, keeps the first of a repeated name', () => {
    const cookies = parseCookieHeader('junk; a=1; b="two"; =x; a=3; c=; d=e=f');
    assert.deepEqual([...cookies], [['a', '1'], ['b', 'two'], ['c', ''], ['d', 'e=f']]);
    assert.equal(parseCookieHeader(undefined).size, 0);
  });

  describe('settings from the tracker', () => {
    let tt: TestTracker;
    before(async () => {
      tt = await createTestTracker({ settings: { tracker_name: 'Demo Tracker', web_samesite_cookie_setting: 'Strict' } });
    });
    after(async () => {
      await tt?.cleanup();
    });

    it('takes the name, SameSite and the path from the tracker, and Secure from an https base URL', () => {
      assert.deepEqual(cookieSettings(tt.tracker, 'http://tracker.example/demo/', '/demo/'), {
        name: 'roundup_session_DemoTracker',
        path: '/demo/',
        secure: false,
        sameSite: 'Strict',
      });
      assert.deepEqual(cookieSettings(tt.tracker, 'https://tracker.example/t/', '/t/'), {
        name: '__Secure-roundup_session_DemoTracker',
        path: '/t/',
        secure: true,
        sameSite: 'Strict',
      });
    });
  });
});
