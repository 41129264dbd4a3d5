/**
 * The classic template against Roundup 2.x's: its classes, property types
 * and options, key/label/order properties, initial data (on every
 * backend), the headers of a Roundup export of it, and its security model
 * as seen by a User, an Anonymous and an Admin.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from '../../lib/hyperdb/date.js';
import type { Database } from '../../lib/hyperdb/database.js';
import { verifyPassword } from '../../lib/hyperdb/password.js';
import { formatSecurityReport } from '../../lib/security/index.js';
import { sharedFixtures } from '../support/paths.js';
import { AUTOMATIC_PROPERTIES, signatures, useTemplateTracker } from './template-fixtures.js';

interface ExpectedClass {
  kind: 'class' | 'issue' | 'file';
  key: string | null;
  labelprop: string;
  orderprop: string;
  properties: Record<string, string>;
}

/** Roundup 2.x classic schema.py, with what IssueClass and FileClass add. */
const CLASSIC: Record<string, ExpectedClass> = {
  priority: { kind: 'class', key: 'name', labelprop: 'name', orderprop: 'order', properties: { name: 'String', order: 'Number' } },
  status: { kind: 'class', key: 'name', labelprop: 'name', orderprop: 'order', properties: { name: 'String', order: 'Number' } },
  keyword: { kind: 'class', key: 'name', labelprop: 'name', orderprop: 'name', properties: { name: 'String' } },
  query: {
    kind: 'class',
    key: null,
    labelprop: 'name',
    orderprop: 'name',
    properties: { klass: 'String', name: 'String', url: 'String', private_for: 'Link user' },
  },
  user: {
    kind: 'class',
    key: 'username',
    labelprop: 'username',
    orderprop: 'username',
    properties: {
      username: 'String',
      password: 'Password',
      address: 'String',
      realname: 'String',
      phone: 'String',
      organisation: 'String',
      alternate_addresses: 'String',
      queries: 'Multilink query',
      roles: 'String',
      timezone: 'String',
    },
  },
  // No key, "name" or "title": Roundup's labelprop() falls back to the
  // first property name in sorted order, automatic ones included.
  msg: {
    kind: 'file',
    key: null,
    labelprop: 'activity',
    orderprop: 'activity',
    properties: {
      author: 'Link user no-journal',
      recipients: 'Multilink user no-journal',
      date: 'Date',
      summary: 'String',
      files: 'Multilink file',
      messageid: 'String',
      inreplyto: 'String',
      content: 'String indexme',
      type: 'String',
    },
  },
  file: { kind: 'file', key: null, labelprop: 'name', orderprop: 'name', properties: { name: 'String', content: 'String indexme', type: 'String' } },
  issue: {
    kind: 'issue',
    key: null,
    labelprop: 'title',
    orderprop: 'title',
    properties: {
      assignedto: 'Link user',
      keyword: 'Multilink keyword',
      priority: 'Link priority',
      status: 'Link status',
      title: 'String indexme',
      messages: 'Multilink msg',
      files: 'Multilink file',
      nosy: 'Multilink user no-journal',
      superseder: 'Multilink issue',
    },
  },
};

const PRIORITIES = ['critical', 'urgent', 'bug', 'feature', 'wish'];
const STATUSES = ['unread', 'deferred', 'chatting', 'need-eg', 'in-progress', 'testing', 'done-cbb', 'resolved'];

/** `roundup-admin security` of a fresh classic tracker, as Roundup 2.x's test_admin.py expects it. */
const ROUNDUP_SECURITY_REPORT = `New Web users get the Role "User"
New Email users get the Role "User"
Role "admin":
 User may create everything (Create)
 User may edit everything (Edit)
 User may restore everything (Restore)
 User may retire everything (Retire)
 User may view everything (View)
 User may access the web interface (Web Access)
 User may access the rest interface (Rest Access)
 User may access the xmlrpc interface (Xmlrpc Access)
 User may manipulate user Roles through the web (Web Roles)
 User may use the email interface (Email Access)
Role "anonymous":
 User may access the web interface (Web Access)
 User is allowed to register new user (Register for "user" only)
 User is allowed to access issue (View for "issue" only)
 User is allowed to access file (View for "file" only)
 User is allowed to access msg (View for "msg" only)
 User is allowed to access keyword (View for "keyword" only)
 User is allowed to access priority (View for "priority" only)
 User is allowed to access status (View for "status" only)
  (Search for "user" only)
Role "user":
 User may access the web interface (Web Access)
 User may use the email interface (Email Access)
 User may access the rest interface (Rest Access)
 User may access the xmlrpc interface (Xmlrpc Access)
 User is allowed to access issue (View for "issue" only)
 User is allowed to edit issue (Edit for "issue" only)
 User is allowed to create issue (Create for "issue" only)
 User is allowed to access file (View for "file" only)
 User is allowed to edit file (Edit for "file" only)
 User is allowed to create file (Create for "file" only)
 User is allowed to access msg (View for "msg" only)
 User is allowed to edit msg (Edit for "msg" only)
 User is allowed to create msg (Create for "msg" only)
 User is allowed to access keyword (View for "keyword" only)
 User is allowed to edit keyword (Edit for "keyword" only)
 User is allowed to create keyword (Create for "keyword" only)
 User is allowed to access priority (View for "priority" only)
 User is allowed to access status (View for "status" only)
  (View for "user": ('id', 'organisation', 'phone', 'realname', 'timezone', 'username') only)
 User is allowed to view their own user details (View for "user" only)
 User is allowed to edit their own user details (Edit for "user": ('username', 'password', 'address', 'realname', 'phone', 'organisation', 'alternate_addresses', 'queries', 'timezone') only)
 User is allowed to view their own and public queries (View for "query" only)
  (Search for "query" only)
 User is allowed to edit their queries (Edit for "query" only)
 User is allowed to retire their queries (Retire for "query" only)
 User is allowed to restore their queries (Restore for "query" only)
 User is allowed to create queries (Create for "query" only)
`;

for (const backend of ['sqlite', 'postgresql'] as const) {
  describe(`classic template: schema and initial data (${backend})`, () => {
    const fixture = useTemplateTracker({ template: 'classic', backend, shared: true });
    const open = () => fixture.h.open({ username: 'admin' });

    it('defines exactly the classes of Roundup\'s classic schema', async () => {
      const db = await open();
      assert.deepEqual([...db.getclasses()].sort(), Object.keys(CLASSIC).sort());
    });

    for (const [classname, expected] of Object.entries(CLASSIC)) {
      it(`defines ${classname} with Roundup's properties, types and options`, async () => {
        const cl = (await open()).getclass(classname);
        assert.equal(cl.def.kind, expected.kind);
        assert.deepEqual(signatures(cl.getprops(false)), expected.properties);
        assert.deepEqual(signatures(cl.getprops()), { ...expected.properties, ...AUTOMATIC_PROPERTIES });
      });

      it(`gives ${classname} the key, label and order properties Roundup computes`, async () => {
        const cl = (await open()).getclass(classname);
        assert.deepEqual(
          { key: cl.getkey(), labelprop: cl.labelprop(), orderprop: cl.orderprop() },
          { key: expected.key, labelprop: expected.labelprop, orderprop: expected.orderprop },
        );
      });
    }

    it('labels msg items by id when asked to default to it', async () => {
      assert.equal((await open()).getclass('msg').labelprop(true), 'id');
    });

    it('creates the priorities critical..wish with orders 1-5, in that id order', async () => {
      const db = await open();
      const ids = await db.getclass('priority').list();
      assert.deepEqual(ids, ['1', '2', '3', '4', '5']);
      const items = await db.getclass('priority').getMany(ids);
      assert.deepEqual(
        ids.map((id) => [items.get(id)!.name, items.get(id)!.order]),
        PRIORITIES.map((name, i) => [name, i + 1]),
      );
    });

    it('creates the statuses unread..resolved with orders 1-8, in that id order', async () => {
      const db = await open();
      const ids = await db.getclass('status').list();
      assert.deepEqual(ids, ['1', '2', '3', '4', '5', '6', '7', '8']);
      const items = await db.getclass('status').getMany(ids);
      assert.deepEqual(
        ids.map((id) => [items.get(id)!.name, items.get(id)!.order]),
        STATUSES.map((name, i) => [name, i + 1]),
      );
      const byOrder = await db.getclass('status').filter(null, {}, { sort: [['-', 'order']] });
      assert.deepEqual(byOrder, ['8', '7', '6', '5', '4', '3', '2', '1']);
    });

    it('creates admin (roles Admin, the admin_email address, the admin password) and anonymous (roles Anonymous)', async () => {
      const db = await open();
      const users = db.getclass('user');
      assert.deepEqual(await users.list(), ['1', '2']);
      assert.equal(fixture.h.tracker.config.ADMIN_EMAIL, 'roundup-admin@example.com');
      const admin = await users.getnode('1');
      assert.deepEqual(
        { username: admin.username, roles: admin.roles, address: admin.address, realname: admin.realname, queries: admin.queries },
        { username: 'admin', roles: 'Admin', address: fixture.h.tracker.config.ADMIN_EMAIL, realname: null, queries: [] },
      );
      assert.equal((await verifyPassword(admin.password as string, 'admin')).ok, true);
      assert.equal((await verifyPassword(admin.password as string, 'Admin')).ok, false);
      const anonymous = await users.getnode('2');
      assert.deepEqual(
        { username: anonymous.username, roles: anonymous.roles, address: anonymous.address, password: anonymous.password },
        { username: 'anonymous', roles: 'Anonymous', address: null, password: null },
      );
    });

    it('creates nothing else, every initial item made by admin with one create journal entry', async () => {
      const db = await open();
      for (const classname of ['keyword', 'query', 'msg', 'file', 'issue']) {
        assert.equal(await db.getclass(classname).count(), 0, classname);
      }
      for (const [classname, count] of [['priority', 5], ['status', 8], ['user', 2]] as const) {
        const cl = db.getclass(classname);
        const ids = await cl.list();
        assert.equal(ids.length, count);
        for (const item of (await cl.getMany(ids)).values()) {
          assert.deepEqual([item.creator, item.actor], ['1', '1']);
        }
        for (const id of ids) {
          const journal = await cl.history(id, { enforceperm: false, skipquiet: false });
          assert.deepEqual(journal.map((e) => [e.userid, e.action, e.params]), [['1', 'create', {}]], `${classname}${id}`);
        }
      }
    });

    // Last of the suite: it adds items the tests above must not see.
    it('stores and reads back a value for every property of every class', async () => {
      const db = await open();
      const keyword = await db.getclass('keyword').create({ name: 'fast' });
      const priority = await db.getclass('priority').create({ name: 'someday', order: 6.5 });
      const zoe = await db.getclass('user').create({
        username: 'zoe',
        password: 'zoe-pw',
        address: 'zoe@example.com',
        realname: 'Zoë Zed',
        phone: '+48 123',
        organisation: 'Acme',
        alternate_addresses: 'z1@example.com\nz2@example.com',
        roles: 'User',
        timezone: 'Europe/Warsaw',
      });
      const query = await db.getclass('query').create({ klass: 'issue', name: 'mine', url: '?@filter=assignedto&assignedto=zoe', private_for: zoe });
      await db.getclass('user').set(zoe, { queries: [query] });
      const file = await db.getclass('file').create({ name: 'notes.txt', type: 'text/plain', content: 'file text' });
      const date = DateTime.parse('2026-01-02.03:04:05');
      const msg = await db.getclass('msg').create({
        author: zoe,
        recipients: ['1', zoe],
        date,
        summary: 'a summary',
        files: [file],
        messageid: '<m1@example.com>',
        inreplyto: '<m0@example.com>',
        type: 'text/plain',
        content: 'message text',
      });
      const first = await db.getclass('issue').create({ title: 'first' });
      const issue = await db.getclass('issue').create({
        title: 'second',
        assignedto: zoe,
        keyword: [keyword],
        priority,
        status: 'testing',
        messages: [msg],
        files: [file],
        nosy: ['1', zoe],
        superseder: [first],
      });
      await db.commit();

      const check = await fixture.h.open({ username: 'admin' });
      const user = await check.getclass('user').getnode(zoe);
      assert.equal((await verifyPassword(user.password as string, 'zoe-pw')).ok, true);
      const { password: _password, creation: _c, activity: _a, ...userRest } = user;
      assert.deepEqual(userRest, {
        id: zoe,
        username: 'zoe',
        address: 'zoe@example.com',
        realname: 'Zoë Zed',
        phone: '+48 123',
        organisation: 'Acme',
        alternate_addresses: 'z1@example.com\nz2@example.com',
        queries: [query],
        roles: 'User',
        timezone: 'Europe/Warsaw',
        creator: '1',
        actor: '1',
      });
      assert.equal(await check.getclass('priority').get(priority, 'order'), 6.5);
      assert.deepEqual(await check.getclass('query').get(query, 'private_for'), zoe);
      assert.equal(await check.getclass('file').get(file, 'content'), 'file text');
      const m = await check.getclass('msg').getnode(msg);
      assert.deepEqual(
        [m.author, m.recipients, (m.date as DateTime).serialise(), m.summary, m.files, m.messageid, m.inreplyto, m.type],
        [zoe, ['1', zoe], date.serialise(), 'a summary', [file], '<m1@example.com>', '<m0@example.com>', 'text/plain'],
      );
      assert.equal(await check.getclass('msg').get(msg, 'content'), 'message text');
      const i = await check.getclass('issue').getnode(issue);
      assert.deepEqual(
        [i.title, i.assignedto, i.keyword, i.priority, i.status, i.messages, i.files, i.nosy, i.superseder],
        ['second', zoe, [keyword], priority, '6', [msg], [file], ['1', zoe], [first]],
      );
      // msg.author, msg.recipients and issue.nosy are not journalled on the users they point at.
      const links = async (userid: string) =>
        (await check.getclass('user').history(userid, { enforceperm: false, skipquiet: false })).filter((e) => e.action === 'link').map((e) => e.params);
      assert.deepEqual(await links(zoe), [['query', query, 'private_for'], ['issue', issue, 'assignedto']]);
      assert.deepEqual(await links('1'), []);
    });
  });
}

describe('classic template: compatibility with a Roundup 2.6 export', () => {
  const fixture = useTemplateTracker({ template: 'classic', shared: true });
  const exportDir = join(sharedFixtures, 'roundup-classic-export');
  const csvFiles = readdirSync(exportDir).filter((name) => name.endsWith('.csv') && !name.endsWith('-journals.csv'));

  it('has a class for every class file of the export, and no other', () => {
    assert.deepEqual(csvFiles.map((name) => name.slice(0, -4)).sort(), Object.keys(CLASSIC).sort());
  });

  for (const name of csvFiles) {
    const classname = name.slice(0, -4);
    it(`has exactly the columns of ${name} (sorted properties, file content left out, then "is retired")`, async () => {
      const cl = (await fixture.h.open({ username: 'admin' })).getclass(classname);
      const header = readFileSync(join(exportDir, name), 'utf8').split('\n')[0]!.split(':');
      const props = [...cl.getprops().keys()].filter((p) => !(cl.def.kind === 'file' && p === 'content')).sort();
      assert.deepEqual(header, [...props, 'is retired']);
    });
  }

  for (const classname of ['priority', 'status']) {
    it(`creates the ${classname} items of the export with the same ids, names and orders`, async () => {
      const rows = readFileSync(join(exportDir, `${classname}.csv`), 'utf8').split('\n').slice(1).filter(Boolean);
      // activity:actor:creation:creator:id:name:order:is retired, as Python reprs.
      const ROW = /^\([^)]*\):'\d+':\([^)]*\):'\d+':'(\d+)':'([^']*)':([\d.]+):False$/;
      const exported = rows.map((row) => {
        const m = ROW.exec(row);
        assert.ok(m, `unexpected row ${row}`);
        return [m[1]!, m[2]!, Number(m[3])] as const;
      });
      const cl = (await fixture.h.open({ username: 'admin' })).getclass(classname);
      const ours = await cl.getMany(await cl.list());
      assert.deepEqual(
        exported.map(([id]) => [id, ours.get(id)?.name, ours.get(id)?.order]),
        exported.map(([id, itemName, order]) => [id, itemName, order]),
      );
      assert.equal(ours.size, exported.length);
    });
  }
});

describe('classic template: security model (sqlite)', () => {
  const fixture = useTemplateTracker({ template: 'classic', shared: true });
  const ids: Record<string, string> = {};

  before(async () => {
    Object.assign(ids, await fixture.h.addUsers([
      { username: 'alice', roles: 'User', address: 'alice@example.com' },
      { username: 'bob', roles: 'User', address: 'bob@example.com' },
      { username: 'carol', roles: ' USER ', address: 'carol@example.com' },
    ]));
    const makeQuery = async (creator: string, values: Record<string, unknown>) => {
      const db = await fixture.h.tracker.open({ username: creator }, { checked: false });
      try {
        const id = await db.getclass('query').create({ klass: 'issue', url: '?@columns=title', ...values });
        await db.commit();
        return id;
      } finally {
        await db.close();
      }
    };
    ids.alicePublic = await makeQuery('alice', { name: 'public' });
    ids.alicePrivate = await makeQuery('alice', { name: 'private', private_for: ids.alice });
    ids.bobForAlice = await makeQuery('bob', { name: 'made by bob for alice', private_for: ids.alice });
  });

  const as = (username: string) => fixture.h.open({ username }, { checked: true });
  const can = (db: Database, permission: string, classname?: string | null, query: { property?: string; itemid?: string } = {}) =>
    db.hasPermission(permission, classname, query);

  /** Which of the permissions the user has on each class, for every item (permissions with a check left aside). */
  async function classRights(db: Database): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const classname of Object.keys(CLASSIC)) {
      const rights: string[] = [];
      for (const permission of ['View', 'Edit', 'Create', 'Retire', 'Restore', 'Search', 'Register']) {
        if (await db.hasPermission(permission, classname, { skipPermissionsWithCheck: true })) rights.push(permission);
      }
      if (rights.length) out[classname] = rights;
    }
    return out;
  }

  async function interfaces(db: Database): Promise<Record<string, boolean>> {
    const out: Record<string, boolean> = {};
    for (const name of ['Web Access', 'Email Access', 'Rest Access', 'Xmlrpc Access', 'Web Roles']) out[name] = await can(db, name);
    return out;
  }

  const USER_PROPS = [...Object.keys(CLASSIC.user!.properties), ...Object.keys(AUTOMATIC_PROPERTIES)];

  async function userProps(db: Database, permission: string, itemid: string): Promise<string[]> {
    const out: string[] = [];
    for (const property of USER_PROPS) if (await can(db, permission, 'user', { property, itemid })) out.push(property);
    return out.sort();
  }

  it('prints the same `roundup-admin security` report as Roundup 2.x', () => {
    const report = formatSecurityReport(fixture.h.tracker.security, fixture.h.tracker.schema, {
      newWebUserRoles: fixture.h.tracker.config.NEW_WEB_USER_ROLES as string,
      newEmailUserRoles: fixture.h.tracker.config.NEW_EMAIL_USER_ROLES as string,
    });
    assert.equal(report.error, false);
    assert.equal(report.lines.map((line) => `${line}\n`).join(''), ROUNDUP_SECURITY_REPORT);
  });

  it('gives a User Web, Email, Rest and Xmlrpc Access but not Web Roles', async () => {
    assert.deepEqual(await interfaces(await as('alice')), {
      'Web Access': true,
      'Email Access': true,
      'Rest Access': true,
      'Xmlrpc Access': true,
      'Web Roles': false,
    });
  });

  it('gives a User View/Edit/Create on issue, file, msg, keyword, View on priority and status, Create and Search on query', async () => {
    assert.deepEqual(await classRights(await as('alice')), {
      issue: ['View', 'Edit', 'Create'],
      file: ['View', 'Edit', 'Create'],
      msg: ['View', 'Edit', 'Create'],
      keyword: ['View', 'Edit', 'Create'],
      priority: ['View'],
      status: ['View'],
      query: ['Create', 'Search'],
      // The property-limited View answers a class question (props_only is off, as in Roundup).
      user: ['View'],
    });
  });

  it('lets a User view only id, organisation, phone, realname, timezone and username of another user', async () => {
    const alice = await as('alice');
    assert.deepEqual(await userProps(alice, 'View', ids.bob!), ['id', 'organisation', 'phone', 'realname', 'timezone', 'username']);
    assert.deepEqual(await userProps(alice, 'Edit', ids.bob!), []);
  });

  it('lets a User view every property of their own record and edit exactly the listed ones', async () => {
    const alice = await as('alice');
    assert.deepEqual(await userProps(alice, 'View', ids.alice!), [...USER_PROPS].sort());
    assert.deepEqual(await userProps(alice, 'Edit', ids.alice!), [
      'address',
      'alternate_addresses',
      'organisation',
      'password',
      'phone',
      'queries',
      'realname',
      'timezone',
      'username',
    ]);
    assert.equal(await can(alice, 'Create', 'user'), false);
    assert.equal(await can(alice, 'Retire', 'user', { itemid: ids.alice! }), false);
  });

  it('lets a User view public queries and queries private to them, and edit, retire and restore only their own', async () => {
    const rights = async (username: string, query: string) => {
      const db = await as(username);
      const out: string[] = [];
      for (const permission of ['View', 'Edit', 'Retire', 'Restore']) if (await can(db, permission, 'query', { itemid: query })) out.push(permission);
      return out;
    };
    const all = ['View', 'Edit', 'Retire', 'Restore'];
    assert.deepEqual(await rights('alice', ids.alicePublic!), all);
    assert.deepEqual(await rights('alice', ids.alicePrivate!), all);
    assert.deepEqual(await rights('alice', ids.bobForAlice!), ['View']);
    assert.deepEqual(await rights('bob', ids.alicePublic!), ['View']);
    assert.deepEqual(await rights('bob', ids.alicePrivate!), []);
    assert.deepEqual(await rights('bob', ids.bobForAlice!), ['Edit', 'Retire', 'Restore']);
    assert.deepEqual(await rights('anonymous', ids.alicePublic!), []);
    assert.deepEqual(await rights('admin', ids.alicePrivate!), all);
  });

  it('treats role names in user.roles without regard to case or surrounding blanks', async () => {
    const carol = await as('carol');
    assert.deepEqual(await interfaces(carol), await interfaces(await as('alice')));
    assert.deepEqual(await classRights(carol), await classRights(await as('alice')));
  });

  it('gives Anonymous Web Access only (Email Access is off), View on issue, file, msg, keyword, priority and status, Register and Search on user', async () => {
    const anonymous = await as('anonymous');
    assert.deepEqual(await interfaces(anonymous), {
      'Web Access': true,
      'Email Access': false,
      'Rest Access': false,
      'Xmlrpc Access': false,
      'Web Roles': false,
    });
    assert.deepEqual(await classRights(anonymous), {
      issue: ['View'],
      file: ['View'],
      msg: ['View'],
      keyword: ['View'],
      priority: ['View'],
      status: ['View'],
      user: ['Search', 'Register'],
    });
    assert.deepEqual(await userProps(anonymous, 'View', '1'), []);
  });

  it('lets Anonymous search issues by assignee and users by name, but not queries', () => {
    const security = fixture.h.tracker.security;
    const anonymous = { roles: ['anonymous'] };
    assert.equal(security.hasSearchPermission(anonymous, 'issue', 'assignedto'), true);
    assert.equal(security.hasSearchPermission(anonymous, 'user', 'username'), true);
    assert.equal(security.hasSearchPermission(anonymous, 'query', 'name'), false);
    assert.equal(security.hasSearchPermission({ roles: ['user'] }, 'query', 'name'), true);
  });

  it('gives Admin every interface and View/Edit/Create/Retire/Restore on every class, but not Register', async () => {
    const admin = await as('admin');
    assert.deepEqual(await interfaces(admin), {
      'Web Access': true,
      'Email Access': true,
      'Rest Access': true,
      'Xmlrpc Access': true,
      'Web Roles': true,
    });
    const everything = ['View', 'Edit', 'Create', 'Retire', 'Restore'];
    assert.deepEqual(await classRights(admin), Object.fromEntries(Object.keys(CLASSIC).map((classname) => [classname, everything])));
    assert.deepEqual(await userProps(admin, 'Edit', ids.bob!), [...USER_PROPS].sort());
  });
});
