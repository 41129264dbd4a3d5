import assert from 'node:assert/strict';
import type { RunResult, SqlExecutor, SqlValue } from '../../lib/backends/sql/executor.js';
import { RupError } from '../../lib/errors.js';
import { createFlexsearchIndexer, type FlexsearchIndexerOptions } from '../../lib/indexer/flexsearch-indexer.js';
import type { IndexedText, Indexer, IndexerSession } from '../../lib/indexer/indexer.js';
import {
  createPostgresTestDatabase,
  createSqliteTestDatabase,
  type TestDatabase,
  type TestProcess,
} from './sql-test-databases.js';

/** A tracker process: its connections and its own indexer instance. */
interface Process {
  db: TestProcess;
  indexer: Indexer;
}

/** Sorted `class:id:prop` strings, for order-free comparison. */
function names(texts: IndexedText[]): string[] {
  return texts.map((t) => `${t.classname}:${t.itemid}:${t.prop}`).sort();
}

/** Runs `stage` in one unit of work of `proc` and commits it, flushing just before COMMIT. */
async function write(proc: Process, stage: (session: IndexerSession) => void): Promise<void> {
  const tx = await proc.db.begin();
  try {
    const session = proc.indexer.session();
    stage(session);
    await session.flush(tx);
    await tx.commit();
  } catch (err) {
    await tx.rollback();
    throw err;
  }
}

async function find(proc: Process, query: string): Promise<string[]> {
  return names(await proc.indexer.find(proc.db.reader, query));
}

/** Counts the statements an executor runs. */
class CountingExecutor implements SqlExecutor {
  statements = 0;
  constructor(private readonly inner: SqlExecutor) {}
  get dialect() {
    return this.inner.dialect;
  }
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    this.statements++;
    return this.inner.all<T>(sql, params);
  }
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    this.statements++;
    return this.inner.run(sql, params);
  }
}

function doc(classname: string, itemid: string, prop: string): IndexedText {
  return { classname, itemid, prop };
}

function indexerSuite(title: string, createDatabase: () => Promise<TestDatabase | string>): void {
  describe(title, function () {
    let database: TestDatabase | undefined;

    before(async function () {
      const probe = await createDatabase();
      if (typeof probe === 'string') {
        console.log(`      skipping ${title}: ${probe}`);
        this.skip();
      }
      await probe.destroy();
    });

    beforeEach(async () => {
      const created = await createDatabase();
      if (typeof created === 'string') throw new Error(created);
      database = created;
    });

    afterEach(async () => {
      await database?.destroy();
      database = undefined;
    });

    /** Opens a process with its own indexer, creating the tables as a tracker open does. */
    async function openProcess(options: FlexsearchIndexerOptions = {}): Promise<Process> {
      const db = await database!.open();
      const indexer = createFlexsearchIndexer(options);
      const tx = await db.begin();
      await indexer.setup(tx);
      await tx.commit();
      return { db, indexer };
    }

    describe("Roundup's indexer cases", () => {
      it('finds texts holding every query word', async () => {
        const p = await openProcess();
        await write(p, (s) => {
          s.add(doc('test', '1', 'foo'), 'a the hello world');
          s.add(doc('test', '2', 'foo'), 'blah blah the world');
        });
        assert.deepEqual(await find(p, 'world'), ['test:1:foo', 'test:2:foo']);
        assert.deepEqual(await find(p, 'blah'), ['test:2:foo']);
        assert.deepEqual(await find(p, 'blah hello'), []);
        assert.deepEqual(await find(p, 'world blah'), ['test:2:foo']);
        assert.deepEqual(await find(p, ''), []);
      });

      it('replaces the words of a text when it is added again', async () => {
        const p = await openProcess();
        await write(p, (s) => {
          s.add(doc('test', '1', 'foo'), 'a the hello world');
          s.add(doc('test', '2', 'foo'), 'blah blah the world');
        });
        assert.deepEqual(await find(p, 'world'), ['test:1:foo', 'test:2:foo']);
        await write(p, (s) => s.add(doc('test', '1', 'foo'), 'a the hello'));
        assert.deepEqual(await find(p, 'world'), ['test:2:foo']);
        assert.deepEqual(await find(p, 'hello'), ['test:1:foo']);
      });

      it('removes a text when it is added again empty', async () => {
        const p = await openProcess();
        await write(p, (s) => {
          s.add(doc('test', '1', 'foo'), 'a the hello world');
          s.add(doc('test', '2', 'foo'), 'blah blah the world');
        });
        assert.deepEqual(await find(p, 'world'), ['test:1:foo', 'test:2:foo']);
        await write(p, (s) => s.add(doc('test', '1', 'foo'), ''));
        assert.deepEqual(await find(p, 'world'), ['test:2:foo']);
        assert.deepEqual(await find(p, 'hello'), []);
      });

      it('ignores stop words in the query and still finds texts containing them', async () => {
        const p = await openProcess();
        await write(p, (s) => {
          s.add(doc('test', '1', 'bar'), 'with hello world');
          s.add(doc('test', '2', 'bar'), 'blah a with world');
          s.add(doc('test', '3', 'bar'), 'blah Blub river');
          s.add(doc('test', '4', 'bar'), 'blah river with');
        });
        assert.deepEqual(await find(p, 'with world'), ['test:1:bar', 'test:2:bar']);
      });

      it('ignores too short and too long words in texts and queries', async () => {
        const p = await openProcess();
        const long = 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz';
        await write(p, (s) => {
          s.add(doc('test', '1', 'a'), 'b hello world');
          s.add(doc('test', '2', 'a'), 'blah a b world');
          s.add(doc('test', '3', 'a'), 'blah Blub river');
          s.add(doc('test', '4', 'a'), `blah river b ${long}`);
        });
        assert.deepEqual(await find(p, `b world ${long} b`), ['test:1:a', 'test:2:a']);
        assert.deepEqual(await find(p, long), []);
        await write(p, (s) => s.add(doc('test', '5', 'a'), `blah py b ${long}`));
        assert.deepEqual(await find(p, 'py'), ['test:5:a']);
      });

      it('searches case-insensitively', async () => {
        const p = await openProcess();
        await write(p, (s) => {
          s.add(doc('test', '1', 'a'), 'aaaa bbbb');
          s.add(doc('test', '2', 'a'), 'aAaa BBBB');
        });
        assert.deepEqual(await find(p, 'aaaa'), ['test:1:a', 'test:2:a']);
        assert.deepEqual(await find(p, 'BBBB'), ['test:1:a', 'test:2:a']);
      });

      it('splits words at punctuation', async () => {
        const p = await openProcess();
        await write(p, (s) => {
          s.add(doc('test', '1', 'a'), 'aaaa-aaa bbbb*bbb');
          s.add(doc('test', '2', 'a'), 'aaaA-aaa BBBB*BBB');
        });
        for (const word of ['aaaa', 'aaa', 'bbbb', 'bbb']) {
          assert.deepEqual(await find(p, word), ['test:1:a', 'test:2:a'], word);
        }
      });

      it('returns every match, not a first page of them', async () => {
        const p = await openProcess();
        await write(p, (s) => {
          for (let i = 0; i < 123; i++) s.add(doc('test', String(i), 'many'), 'many');
        });
        assert.equal((await find(p, 'many')).length, 123);
      });

      it('indexes and finds non-ASCII words', async () => {
        const p = await openProcess();
        const russian = '\u0440\u0443\u0441\u0441\u043a\u0438\u0439 \u0442\u0435\u043a\u0441\u0442Spr\xfcnge';
        await write(p, (s) => {
          s.add(doc('test', '1', 'a'), 'Spr\xfcnge');
          s.add(doc('test', '2', 'a'), `${russian} Spr\xfcnge`);
        });
        assert.deepEqual(await find(p, 'Spr\xfcnge'), ['test:1:a', 'test:2:a']);
        assert.deepEqual(await find(p, '\u0440\u0443\u0441\u0441\u043a\u0438\u0439'), ['test:2:a']);
        assert.deepEqual(await find(p, 'SPRÜNGE'), ['test:1:a', 'test:2:a']);
      });
    });

    describe('search semantics', () => {
      it('matches whole words only, never prefixes or accent-stripped forms', async () => {
        const p = await openProcess();
        await write(p, (s) => {
          s.add(doc('msg', '1', 'content'), 'hello worlds café 123456');
        });
        assert.deepEqual(await find(p, 'hell'), []);
        assert.deepEqual(await find(p, 'world'), []);
        assert.deepEqual(await find(p, 'cafe'), []);
        assert.deepEqual(await find(p, '123'), []);
        assert.deepEqual(await find(p, 'café 123456 worlds'), ['msg:1:content']);
      });

      it('tokenises the query like the texts', async () => {
        const p = await openProcess();
        await write(p, (s) => s.add(doc('issue', '1', 'title'), 'Crash in the mail-gateway'));
        assert.deepEqual(await find(p, '"MAIL gateway!" (crash)'), ['issue:1:title']);
      });

      it('finds nothing for a query made only of stop words or too short words', async () => {
        const p = await openProcess();
        await write(p, (s) => s.add(doc('issue', '1', 'title'), 'the thing that is not there'));
        assert.deepEqual(await find(p, 'the'), []);
        assert.deepEqual(await find(p, 'that is not there'), []);
        assert.deepEqual(await find(p, 'a b c'), []);
        assert.deepEqual(await find(p, '   '), []);
      });

      it('keeps the texts of different properties and classes apart', async () => {
        const p = await openProcess();
        await write(p, (s) => {
          s.add(doc('issue', '1', 'title'), 'printer jam');
          s.add(doc('msg', '1', 'content'), 'printer out of paper');
          s.add(doc('file', '1', 'content'), 'paper jam report');
        });
        assert.deepEqual(await find(p, 'printer'), ['issue:1:title', 'msg:1:content']);
        assert.deepEqual(await find(p, 'jam paper'), ['file:1:content']);
        assert.deepEqual(await find(p, 'printer paper'), ['msg:1:content']);
      });

      it('uses the configured extra stop words, whatever their case and spacing', async () => {
        const p = await openProcess({ stopwords: ['blah', ' Frooz '] });
        await write(p, (s) => {
          s.add(doc('issue', '1', 'title'), 'blah frooz widget');
          s.add(doc('issue', '2', 'title'), 'frooz gadget');
        });
        assert.deepEqual(await find(p, 'blah'), []);
        assert.deepEqual(await find(p, 'frooz widget'), ['issue:1:title']);
      });
    });

    describe('MIME types', () => {
      it('indexes content staged without a type as text/plain', async () => {
        const p = await openProcess();
        await write(p, (s) => s.add(doc('file', '1', 'content'), 'hello'));
        assert.deepEqual(await find(p, 'hello'), ['file:1:content']);
      });

      it('does not index content of another type', async () => {
        const p = await openProcess();
        await write(p, (s) => {
          s.add(doc('file', '1', 'content'), 'hello', 'text/plain');
          s.add(doc('file', '2', 'content'), 'world', 'text/frozz');
          s.add(doc('file', '3', 'content'), 'world', 'text/html');
        });
        assert.deepEqual(await find(p, 'hello'), ['file:1:content']);
        assert.deepEqual(await find(p, 'world'), []);
      });

      it('removes the indexed words when a text is re-added with another type', async () => {
        const p = await openProcess();
        await write(p, (s) => s.add(doc('file', '1', 'content'), 'hello world'));
        await write(p, (s) => s.add(doc('file', '1', 'content'), 'hello world', 'application/octet-stream'));
        assert.deepEqual(await find(p, 'hello'), []);
      });
    });

    describe('sessions', () => {
      it('is dirty exactly while changes are staged', async () => {
        const p = await openProcess();
        const session = p.indexer.session();
        assert.equal(session.dirty, false);
        session.add(doc('issue', '1', 'title'), 'alpha');
        assert.equal(session.dirty, true);
        session.discard();
        assert.equal(session.dirty, false);
        session.removeItem('issue', '1');
        assert.equal(session.dirty, true);
        const tx = await p.db.begin();
        await session.flush(tx);
        await tx.commit();
        assert.equal(session.dirty, false);
      });

      it('never makes discarded staged text findable', async () => {
        const p = await openProcess();
        const tx = await p.db.begin();
        const session = p.indexer.session();
        session.add(doc('issue', '1', 'title'), 'secret plans');
        session.discard();
        await session.flush(tx);
        await tx.commit();
        assert.deepEqual(await find(p, 'secret'), []);
      });

      it('never makes text flushed in a rolled-back transaction findable', async () => {
        const p = await openProcess();
        const tx = await p.db.begin();
        const session = p.indexer.session();
        session.add(doc('issue', '1', 'title'), 'secret plans');
        await session.flush(tx);
        await tx.rollback();
        session.discard();
        assert.deepEqual(await find(p, 'secret'), []);
        await write(p, (s) => s.add(doc('issue', '2', 'title'), 'public plans'));
        assert.deepEqual(await find(p, 'plans'), ['issue:2:title']);
      });

      it('writes nothing for an empty session', async () => {
        const p = await openProcess();
        const tx = await p.db.begin();
        const counting = new CountingExecutor(tx);
        await p.indexer.session().flush(counting);
        await tx.commit();
        assert.equal(counting.statements, 0);
      });

      it('flushes 1,200 texts in four statements: the sequence number and three multi-row upserts', async () => {
        const p = await openProcess();
        const tx = await p.db.begin();
        const counting = new CountingExecutor(tx);
        const session = p.indexer.session();
        for (let i = 1; i <= 1200; i++) session.add(doc('msg', String(i), 'content'), `message number ${i} about bulk`);
        await session.flush(counting);
        await tx.commit();
        assert.equal(counting.statements, 4);
        assert.equal((await find(p, 'bulk')).length, 1200);
        assert.deepEqual(await find(p, 'message 777'), ['msg:777:content']);
      });
    });

    describe('removal', () => {
      it('removes every text of an item and leaves other items alone', async () => {
        const p = await openProcess();
        await write(p, (s) => {
          s.add(doc('issue', '1', 'title'), 'alpha');
          s.add(doc('issue', '1', 'summary'), 'alpha beta');
          s.add(doc('issue', '2', 'title'), 'alpha');
          s.add(doc('issue2', '1', 'title'), 'alpha');
        });
        await write(p, (s) => s.removeItem('issue', '1'));
        assert.deepEqual(await find(p, 'alpha'), ['issue2:1:title', 'issue:2:title']);
        assert.deepEqual(await find(p, 'beta'), []);
      });

      it('voids texts staged for an item before its removal but keeps those staged after', async () => {
        const p = await openProcess();
        await write(p, (s) => s.add(doc('issue', '1', 'title'), 'old words'));
        await write(p, (s) => {
          s.add(doc('issue', '1', 'summary'), 'staged before');
          s.removeItem('issue', '1');
          s.add(doc('issue', '1', 'title'), 'staged after');
        });
        assert.deepEqual(await find(p, 'old'), []);
        assert.deepEqual(await find(p, 'before'), []);
        assert.deepEqual(await find(p, 'after'), ['issue:1:title']);
      });

      it('can index an item again after its removal', async () => {
        const p = await openProcess();
        await write(p, (s) => s.add(doc('issue', '1', 'title'), 'first life'));
        await write(p, (s) => s.removeItem('issue', '1'));
        assert.deepEqual(await find(p, 'life'), []);
        await write(p, (s) => s.add(doc('issue', '1', 'title'), 'second life'));
        assert.deepEqual(await find(p, 'life'), ['issue:1:title']);
      });
    });

    describe('several processes on one database', () => {
      it("finds another process's committed text on the next search, and stops finding it once removed", async () => {
        const mailgw = await openProcess();
        const web = await openProcess();
        await write(web, (s) => s.add(doc('issue', '1', 'title'), 'unrelated'));
        assert.deepEqual(await find(web, 'printer'), []);

        await write(mailgw, (s) => s.add(doc('msg', '1', 'content'), 'the printer is on fire'));
        assert.deepEqual(await find(web, 'printer fire'), ['msg:1:content']);

        await write(mailgw, (s) => s.add(doc('msg', '1', 'content'), 'the printer is fine'));
        assert.deepEqual(await find(web, 'fire'), []);
        assert.deepEqual(await find(web, 'fine'), ['msg:1:content']);

        await write(mailgw, (s) => s.removeItem('msg', '1'));
        assert.deepEqual(await find(web, 'printer'), []);
      });

      it('does not see text that another process has flushed but not committed', async () => {
        const writer = await openProcess();
        const reader = await openProcess();
        assert.deepEqual(await find(reader, 'pending'), []);
        const tx = await writer.db.begin();
        const session = writer.indexer.session();
        session.add(doc('msg', '1', 'content'), 'pending text');
        await session.flush(tx);
        assert.deepEqual(await find(reader, 'pending'), []);
        await tx.commit();
        assert.deepEqual(await find(reader, 'pending'), ['msg:1:content']);
      });

      it('does not skip a change that reuses the number of a rolled-back one', async () => {
        const writer = await openProcess();
        const reader = await openProcess();
        await write(writer, (s) => s.add(doc('msg', '1', 'content'), 'first'));
        assert.deepEqual(await find(reader, 'first'), ['msg:1:content']);

        const tx = await writer.db.begin();
        const doomed = writer.indexer.session();
        doomed.add(doc('msg', '2', 'content'), 'doomed second');
        await doomed.flush(tx);
        await tx.rollback();
        assert.deepEqual(await find(reader, 'second'), []);

        await write(writer, (s) => s.add(doc('msg', '3', 'content'), 'real second'));
        assert.deepEqual(await find(reader, 'second'), ['msg:3:content']);
      });

      it('numbers concurrent flushes in commit order', async () => {
        const a = await openProcess();
        const b = await openProcess();
        const observer = await openProcess();
        assert.deepEqual(await find(observer, 'anything'), []);

        const txA = await a.db.begin();
        const sessionA = a.indexer.session();
        sessionA.add(doc('msg', '1', 'content'), 'from process alpha');
        await sessionA.flush(txA);
        // B starts while A holds its number; it must wait for A and take the next one.
        const bDone = write(b, (s) => s.add(doc('msg', '2', 'content'), 'from process beta'));
        await txA.commit();
        await bDone;

        const rows = await observer.db.reader.all<{ itemid: string; seq: unknown }>(
          'SELECT _itemid AS itemid, _seq AS seq FROM __textindex ORDER BY _itemid',
        );
        assert.deepEqual(
          rows.map((r) => [r.itemid, Number(r.seq)]),
          [['1', 1], ['2', 2]],
        );
        assert.deepEqual(await find(observer, 'process'), ['msg:1:content', 'msg:2:content']);
      });

      it('applies a bulk change by another process correctly, however large', async () => {
        const writer = await openProcess();
        const reader = await openProcess();
        await write(writer, (s) => {
          for (let i = 1; i <= 600; i++) s.add(doc('issue', String(i), 'title'), `alpha ${i}`);
        });
        assert.equal((await find(reader, 'alpha')).length, 600);
        await write(writer, (s) => {
          for (let i = 1; i <= 550; i++) s.add(doc('issue', String(i), 'title'), `beta ${i}`);
          for (let i = 551; i <= 560; i++) s.removeItem('issue', String(i));
          for (let i = 601; i <= 610; i++) s.add(doc('issue', String(i), 'title'), `alpha ${i}`);
        });
        const alpha = await find(reader, 'alpha');
        assert.equal(alpha.length, 50);
        assert.deepEqual(alpha.slice(0, 3), ['issue:561:title', 'issue:562:title', 'issue:563:title']);
        assert.equal((await find(reader, 'beta')).length, 550);
        assert.deepEqual(await find(reader, 'beta 42'), ['issue:42:title']);
        assert.deepEqual(await find(reader, 'alpha 42'), []);
        assert.deepEqual(await find(reader, 'alpha 555'), []);
      });

      it('loads every committed text on the first search of a new process', async () => {
        const first = await openProcess();
        await write(first, (s) => {
          for (let i = 1; i <= 5; i++) s.add(doc('msg', String(i), 'content'), `stored text ${i}`);
        });
        await write(first, (s) => s.removeItem('msg', '3'));
        const restarted = await openProcess();
        assert.deepEqual(await find(restarted, 'stored'), [
          'msg:1:content', 'msg:2:content', 'msg:4:content', 'msg:5:content',
        ]);
      });
    });

    describe('clear', () => {
      it('empties the index for this process and, once committed, for the others', async () => {
        const admin = await openProcess();
        const web = await openProcess();
        await write(admin, (s) => {
          s.add(doc('issue', '1', 'title'), 'kept after reindex');
          s.add(doc('issue', '2', 'title'), 'gone after reindex');
        });
        assert.deepEqual(await find(web, 'reindex'), ['issue:1:title', 'issue:2:title']);

        const tx = await admin.db.begin();
        await admin.indexer.clear(tx);
        const session = admin.indexer.session();
        session.add(doc('issue', '1', 'title'), 'kept after reindex');
        await session.flush(tx);
        await tx.commit();

        assert.deepEqual(await find(web, 'reindex'), ['issue:1:title']);
        assert.deepEqual(await find(admin, 'reindex'), ['issue:1:title']);
        assert.deepEqual(await find(web, 'gone'), []);
      });

      it('leaves everything findable when the clearing transaction rolls back', async () => {
        const admin = await openProcess();
        await write(admin, (s) => s.add(doc('issue', '1', 'title'), 'survivor'));
        assert.deepEqual(await find(admin, 'survivor'), ['issue:1:title']);
        const tx = await admin.db.begin();
        await admin.indexer.clear(tx);
        await tx.rollback();
        assert.deepEqual(await find(admin, 'survivor'), ['issue:1:title']);
      });

      it('lets another process see an empty index after a clear with nothing re-added', async () => {
        const admin = await openProcess();
        const web = await openProcess();
        await write(admin, (s) => s.add(doc('issue', '1', 'title'), 'ephemeral'));
        assert.deepEqual(await find(web, 'ephemeral'), ['issue:1:title']);
        const tx = await admin.db.begin();
        await admin.indexer.clear(tx);
        await tx.commit();
        assert.deepEqual(await find(web, 'ephemeral'), []);
        await write(admin, (s) => s.add(doc('issue', '2', 'title'), 'ephemeral again'));
        assert.deepEqual(await find(web, 'ephemeral'), ['issue:2:title']);
      });
    });

    describe('lifecycle and storage', () => {
      it('reloads from the database when searched again after close', async () => {
        const p = await openProcess();
        await write(p, (s) => s.add(doc('issue', '1', 'title'), 'persistent'));
        assert.deepEqual(await find(p, 'persistent'), ['issue:1:title']);
        p.indexer.close();
        assert.deepEqual(await find(p, 'persistent'), ['issue:1:title']);
      });

      it('keeps existing entries when setup runs again', async () => {
        const p = await openProcess();
        await write(p, (s) => s.add(doc('issue', '1', 'title'), 'durable'));
        const tx = await p.db.begin();
        await p.indexer.setup(tx);
        await tx.commit();
        const other = await openProcess();
        assert.deepEqual(await find(other, 'durable'), ['issue:1:title']);
      });

      it('stores the tokenised, de-duplicated word list rather than the raw text', async () => {
        const p = await openProcess();
        await write(p, (s) => s.add(doc('msg', '7', 'content'), 'Hello, hello WORLD! The end.'));
        const rows = await p.db.reader.all<{ words: string }>(
          "SELECT _words AS words FROM __textindex WHERE _class = 'msg' AND _itemid = '7' AND _prop = 'content'",
        );
        assert.deepEqual(rows, [{ words: 'HELLO WORLD END' }]);
      });

      it('keeps a numbered tombstone for a removed text', async () => {
        const p = await openProcess();
        await write(p, (s) => s.add(doc('msg', '7', 'content'), 'hello'));
        await write(p, (s) => s.removeItem('msg', '7'));
        const rows = await p.db.reader.all<{ words: string; seq: unknown }>(
          'SELECT _words AS words, _seq AS seq FROM __textindex',
        );
        assert.deepEqual(rows.map((r) => [r.words, Number(r.seq)]), [['', 2]]);
      });

      it('fails with RUP_ERR_DATABASE when the state row is missing', async () => {
        const p = await openProcess();
        await p.db.reader.run('DELETE FROM __textindex_state');
        await assert.rejects(p.indexer.find(p.db.reader, 'anything'), (err: unknown) => {
          assert.ok(err instanceof RupError);
          assert.equal(err.code, 'RUP_ERR_DATABASE');
          assert.match(err.message, /__textindex_state/);
          return true;
        });
        const tx = await p.db.begin();
        const session = p.indexer.session();
        session.add(doc('issue', '1', 'title'), 'words');
        await assert.rejects(session.flush(tx), { code: 'RUP_ERR_DATABASE' });
        await tx.rollback();
      });
    });
  });
}

describe('indexer/flexsearch-indexer', () => {
  indexerSuite('on SQLite', async () => createSqliteTestDatabase());
  indexerSuite('on PostgreSQL', createPostgresTestDatabase);
});
