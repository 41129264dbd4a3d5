/**
 * The minimal template against Roundup 2.x's: only the user class, the
 * two initial users, its permissions and its single detector.
 */
import assert from 'node:assert/strict';
import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../../lib/hyperdb/database.js';
import { verifyPassword } from '../../lib/hyperdb/password.js';
import { formatSecurityReport } from '../../lib/security/index.js';
import { repoRoot } from '../support/paths.js';
import { AUTOMATIC_PROPERTIES, rejectsWith, signatures, useTemplateTracker } from './template-fixtures.js';

const USER_PROPERTIES = { username: 'String', password: 'Password', address: 'String', alternate_addresses: 'String', roles: 'String' };
const ALL_USER_PROPS = [...Object.keys(USER_PROPERTIES), ...Object.keys(AUTOMATIC_PROPERTIES)].sort();

const SECURITY_REPORT = `New Web users get the Role "User"
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
 User may use the email interface (Email Access)
 User is allowed to register new user (Register for "user" only)
Role "user":
 User may access the web interface (Web Access)
 User may use the email interface (Email Access)
  (View for "user": ('id', 'username') only)
 User is allowed to view their own user details (View for "user" only)
 User is allowed to edit their own user details (Edit for "user": ('username', 'password', 'address', 'alternate_addresses') only)
`;

describe('minimal template', () => {
  const fixture = useTemplateTracker({ template: 'minimal', shared: true });
  const ids: Record<string, string> = {};
  before(async () => {
    Object.assign(ids, await fixture.h.addUsers([
      { username: 'alice', roles: 'User', address: 'alice@example.com' },
      { username: 'bob', roles: 'User', address: 'bob@example.com', alternate_addresses: 'robert@example.com' },
    ]));
  });
  const as = (username: string) => fixture.h.open({ username }, { checked: true });

  async function userProps(db: Database, permission: string, itemid: string): Promise<string[]> {
    const out: string[] = [];
    for (const property of ALL_USER_PROPS) if (await db.hasPermission(permission, 'user', { property, itemid })) out.push(property);
    return out;
  }

  async function interfaces(db: Database): Promise<string[]> {
    const out: string[] = [];
    for (const name of ['Web Access', 'Email Access', 'Rest Access', 'Xmlrpc Access', 'Web Roles']) if (await db.hasPermission(name)) out.push(name);
    return out;
  }

  describe('schema and initial data', () => {
    it('defines only the user class, with username (key), password, address, alternate_addresses and roles', async () => {
      const db = await fixture.h.open({ username: 'admin' });
      assert.deepEqual(db.getclasses(), ['user']);
      const user = db.getclass('user');
      assert.equal(user.def.kind, 'class');
      assert.deepEqual(signatures(user.getprops(false)), USER_PROPERTIES);
      assert.deepEqual(signatures(user.getprops()), { ...USER_PROPERTIES, ...AUTOMATIC_PROPERTIES });
      assert.deepEqual([user.getkey(), user.labelprop(), user.orderprop()], ['username', 'username', 'username']);
    });

    it('creates admin (roles Admin, the admin_email address, the admin password) and anonymous (roles Anonymous)', async () => {
      const db = await fixture.h.open({ username: 'admin' });
      const users = await db.getclass('user').getMany(['1', '2']);
      const admin = users.get('1')!;
      assert.deepEqual(
        [admin.username, admin.roles, admin.address, admin.alternate_addresses],
        ['admin', 'Admin', 'roundup-admin@example.com', null],
      );
      assert.equal(admin.address, fixture.h.tracker.config.ADMIN_EMAIL);
      assert.equal((await verifyPassword(admin.password as string, 'admin')).ok, true);
      const anonymous = users.get('2')!;
      assert.deepEqual([anonymous.username, anonymous.roles, anonymous.address, anonymous.password], ['anonymous', 'Anonymous', null, null]);
      const journal = await db.getclass('user').history('1', { enforceperm: false });
      assert.deepEqual(journal.map((e) => [e.userid, e.action]), [['1', 'create']]);
    });
  });

  describe('permissions', () => {
    it('prints this `roundup-admin security` report', () => {
      const report = formatSecurityReport(fixture.h.tracker.security, fixture.h.tracker.schema, {
        newWebUserRoles: fixture.h.tracker.config.NEW_WEB_USER_ROLES as string,
        newEmailUserRoles: fixture.h.tracker.config.NEW_EMAIL_USER_ROLES as string,
      });
      assert.equal(report.error, false);
      assert.equal(report.lines.map((line) => `${line}\n`).join(''), SECURITY_REPORT);
    });

    it('gives a User Web Access and Email Access only', async () => {
      assert.deepEqual(await interfaces(await as('alice')), ['Web Access', 'Email Access']);
    });

    it('lets a User view only the id and username of other users, and edit nothing of theirs', async () => {
      const alice = await as('alice');
      assert.deepEqual(await userProps(alice, 'View', ids.bob!), ['id', 'username']);
      assert.deepEqual(await userProps(alice, 'Edit', ids.bob!), []);
      assert.equal(await alice.hasPermission('Create', 'user'), false);
    });

    it('lets a User view all of their own record and edit their username, password, address and alternate addresses', async () => {
      const alice = await as('alice');
      assert.deepEqual(await userProps(alice, 'View', ids.alice!), ALL_USER_PROPS);
      assert.deepEqual(await userProps(alice, 'Edit', ids.alice!), ['address', 'alternate_addresses', 'password', 'username']);
    });

    it('enforces those limits on reads and writes', async () => {
      const alice = await as('alice');
      const user = alice.getclass('user');
      assert.deepEqual(await user.getnode(ids.bob!), { id: ids.bob, username: 'bob' });
      await rejectsWith(user.get(ids.bob!, 'address'), 'RUP_ERR_PERMISSION', `You do not have permission to view user.address of user${ids.bob}`);
      await user.set(ids.alice!, { address: 'alice@example.org', alternate_addresses: 'a@example.org' });
      await rejectsWith(user.set(ids.alice!, { roles: 'Admin' }), 'RUP_ERR_PERMISSION', `You do not have permission to edit user.roles of user${ids.alice}`);
      await alice.rollback();
    });

    it('gives Anonymous Web Access, Email Access and Register, and no view of users', async () => {
      const anonymous = await as('anonymous');
      assert.deepEqual(await interfaces(anonymous), ['Web Access', 'Email Access']);
      assert.equal(await anonymous.hasPermission('Register', 'user'), true);
      assert.equal(await anonymous.hasPermission('Create', 'user'), false);
      assert.deepEqual(await userProps(anonymous, 'View', ids.alice!), []);
      assert.deepEqual(await anonymous.getclass('user').list(), []);
    });

    it('gives Admin every interface and every right on users, but not Register', async () => {
      const admin = await as('admin');
      assert.deepEqual(await interfaces(admin), ['Web Access', 'Email Access', 'Rest Access', 'Xmlrpc Access', 'Web Roles']);
      assert.deepEqual(await userProps(admin, 'Edit', ids.bob!), ALL_USER_PROPS);
      for (const permission of ['Create', 'Retire', 'Restore']) assert.equal(await admin.hasPermission(permission, 'user'), true, permission);
      assert.equal(await admin.hasPermission('Register', 'user'), false);
    });
  });

  describe('detectors', () => {
    it('installs only userauditor.js, as a copy of the repository\'s detectors/userauditor.js', () => {
      const dir = join(fixture.h.t.home, 'detectors');
      assert.deepEqual(readdirSync(dir), ['userauditor.js']);
      assert.equal(lstatSync(join(dir, 'userauditor.js')).isSymbolicLink(), false);
      assert.equal(readFileSync(join(dir, 'userauditor.js'), 'utf8'), readFileSync(join(repoRoot, 'detectors', 'userauditor.js'), 'utf8'));
    });

    it('registers the user auditor for create and set, and nothing else', () => {
      const detectors = fixture.h.tracker.schema.getClass('user').detectors;
      const events = ['create', 'set', 'retire', 'restore'] as const;
      assert.deepEqual(
        events.map((e) => [e, detectors.auditorsFor(e).length, detectors.reactorsFor(e).length]),
        [
          ['create', 1, 0],
          ['set', 1, 0],
          ['retire', 0, 0],
          ['restore', 0, 0],
        ],
      );
    });

    it('checks user names, addresses and roles', async () => {
      const user = (await fixture.h.open({ username: 'admin' })).getclass('user');
      await rejectsWith(
        user.create({ username: 'no spaces' }),
        'RUP_ERR_REJECT',
        'Username/Login Name must consist only of the letters a-z (any case), digits 0-9 and the symbols: @._-!+%',
      );
      await rejectsWith(user.create({ username: 'carol', address: 'robert@example.com' }), 'RUP_ERR_REJECT', 'Email address robert@example.com already in use');
      await rejectsWith(user.create({ username: 'carol', address: 'carol at example.com' }), 'RUP_ERR_REJECT', 'Email address syntax is invalid "carol at example.com"');
      await rejectsWith(user.create({ username: 'carol', roles: 'Developer' }), 'RUP_ERR_REJECT', 'Role "developer" does not exist');
      assert.equal(await user.create({ username: 'carol', address: 'carol@example.com', roles: 'User' }), '5');
    });
  });
});
