import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Reject } from '../../lib/errors.js';
import type { Database } from '../../lib/hyperdb/database.js';
import { importPlugin } from '../../lib/tracker/plugin-loader.js';
import { Tracker } from '../../lib/tracker/tracker.js';
import { type HomeCopy, copyFixtureHome } from '../support/fixture-homes.js';

/*
 * Auditors and reactors as Roundup fires them, proved with the detectors of
 * the fixture home `detector-log`: recorder.js notes every call with its
 * arguments, defaults.js changes newvalues, priorities.js notes the order,
 * guards.js refuses, fails and writes to the `log` class.
 */

interface Call {
  kind: 'audit' | 'react';
  event: string;
  classname: string;
  clChecked: boolean;
  itemid: string | null;
  values: Record<string, unknown> | null;
  checked: boolean;
  uid: string;
  roles: string;
}

describe('hyperdb/detectors: auditors and reactors', () => {
  let copy: HomeCopy;
  let tracker: Tracker;
  let calls: Call[];
  let order: string[];
  const open: Database[] = [];

  before(async () => {
    copy = copyFixtureHome('detector-log');
    tracker = await Tracker.open(copy.home);
    await tracker.initialise('secret');
    // The detectors' own module instances: same file, same load tag.
    const detector = (name: string) => importPlugin(join(copy.home, 'detectors', name), tracker.loadTag);
    calls = (await detector('recorder.js')).calls as Call[];
    order = (await detector('priorities.js')).order as string[];
  });

  after(async () => {
    await tracker?.close();
    copy.remove();
  });

  beforeEach(() => {
    calls.length = 0;
    order.length = 0;
  });

  afterEach(async () => {
    for (const db of open.splice(0)) await db.close();
  });

  async function admin(): Promise<Database> {
    const db = await tracker.open({ username: 'admin' }, { checked: false });
    open.push(db);
    return db;
  }

  /** An issue committed in its own unit of work, before the calls under test. */
  async function committedIssue(title: string): Promise<string> {
    const db = await admin();
    const id = await db.getclass('issue').create({ title });
    await db.commit();
    calls.length = 0;
    order.length = 0;
    return id;
  }

  /** The texts of the log class, as committed. */
  async function logTexts(): Promise<string[]> {
    const db = await admin();
    const log = db.getclass('log');
    const items = await log.getMany(await log.list());
    return [...items.values()].map((v) => v.text as string);
  }

  const args = (c: Call) => ({ kind: c.kind, event: c.event, classname: c.classname, itemid: c.itemid, values: c.values });

  it('calls create auditors with itemid null and the values given, and create reactors with the new id and null', async () => {
    const db = await admin();
    const id = await db.getclass('issue').create({ title: 'printer on fire', assignedto: '1' });
    assert.deepEqual(calls.map(args), [
      { kind: 'audit', event: 'create', classname: 'issue', itemid: null, values: { title: 'printer on fire', assignedto: '1' } },
      { kind: 'react', event: 'create', classname: 'issue', itemid: id, values: null },
    ]);
    await db.commit();
  });

  it('calls set auditors with only the values given and set reactors with the whole item as it was', async () => {
    const id = await committedIssue('before');
    const db = await admin();
    const before = await db.getclass('issue').getnode(id);
    await db.getclass('issue').set(id, { title: 'after' });
    assert.deepEqual(calls.map(args), [
      { kind: 'audit', event: 'set', classname: 'issue', itemid: id, values: { title: 'after' } },
      { kind: 'react', event: 'set', classname: 'issue', itemid: id, values: before },
    ]);
    assert.equal(before.severity, 'normal');
    assert.equal(before.title, 'before');
    await db.commit();
  });

  it('calls retire and restore auditors and reactors with the item id and null', async () => {
    const id = await committedIssue('short-lived');
    const db = await admin();
    await db.getclass('issue').retire(id);
    await db.getclass('issue').restore(id);
    assert.deepEqual(calls.map(args), [
      { kind: 'audit', event: 'retire', classname: 'issue', itemid: id, values: null },
      { kind: 'react', event: 'retire', classname: 'issue', itemid: id, values: null },
      { kind: 'audit', event: 'restore', classname: 'issue', itemid: id, values: null },
      { kind: 'react', event: 'restore', classname: 'issue', itemid: id, values: null },
    ]);
    await db.commit();
    assert.equal(await db.getclass('issue').isRetired(id), false);
  });

  it('stores what auditors put into newvalues', async () => {
    const db = await admin();
    const issue = db.getclass('issue');
    const id = await issue.create({ title: 'no severity given' });
    assert.equal(await issue.get(id, 'severity'), 'normal');
    assert.equal(await issue.get(id, 'title'), 'no severity given');
    assert.deepEqual(await issue.set(id, { title: '  padded  ' }), { title: 'padded' });
    assert.equal(await issue.get(id, 'title'), 'padded');
    await db.commit();
  });

  it('runs auditors and reactors by priority, lower numbers first, equal ones in registration order', async () => {
    const db = await admin();
    await db.getclass('issue').create({ title: 'ordered' });
    assert.deepEqual(order, [
      'audit 50',
      'audit default, first',
      'audit 100, second',
      'audit default, third',
      'audit 200',
      'react 5',
      'react 300',
    ]);
    await db.commit();
  });

  it('aborts a change with RUP_ERR_REJECT and the auditor\'s message when an auditor raises Reject', async () => {
    const id = await committedIssue('allowed');
    const db = await admin();
    const issue = db.getclass('issue');
    const count = (await issue.list()).length;
    await assert.rejects(issue.create({ title: 'forbidden' }), (err: unknown) => {
      assert.ok(err instanceof Reject);
      assert.equal(err.code, 'RUP_ERR_REJECT');
      assert.equal(err.message, 'titles may not be "forbidden"');
      return true;
    });
    await assert.rejects(issue.set(id, { title: 'forbidden' }), { code: 'RUP_ERR_REJECT', message: 'titles may not be "forbidden"' });
    // No reactor ran: the refused changes were never applied.
    assert.deepEqual(calls.map((c) => `${c.kind} ${c.event}`), ['audit create', 'audit set']);
    await db.rollback();
    assert.equal((await issue.list()).length, count);
    assert.equal(await issue.get(id, 'title'), 'allowed');
  });

  it('refuses to commit after an auditor wrote and then rejected, and a rollback removes that write', async () => {
    const id = await committedIssue('precious');
    const db = await admin();
    await assert.rejects(db.getclass('issue').retire(id), { code: 'RUP_ERR_REJECT', message: `issue${id} is precious` });
    await assert.rejects(db.commit(), {
      code: 'RUP_ERR_DATABASE',
      message: `cannot commit: a change failed (issue${id} is precious); roll back`,
    });
    await db.rollback();
    assert.equal(await db.getclass('issue').isRetired(id), false);
    assert.equal((await logTexts()).includes(`retire requested for issue${id}`), false);
  });

  it('after a reactor fails, refuses further changes and the commit; a rollback leaves nothing of the unit of work or of its reactors', async () => {
    const calm = await committedIssue('calm');
    const db = await admin();
    const issue = db.getclass('issue');
    const other = await issue.create({ title: 'made in the same unit of work' });
    await assert.rejects(issue.set(calm, { title: 'explode' }), { name: 'Error', message: `reactor failed on issue${calm}` });
    await assert.rejects(issue.create({ title: 'one more' }), {
      code: 'RUP_ERR_DATABASE',
      message: `an earlier change failed (reactor failed on issue${calm}); roll back before changing anything else`,
    });
    await assert.rejects(db.commit(), {
      code: 'RUP_ERR_DATABASE',
      message: `cannot commit: a change failed (reactor failed on issue${calm}); roll back`,
    });
    await db.rollback();
    assert.equal(await issue.get(calm, 'title'), 'calm');
    assert.equal(await issue.hasnode(other), false);
    const log = await logTexts();
    assert.equal(log.includes(`exploding issue${calm}`), false);
    assert.equal(log.includes(`created issue${other}`), false);
    assert.equal(log.includes(`created issue${calm}`), true);
    // The unit of work is usable again after the rollback.
    await issue.set(calm, { title: 'calm again' });
    await db.commit();
    assert.equal(await issue.get(calm, 'title'), 'calm again');
  });

  it('gives detectors the unchecked database, acting as the caller, even when the caller\'s database is checked', async () => {
    const jane = await tracker.open({ username: 'jane' }, { checked: true });
    open.push(jane);
    const janeId = jane.getuid();
    // Jane herself may not read user records, nor write the log.
    await assert.rejects(jane.getclass('user').get(janeId, 'roles'), { code: 'RUP_ERR_PERMISSION' });
    await assert.rejects(jane.getclass('log').create({ text: 'mine' }), { code: 'RUP_ERR_PERMISSION' });
    const id = await jane.getclass('issue').create({ title: 'from jane' });
    await jane.getclass('issue').set(id, { title: 'from jane, edited' });
    await jane.commit();
    assert.equal(calls.length, 4);
    for (const call of calls) {
      assert.deepEqual(
        { checked: call.checked, clChecked: call.clChecked, uid: call.uid, roles: call.roles },
        { checked: false, clChecked: false, uid: janeId, roles: 'User' },
      );
    }
    // The create reactor wrote to the log on Jane's behalf.
    assert.equal((await logTexts()).includes(`created issue${id}`), true);
    const sys = await admin();
    assert.equal(await sys.getclass('issue').get(id, 'creator'), janeId);
  });
});
