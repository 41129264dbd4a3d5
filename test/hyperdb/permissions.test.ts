/**
 * A checked database enforces the security model in the hyperdb API
 * itself (whatever frontend calls it), with the classic template's
 * permissions: creation, changes, retire/restore, reads of single
 * properties, whole items, lists, searches and history. The unchecked
 * view stays unlimited, and `db.security.hasPermission` answers for any user.
 */
import assert from 'node:assert/strict';
import type { Database } from '../../lib/hyperdb/database.js';
import type { JournalEntry } from '../../lib/hyperdb/journal.js';
import { rejectsWith, type TemplateTracker, useTemplateTracker } from '../templates/template-fixtures.js';

interface People {
  alice: string;
  bob: string;
  /** An issue made by admin. */
  issue: string;
}

/** Adds alice and bob (role User) and one issue made by admin. */
async function populate(h: TemplateTracker): Promise<People> {
  const users = await h.addUsers([
    { username: 'alice', roles: 'User', address: 'alice@example.com' },
    { username: 'bob', roles: 'User', address: 'bob@example.com' },
  ]);
  const admin = await h.open({ username: 'admin' });
  const issue = await admin.getclass('issue').create({ title: 'existing', priority: 'bug' });
  await admin.commit();
  return { alice: users.alice!, bob: users.bob!, issue };
}

/** Creates a query as `username` and commits. */
async function queryBy(h: TemplateTracker, username: string, values: Record<string, unknown>): Promise<string> {
  const db = await h.open({ username }, { checked: true });
  const id = await db.getclass('query').create({ klass: 'issue', url: '?@columns=title', ...values });
  await db.commit();
  return id;
}

const entries = (journal: JournalEntry[]) => journal.map((e) => [e.userid, e.action, e.params]);

describe('hyperdb permission enforcement (classic template, sqlite)', () => {
  const fixture = useTemplateTracker({ template: 'classic' });
  let p: People;
  beforeEach(async () => {
    p = await populate(fixture.h);
  });
  const as = (username: string) => fixture.h.open({ username }, { checked: true });
  const system = () => fixture.h.open({ username: 'admin' });

  describe('Anonymous', () => {
    let anonymous: Database;
    beforeEach(async () => {
      anonymous = await as('anonymous');
    });

    it('cannot create an issue, and nothing is stored', async () => {
      await rejectsWith(anonymous.getclass('issue').create({ title: 'spam' }), 'RUP_ERR_PERMISSION', 'You do not have permission to create issue');
      await anonymous.commit();
      assert.deepEqual(await (await system()).getclass('issue').getnodeids(null), [p.issue]);
    });

    it('cannot change an issue, and nothing is stored', async () => {
      await rejectsWith(
        anonymous.getclass('issue').set(p.issue, { title: 'defaced' }),
        'RUP_ERR_PERMISSION',
        `You do not have permission to edit issue.title of issue${p.issue}`,
      );
      await anonymous.commit();
      const sys = await system();
      assert.equal(await sys.getclass('issue').get(p.issue, 'title'), 'existing');
      assert.deepEqual(entries(await sys.getclass('issue').history(p.issue)), [['1', 'create', {}]]);
    });

    it('cannot retire or restore an issue, and nothing is stored', async () => {
      await rejectsWith(anonymous.getclass('issue').retire(p.issue), 'RUP_ERR_PERMISSION', `You do not have permission to retire issue of issue${p.issue}`);
      await anonymous.commit();
      assert.equal(await (await system()).getclass('issue').isRetired(p.issue), false);
      const admin = await system();
      await admin.getclass('issue').retire(p.issue);
      await admin.commit();
      await rejectsWith(anonymous.getclass('issue').restore(p.issue), 'RUP_ERR_PERMISSION', `You do not have permission to restore issue of issue${p.issue}`);
      await anonymous.commit();
      assert.equal(await (await system()).getclass('issue').isRetired(p.issue), true);
    });

    it('may read issues but not users', async () => {
      assert.equal(await anonymous.getclass('issue').get(p.issue, 'title'), 'existing');
      assert.deepEqual(await anonymous.getclass('user').list(), []);
      await rejectsWith(anonymous.getclass('user').get(p.alice, 'username'), 'RUP_ERR_PERMISSION', `You do not have permission to view user.username of user${p.alice}`);
      await rejectsWith(anonymous.getclass('user').getnode(p.alice), 'RUP_ERR_PERMISSION', `You do not have permission to view user${p.alice}`);
    });
  });

  describe('User', () => {
    it('can create issues and messages, recorded as theirs', async () => {
      const alice = await as('alice');
      const msg = await alice.getclass('msg').create({ content: 'it is on fire', author: p.alice });
      const issue = await alice.getclass('issue').create({ title: 'mine', priority: 'urgent', messages: [msg] });
      await alice.commit();
      const sys = await system();
      const node = await sys.getclass('issue').getnode(issue);
      assert.deepEqual([node.title, node.priority, node.messages, node.creator, node.actor], ['mine', '2', [msg], p.alice, p.alice]);
    });

    it('cannot create users', async () => {
      const alice = await as('alice');
      await rejectsWith(alice.getclass('user').create({ username: 'mallory' }), 'RUP_ERR_PERMISSION', 'You do not have permission to create user');
    });

    it('cannot change another user\'s address nor anyone\'s roles, but may change their own address', async () => {
      const alice = await as('alice');
      const user = alice.getclass('user');
      await rejectsWith(user.set(p.bob, { address: 'bob@evil.example' }), 'RUP_ERR_PERMISSION', `You do not have permission to edit user.address of user${p.bob}`);
      await rejectsWith(user.set(p.bob, { roles: 'Anonymous' }), 'RUP_ERR_PERMISSION', `You do not have permission to edit user.roles of user${p.bob}`);
      await rejectsWith(user.set(p.alice, { roles: 'Admin' }), 'RUP_ERR_PERMISSION', `You do not have permission to edit user.roles of user${p.alice}`);
      await rejectsWith(
        user.set(p.alice, { realname: 'Alice', roles: 'User,Admin' }),
        'RUP_ERR_PERMISSION',
        `You do not have permission to edit user.roles of user${p.alice}`,
      );
      assert.deepEqual(await user.set(p.alice, { address: 'alice@example.org' }), { address: 'alice@example.org' });
      await alice.commit();
      const all = await (await system()).getclass('user').getMany([p.alice, p.bob]);
      assert.deepEqual(
        [all.get(p.alice)!.address, all.get(p.alice)!.roles, all.get(p.alice)!.realname, all.get(p.bob)!.address, all.get(p.bob)!.roles],
        ['alice@example.org', 'User', null, 'bob@example.com', 'User'],
      );
    });

    it('gets RUP_ERR_PERMISSION reading another user\'s address with get, while getnode and getMany leave it out', async () => {
      const alice = await as('alice');
      const user = alice.getclass('user');
      await rejectsWith(user.get(p.bob, 'address'), 'RUP_ERR_PERMISSION', `You do not have permission to view user.address of user${p.bob}`);
      assert.equal(await user.get(p.bob, 'username'), 'bob');
      assert.equal(await user.get(p.alice, 'address'), 'alice@example.com');
      const visible = ['id', 'organisation', 'phone', 'realname', 'timezone', 'username'];
      assert.deepEqual(Object.keys(await user.getnode(p.bob)).sort(), visible);
      const many = await user.getMany([p.alice, p.bob]);
      assert.deepEqual(Object.keys(many.get(p.bob)!).sort(), visible);
      assert.equal(many.get(p.alice)!.address, 'alice@example.com');
      assert.deepEqual(Object.keys(many.get(p.alice)!).sort(), [...user.getprops().keys()].sort());
    });

    it('cannot see another user\'s private queries through list, filter, find, stringFind, getMany, get or getnode', async () => {
      const secret = await queryBy(fixture.h, 'alice', { name: 'secret', private_for: p.alice });
      const shared = await queryBy(fixture.h, 'alice', { name: 'shared' });
      const bob = await as('bob');
      const query = bob.getclass('query');
      assert.deepEqual(await query.list(), [shared]);
      assert.deepEqual(await query.getnodeids(null), [shared]);
      assert.deepEqual(await query.filter(null, {}), [shared]);
      assert.deepEqual(await query.filter(null, { klass: 'issue' }, { limit: 1 }), [shared]);
      assert.deepEqual(await query.filter([secret, shared], {}, { sort: [['+', 'name']] }), [shared]);
      assert.deepEqual(await query.find({ private_for: p.alice }), []);
      assert.deepEqual(await query.stringFind({ name: 'secret' }), []);
      assert.deepEqual([...(await query.getMany([secret, shared])).keys()], [shared]);
      await rejectsWith(query.get(secret, 'name'), 'RUP_ERR_PERMISSION', `You do not have permission to view query.name of query${secret}`);
      await rejectsWith(query.getnode(secret), 'RUP_ERR_PERMISSION', `You do not have permission to view query${secret}`);

      const alice = await as('alice');
      assert.deepEqual(await alice.getclass('query').list(), [secret, shared]);
      assert.deepEqual(await alice.getclass('query').find({ private_for: p.alice }), [secret]);
      assert.deepEqual(await alice.getclass('query').stringFind({ name: 'secret' }), [secret]);
    });

    it('sees in history only the changes and links they may view', async () => {
      const admin = await system();
      await admin.getclass('user').set(p.alice, { address: 'alice@example.org' });
      await admin.getclass('user').set(p.alice, { realname: 'Alice Adams' });
      await admin.commit();
      const secret = await queryBy(fixture.h, 'alice', { name: 'secret', private_for: p.alice });
      const everything = [
        ['1', 'create', {}],
        ['1', 'set', { address: 'alice@example.com' }],
        ['1', 'set', { realname: null }],
        [p.alice, 'link', ['query', secret, 'private_for']],
      ];
      assert.deepEqual(entries(await (await as('alice')).getclass('user').history(p.alice)), everything);
      assert.deepEqual(entries(await (await as('bob')).getclass('user').history(p.alice)), [
        ['1', 'create', {}],
        ['1', 'set', { realname: null }],
      ]);
      assert.deepEqual(entries(await (await as('anonymous')).getclass('user').history(p.alice)), [['1', 'create', {}]]);
      assert.deepEqual(entries(await (await as('bob')).getclass('user').history(p.alice, { enforceperm: false })), everything);
    });

    it('needs Retire and Restore: a User may retire and restore only their own queries, not issues', async () => {
      const mine = await queryBy(fixture.h, 'alice', { name: 'mine' });
      const bob = await as('bob');
      await rejectsWith(bob.getclass('query').retire(mine), 'RUP_ERR_PERMISSION', `You do not have permission to retire query of query${mine}`);
      await bob.rollback();

      const alice = await as('alice');
      await alice.getclass('query').retire(mine);
      await alice.commit();
      assert.equal(await (await system()).getclass('query').isRetired(mine), true);

      await rejectsWith(bob.getclass('query').restore(mine), 'RUP_ERR_PERMISSION', `You do not have permission to restore query of query${mine}`);
      await bob.rollback();
      await alice.getclass('query').restore(mine);
      await alice.commit();
      assert.equal(await (await system()).getclass('query').isRetired(mine), false);

      await rejectsWith(alice.getclass('issue').retire(p.issue), 'RUP_ERR_PERMISSION', `You do not have permission to retire issue of issue${p.issue}`);
      await alice.rollback();
      const admin = await as('admin');
      await admin.getclass('issue').retire(p.issue);
      await admin.commit();
      assert.equal(await (await system()).getclass('issue').isRetired(p.issue), true);
    });
  });

  it('does not limit the unchecked view of a checked unit of work', async () => {
    const secret = await queryBy(fixture.h, 'alice', { name: 'secret', private_for: p.alice });
    const anonymous = await as('anonymous');
    const sys = anonymous.system();
    assert.deepEqual([anonymous.checked, sys.checked], [true, false]);
    assert.equal(await sys.getclass('user').get(p.alice, 'address'), 'alice@example.com');
    assert.deepEqual(await sys.getclass('query').list(), [secret]);
    const issue = await sys.getclass('issue').create({ title: 'made through the unchecked view' });
    await anonymous.commit();
    assert.equal(await (await system()).getclass('issue').get(issue, 'creator'), '2');
    assert.deepEqual(await (await as('bob')).system().getclass('query').getMany([secret]).then((m) => [...m.keys()]), [secret]);
  });

  it('answers db.security.hasPermission(permission, userid, classname, property, itemid) for any user', async () => {
    const anonymous = await as('anonymous');
    const ask = anonymous.security.hasPermission;
    const pending = ask('View', p.alice, 'user', 'address', p.alice);
    assert.ok(pending instanceof Promise);
    assert.equal(await pending, true);
    assert.equal(await ask('View', p.bob, 'user', 'address', p.alice), false);
    assert.equal(await ask('View', p.bob, 'user', 'realname', p.alice), true);
    assert.equal(await ask('Edit', p.alice, 'user', 'roles', p.alice), false);
    assert.equal(await ask('Edit', '1', 'user', 'roles', p.alice), true);
    assert.equal(await ask('Create', p.alice, 'issue'), true);
    assert.equal(await ask('Create', '2', 'issue'), false);
    assert.equal(await ask('Register', '2', 'user'), true);
    assert.equal(await ask('Register', p.alice, 'user'), false);
    assert.equal(await ask('Web Access', '2'), true);
    assert.equal(await ask('Email Access', '2'), false);
    assert.equal(await ask('Web Access', '99'), false);
    const secret = await queryBy(fixture.h, 'alice', { name: 'secret', private_for: p.alice });
    assert.equal(await ask('View', p.bob, 'query', null, secret), false);
    assert.equal(await ask('View', p.alice, 'query', 'name', secret), true);
    assert.equal(await (await system()).security.hasPermission('View', p.bob, 'query', null, secret), false);
  });
});
