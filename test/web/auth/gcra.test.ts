import assert from 'node:assert/strict';
import { type RateLimit, emissionInterval, gcraHeaders, gcraUpdate } from '../../../lib/web/auth/gcra.js';

const NOW = 1_700_000_000;

describe('GCRA rate limiting (Roundup rate_limit.py)', () => {
  const limit: RateLimit = { count: 20, periodSeconds: 60 };

  it('allows a burst of `count` events, rejects the next, and allows one more each interval', () => {
    assert.equal(emissionInterval(limit), 3);
    let tat: number | null = null;
    for (let i = 0; i < 20; i++) {
      const r = gcraUpdate(tat, NOW, limit);
      assert.equal(r.reject, false, `event ${i + 1}`);
      tat = r.tat;
    }
    assert.equal(tat, NOW + 60);
    assert.deepEqual(gcraUpdate(tat, NOW, limit), { reject: true, tat: NOW + 60 });
    // Three seconds later (Roundup's test sleeps as told): one more, then rejected again.
    const later = gcraUpdate(tat, NOW + 3, limit);
    assert.deepEqual(later, { reject: false, tat: NOW + 63 });
    assert.equal(gcraUpdate(later.tat, NOW + 3, limit).reject, true);
  });

  it('sends Roundup headers with Retry-After when the next event would be rejected', () => {
    assert.deepEqual(gcraHeaders(NOW + 60, NOW, limit), {
      'X-RateLimit-Limit': '20',
      'X-RateLimit-Limit-Period': '60',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': '60.0',
      'Retry-After': '3',
    });
  });

  it('sends no Retry-After while events are left, and counts what is left', () => {
    assert.deepEqual(gcraHeaders(NOW + 3, NOW + 0.5, limit), {
      'X-RateLimit-Limit': '20',
      'X-RateLimit-Limit-Period': '60',
      'X-RateLimit-Remaining': '19',
      'X-RateLimit-Reset': '2.5',
    });
    assert.equal(gcraHeaders(null, NOW, limit)['X-RateLimit-Remaining'], '20');
    assert.equal(gcraHeaders(null, NOW, limit)['X-RateLimit-Reset'], '0.0');
  });

  it('computes the web login limit of 3 a minute as Roundup: a wait of 20 seconds', () => {
    const three: RateLimit = { count: 3, periodSeconds: 60 };
    let tat: number | null = null;
    for (let i = 0; i < 3; i++) tat = gcraUpdate(tat, NOW, three).tat;
    assert.equal(gcraUpdate(tat, NOW, three).reject, true);
    assert.equal(gcraHeaders(tat, NOW, three)['Retry-After'], '20');
    assert.equal(gcraUpdate(tat, NOW + 20, three).reject, false);
  });
});
