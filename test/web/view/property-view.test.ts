import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyPassword } from '../../../lib/hyperdb/password.js';
import { type CoreServer, startCoreServer } from '../core-harness.js';
import { tags } from '../templates/page-html.js';

const ADMIN = { 'x-test-user': 'admin' };

describe('web/view: the confirm() helper of a password property', function () {
  let s: CoreServer;
  before(async () => {
    s = await startCoreServer({
      prepare: (_tracker, home) => {
        writeFileSync(
          join(home, 'html', 'user.confirm.html'),
          '<form method="post">{{ context.password.field() }} {{ context.password.confirm() }}</form>\n' +
            '<ul>{% for u in db.user.list() %}<li>{{ u.password.confirm() }}</li>{% endfor %}</ul>\n',
        );
      },
    });
  });
  after(async () => s?.close());

  it('names the input @confirm@password for the page item and user2@confirm@password for another item', async () => {
    const page = await s.get('user1?@template=confirm', ADMIN);
    assert.equal(page.status, 200);
    const names = tags(page.body, ['input']).map((t) => t.attrs.name);
    assert.deepEqual(names.slice(0, 2), ['password', '@confirm@password']);
    assert.ok(names.includes('user2@confirm@password'), names.join());
    assert.ok(!names.some((n) => n?.includes(':confirm')), names.join());
  });

  it('emits names the form grammar reads: a password posted with its confirmation is stored', async () => {
    const mismatch = await s.post('user1', { '@action': 'edit', password: 'new-secret', '@confirm@password': 'other' }, ADMIN);
    assert.equal(mismatch.status, 400);
    const stored = async () => {
      const db = await s.tracker.open({ userid: '1' }, { checked: false });
      try {
        return (await db.getclass('user').get('1', 'password')) as string;
      } finally {
        await db.close();
      }
    };
    assert.equal((await verifyPassword(await stored(), 'admin')).ok, true);
    const ok = await s.post('user1', { '@action': 'edit', password: 'new-secret', '@confirm@password': 'new-secret' }, ADMIN);
    assert.equal(ok.status, 302);
    assert.equal((await verifyPassword(await stored(), 'new-secret')).ok, true);
  });
});
