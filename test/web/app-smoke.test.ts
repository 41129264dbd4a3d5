import assert from 'node:assert/strict';
import { startCoreServer, createIssues, type CoreServer } from './core-harness.js';

describe('smoke', function () {
  let s: CoreServer;
  before(async () => { s = await startCoreServer(); await createIssues(s.tracker, 3, (n) => ({ title: `t${n}`, status: '1', priority: '2' })); });
  after(async () => s?.close());
  it('works', async () => {
    for (const p of ['', 'issue?@columns=id,title,status&@sort=-id', 'issue1', 'keyword', 'keyword?@template=item', 'issue?@template=search', 'issue1?@template=boom', 'nosuch', 'issue77', '@@file/style.css']) {
      const r = await s.get(p, { 'x-test-user': 'admin' });
      console.log(p, r.status, r.body.slice(0, 3000));
    }
    console.log(s.logger.lines);
    assert.ok(true);
  });
});
