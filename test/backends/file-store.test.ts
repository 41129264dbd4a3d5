/**
 * FileClass content on disk (lib/backends/file-store.ts): what a unit of
 * work's file session leaves behind on commit and on rollback.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../lib/backends/file-store.js';
import { isRupError } from '../../lib/errors.js';

describe('backends/file-store: file sessions', () => {
  let dir: string;
  let store: FileStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rup-files-'));
    store = new FileStore(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every new file of a unit of work by the end of publish, with the content staged last', async () => {
    const session = store.session();
    for (let id = 1; id <= 40; id++) session.write('msg', String(id), Buffer.from(`first ${id}`), true);
    session.write('msg', '7', Buffer.from('second 7'), false);
    assert.deepEqual(await session.read('msg', '7'), Buffer.from('second 7'));
    await session.publish();
    await session.afterCommit();
    assert.equal(readFileSync(store.path('msg', '7'), 'utf8'), 'second 7');
    assert.equal(readFileSync(store.path('msg', '40'), 'utf8'), 'first 40');
  });

  it('leaves no file of a new item removed in the same unit of work', async () => {
    const session = store.session();
    session.write('msg', '1', Buffer.from('short-lived'), true);
    session.remove('msg', '1');
    await session.publish();
    await session.afterCommit();
    assert.equal(existsSync(store.path('msg', '1')), false);
  });

  it('leaves nothing on disk when discarded', async () => {
    const session = store.session();
    for (let id = 1; id <= 10; id++) session.write('msg', String(id), Buffer.from('never committed'), true);
    await session.discard();
    for (let id = 1; id <= 10; id++) assert.equal(existsSync(store.path('msg', String(id))), false, `msg${id}`);
  });

  it('fails publish with RUP_ERR_DATABASE when a new file cannot be written', async () => {
    writeFileSync(join(dir, 'msg'), 'a file where the class folder belongs');
    const session = store.session();
    session.write('msg', '1', Buffer.from('nowhere to go'), true);
    await assert.rejects(session.publish(), (err: unknown) => isRupError(err) && err.code === 'RUP_ERR_DATABASE' && /cannot store file content/.test(err.message));
    await session.discard();
  });
});
