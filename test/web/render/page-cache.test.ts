import assert from 'node:assert/strict';
import { PageCache, type RenderMarks, type RenderedPage, TokenSlots } from '../../../lib/web/render/page-cache.js';

function page(html: string, marks: Partial<RenderMarks> = {}): RenderedPage {
  return { html, slots: new TokenSlots(), marks: { relativeTime: false, volatile: false, ...marks } };
}

describe('web/render/page-cache: token slots', () => {
  it('fills each slot with a new token of the lifetime it was made for, and leaves other text alone', () => {
    const slots = new TokenSlots();
    const a = slots.slot();
    const b = slots.slot(5);
    assert.match(a, /^[a-z0-9]+$/, 'letters and digits only: unchanged by escaping and URL encoding');
    const html = `<input value="${a}"><a href="?@csrf=${b}">x</a> rupcsrf0e ${a}`;
    const asked: Array<number | undefined> = [];
    let n = 0;
    const filled = slots.fill(html, (lifetime) => {
      asked.push(lifetime);
      return `T${++n}`;
    });
    assert.equal(filled, '<input value="T1"><a href="?@csrf=T2">x</a> rupcsrf0e T3');
    assert.deepEqual(asked, [undefined, 5, undefined]);
  });

  it('does not fill the slots of another rendering that happen to share a number', () => {
    const mine = new TokenSlots();
    const theirs = new TokenSlots();
    const foreign = theirs.slot(7);
    mine.slot(1);
    assert.equal(mine.fill(foreign, () => 'T'), 'T', 'markers are per process, not per rendering: the slot number decides the lifetime');
    assert.equal(new TokenSlots().fill(foreign, () => 'T'), foreign, 'a rendering without slots leaves the text as it is');
  });
});

describe('web/render/page-cache: the cache', () => {
  it('gives a kept page back for the same key and data version only', () => {
    const cache = new PageCache();
    assert.equal(cache.get('1', 'k'), undefined);
    const p = page('<p>one</p>');
    cache.put('1', 'k', p);
    assert.equal(cache.get('1', 'k'), p);
    assert.equal(cache.get('1', 'other'), undefined);
    assert.equal(cache.get('2', 'k'), undefined, 'the data changed: everything is forgotten');
    assert.equal(cache.get('1', 'k'), undefined, 'and stays forgotten when an older version is seen again');
  });

  it('keeps nothing without a data version, nor a volatile page', () => {
    const cache = new PageCache();
    cache.put(null, 'k', page('x'));
    assert.equal(cache.get(null, 'k'), undefined);
    assert.equal(cache.get('1', 'k'), undefined);
    cache.put('1', 'v', page('x', { volatile: true }));
    assert.equal(cache.get('1', 'v'), undefined);
  });

  it('drops a page rendered at a version older than the one a later request saw', () => {
    const cache = new PageCache();
    assert.equal(cache.get('1', 'k'), undefined);
    assert.equal(cache.get('2', 'other'), undefined);
    cache.put('1', 'k', page('stale'));
    assert.equal(cache.get('2', 'k'), undefined);
    assert.equal(cache.get('1', 'k'), undefined);
  });

  it('uses a page with relative dates for a short while only', () => {
    let now = 1000;
    const cache = new PageCache(1 << 20, 15_000, () => now);
    cache.get('1', 'x');
    cache.put('1', 'rel', page('2 minutes ago', { relativeTime: true }));
    cache.put('1', 'abs', page('2026-11-21'));
    now += 14_999;
    assert.equal(cache.get('1', 'rel')?.html, '2 minutes ago');
    now += 1;
    assert.equal(cache.get('1', 'rel'), undefined);
    now += 3_600_000;
    assert.equal(cache.get('1', 'abs')?.html, '2026-11-21');
  });

  it('keeps within its memory, dropping the least recently used pages first', () => {
    const cache = new PageCache(800);
    cache.get('1', 'x');
    const text = 'a'.repeat(50);
    for (let i = 0; i < 8; i++) cache.put('1', `p${i}`, page(text));
    assert.ok(cache.get('1', 'p0'), 'eight pages of 100 bytes fit; p0 is used again, so p1 is now the oldest');
    cache.put('1', 'p8', page(text));
    assert.equal(cache.get('1', 'p1'), undefined);
    for (const k of ['p0', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8']) assert.ok(cache.get('1', k), k);
    cache.put('1', 'huge', page('a'.repeat(101)));
    assert.equal(cache.get('1', 'huge'), undefined, 'a page over an eighth of the memory is not kept');
  });
});
