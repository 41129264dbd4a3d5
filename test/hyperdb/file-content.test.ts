/**
 * FileClass content: kept outside the database at Roundup's path
 * `db/files/<class>/<int(id/1000)>/<class><id>`, visible to its unit of
 * work before commit, written on commit and dropped on rollback (Roundup's
 * testFileClassContentChange, testStringBinary, testDestroyBlob and the
 * file part of testTransactions), on both backends.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BACKENDS, rejectsWith, useTracker } from './hyperdb-fixtures.js';

for (const backend of BACKENDS) {
  describe(`hyperdb file content (${backend})`, () => {
    const h = useTracker(backend);
    const contentPath = (...parts: string[]) => join(h.t.home, 'db', 'files', ...parts);

    it('names the content file db/files/<class>/<int(id/1000)>/<class><id>', () => {
      const files = h.t.tracker.storage.files;
      assert.equal(files.path('file', '1'), contentPath('file', '0', 'file1'));
      assert.equal(files.path('file', '999'), contentPath('file', '0', 'file999'));
      assert.equal(files.path('file', '1000'), contentPath('file', '1', 'file1000'));
      assert.equal(files.path('msg', '12345'), contentPath('msg', '12', 'msg12345'));
    });

    it('shows new content to its unit of work at once and writes the file byte for byte on commit', async () => {
      const db = await h.open();
      const id = await db.getclass('file').create({ content: 'hello\r\nworld', name: 'greeting.txt', type: 'text/plain' });
      assert.equal(id, '1');
      assert.equal(await db.getclass('file').get(id, 'content'), 'hello\r\nworld');
      assert.equal(existsSync(contentPath('file', '0', 'file1')), false);
      await db.commit();
      assert.deepEqual(readFileSync(contentPath('file', '0', 'file1')), Buffer.from('hello\r\nworld'));

      const db2 = await h.open();
      assert.equal(await db2.getclass('file').get(id, 'content'), 'hello\r\nworld');
      assert.deepEqual(await db2.getclass('file').get(id, 'binary_content'), Buffer.from('hello\r\nworld'));
      assert.equal(await db2.getclass('file').get(id, 'name'), 'greeting.txt');
      assert.deepEqual(readdirSync(contentPath('file', '0')), ['file1']);
    });

    it('gives binary content as bytes, and as text a notice naming binary_content and the MD5', async () => {
      const bytes = Buffer.from([0x00, 0xf0, 0x34, 0x33]);
      const db = await h.open();
      const id = await db.getclass('file').create({ content: bytes });
      await db.commit();
      assert.deepEqual(readFileSync(contentPath('file', '0', `file${id}`)), bytes);
      const db2 = await h.open();
      assert.deepEqual(await db2.getclass('file').get(id, 'binary_content'), bytes);
      assert.equal(
        await db2.getclass('file').get(id, 'content'),
        'file1 is not text, retrieve using binary_content property. mdsum: 0e1d1b47e4bd1beab3afc9b79f596c1d',
      );
    });

    it('stores a file with an id above 1000 in its thousands folder', async () => {
      const db = await h.open();
      await db.uow.setNextId('file', 1234);
      const id = await db.getclass('file').create({ content: 'far away' });
      assert.equal(id, '1234');
      await db.commit();
      assert.deepEqual(readFileSync(contentPath('file', '1', 'file1234')), Buffer.from('far away'));
      const db2 = await h.open();
      assert.equal(await db2.getclass('file').get(id, 'content'), 'far away');
    });

    it('changes content on set: other units of work see the old content until commit', async () => {
      const db = await h.open();
      const id = await db.getclass('file').create({ content: 'spam' });
      await db.commit();
      await db.getclass('file').set(id, { content: 'eggs' });
      assert.equal(await db.getclass('file').get(id, 'content'), 'eggs');
      const other = await h.open();
      assert.equal(await other.getclass('file').get(id, 'content'), 'spam');
      assert.deepEqual(readFileSync(contentPath('file', '0', `file${id}`)), Buffer.from('spam'));
      await db.commit();
      assert.deepEqual(readFileSync(contentPath('file', '0', `file${id}`)), Buffer.from('eggs'));
      assert.equal(await other.getclass('file').get(id, 'content'), 'eggs');
    });

    it('discards new and changed content on rollback', async () => {
      const db = await h.open();
      const kept = await db.getclass('file').create({ content: 'kept' });
      await db.commit();
      const dropped = await db.getclass('file').create({ content: 'dropped' });
      await db.getclass('file').set(kept, { content: 'changed' });
      await db.rollback();
      assert.equal(await db.getclass('file').hasnode(dropped), false);
      assert.equal(existsSync(contentPath('file', '0', `file${dropped}`)), false);
      assert.equal(await db.getclass('file').get(kept, 'content'), 'kept');
      assert.deepEqual(readdirSync(contentPath('file', '0')), [`file${kept}`]);
    });

    it('removes the content file of a destroyed item once the destroy is committed', async () => {
      const db = await h.open();
      const id = await db.getclass('file').create({ content: 'hello', type: 'text/plain' });
      await db.commit();
      await db.getclass('file').destroy(id);
      assert.equal(existsSync(contentPath('file', '0', `file${id}`)), true);
      await db.commit();
      assert.equal(existsSync(contentPath('file', '0', `file${id}`)), false);
      await rejectsWith(db.getclass('file').get(id, 'content'), 'RUP_ERR_NO_SUCH_ITEM', `file has no node ${id}`);
    });

    it('requires content on create, as text or bytes', async () => {
      const db = await h.open();
      await rejectsWith(db.getclass('file').create({ name: 'empty' }), 'RUP_ERR_VALUE', 'a new file needs its "content"');
      await rejectsWith(db.getclass('file').create({ content: 5 }), 'RUP_ERR_VALUE', 'new property "content" of file must be text or bytes');
      await db.commit();
      assert.deepEqual(await db.getclass('file').getnodeids(), []);
    });

    it('adds content (indexed unless the schema says otherwise) and type to every FileClass, and keeps content out of getnode', async () => {
      const db = await h.open();
      const nidx = db.getclass('file_nidx').getprops();
      assert.equal(nidx.get('content')!.kind, 'String');
      assert.equal((nidx.get('content') as { indexme: boolean }).indexme, false);
      assert.equal(nidx.get('type')!.kind, 'String');
      assert.equal((db.getclass('msg').getprops().get('content') as { indexme: boolean }).indexme, true);
      const id = await db.getclass('msg').create({ content: 'body', author: '2' });
      assert.equal('content' in (await db.getclass('msg').getnode(id)), false);
      assert.equal(await db.getclass('msg').mimeType(id), 'text/plain');
      await db.getclass('msg').set(id, { type: 'text/html' });
      assert.equal(await db.getclass('msg').mimeType(id), 'text/html');
    });
  });
}
