import assert from 'node:assert/strict';
import { formatSeconds, startProgress } from '../../lib/util/progress.js';

function fakeStream(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns, write: (text: string) => writes.push(text) } };
}

describe('progress', () => {
  it('writes nothing at all when the stream is not a terminal', () => {
    const { writes, stream } = fakeStream(false);
    const bar = startProgress({ label: 'Exporting issue', total: 10, stream });
    bar.tick(5);
    bar.update(10);
    bar.finish();
    assert.deepEqual(writes, []);
  });

  it('redraws in place on a terminal with a bar, counts, items/s and ETA, then ends the line', () => {
    const { writes, stream } = fakeStream(true);
    let now = 0;
    const bar = startProgress({ label: 'Importing msg', total: 100, stream, now: () => now, interval: 100 });
    assert.deepEqual(writes, ['\rImporting msg  [--------------------]    0%  0/100\x1b[K']);
    now = 1000;
    bar.tick(50);
    assert.equal(writes[1], '\rImporting msg  [##########----------]   50%  50/100  50 items/s  ETA 0:01\x1b[K');
    now = 1050;
    bar.tick(10);
    assert.equal(writes.length, 2, 'no redraw within the interval');
    now = 2000;
    bar.update(100);
    bar.finish();
    assert.equal(writes[2], '\rImporting msg  [####################]  100%  100/100  50 items/s\x1b[K');
    assert.equal(writes.at(-1), '\n');
    bar.tick();
    assert.equal(writes.at(-1), '\n', 'nothing after finish');
  });

  it('shows a plain count when the total is unknown and fits the terminal width', () => {
    const { writes, stream } = fakeStream(true, 12);
    startProgress({ label: 'Reindexing everything', total: 0, stream, now: () => 0 });
    assert.equal(writes[0], '\rReindexing \x1b[K');
  });

  it('is drawn when asked even if the stream does not say it is a terminal', () => {
    const { writes, stream } = fakeStream(false);
    startProgress({ label: 'x', total: 0, stream, enabled: true, now: () => 0 }).finish();
    assert.deepEqual(writes, ['\rx  0\x1b[K', '\rx  0\x1b[K', '\n']);
  });

  it('formats durations as m:ss and h:mm:ss', () => {
    assert.equal(formatSeconds(0), '0:00');
    assert.equal(formatSeconds(61.4), '1:01');
    assert.equal(formatSeconds(3725), '1:02:05');
  });
});
