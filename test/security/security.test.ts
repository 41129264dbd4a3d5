import assert from 'node:assert/strict';
import { isRupError, type ErrorCode } from '../../lib/errors.js';
import { Permission, parseRoles, type Security } from '../../lib/security/index.js';
import { classicSchema, securityFor } from './fake-schema.js';

function throwsRup(fn: () => unknown, code: ErrorCode, message: string): void {
  assert.throws(fn, (err: unknown) => isRupError(err, code) && err.message === message);
}

function user(roles: string, userid = '1') {
  return { db: 'the-db', userid, roles: parseRoles(roles) };
}

function describePerms(security: Security, role: string): Array<[string, string, string | null]> {
  return security.getRole(role)!.permissions.map((p) => [p.name, p.description, p.klass]);
}

describe('security/security', () => {
  describe('built-in roles and permissions', () => {
    it('creates the User, Admin and Anonymous roles with Roundup descriptions', () => {
      const security = securityFor(classicSchema());
      assert.deepEqual(
        security.roles().map((r) => [r.name, r.description]),
        [
          ['user', 'A regular user, no privs'],
          ['admin', 'An admin user, full privs'],
          ['anonymous', 'An anonymous user'],
        ],
      );
      assert.deepEqual(security.getRole('user')!.permissions, []);
      assert.deepEqual(security.getRole('anonymous')!.permissions, []);
    });

    it('gives Admin the global permissions and the interface permissions in Roundup order', () => {
      assert.deepEqual(describePerms(securityFor(classicSchema()), 'Admin'), [
        ['Create', 'User may create everything', null],
        ['Edit', 'User may edit everything', null],
        ['Restore', 'User may restore everything', null],
        ['Retire', 'User may retire everything', null],
        ['View', 'User may view everything', null],
        ['Web Access', 'User may access the web interface', null],
        ['Rest Access', 'User may access the rest interface', null],
        ['Xmlrpc Access', 'User may access the xmlrpc interface', null],
        ['Web Roles', 'User may manipulate user Roles through the web', null],
        ['Email Access', 'User may use the email interface', null],
      ]);
    });

    it('gives each class Create, Edit, View and Retire but not Restore or Search', () => {
      const security = securityFor(classicSchema());
      assert.equal(security.getPermission('Create', 'issue').description, 'User is allowed to create issue');
      assert.equal(security.getPermission('Edit', 'issue').description, 'User is allowed to edit issue');
      assert.equal(security.getPermission('View', 'issue').description, 'User is allowed to access issue');
      assert.equal(security.getPermission('Retire', 'issue').description, 'User is allowed to retire issue');
      throwsRup(() => security.getPermission('Restore', 'issue'), 'RUP_ERR_SCHEMA', 'No permission "Restore" defined for "issue"');
      throwsRup(() => security.getPermission('Search', 'issue'), 'RUP_ERR_SCHEMA', 'No permission "Search" defined');
    });

    it('finds roles case-insensitively', () => {
      const security = securityFor(classicSchema());
      assert.equal(security.getRole('ADMIN'), security.getRole('admin'));
      assert.equal(security.getRole('nobody'), undefined);
    });
  });

  describe('addRole', () => {
    it('adds a role stored lower-case', () => {
      const security = securityFor(classicSchema());
      const role = security.addRole({ name: 'Developer', description: 'May fix' });
      assert.equal(role.name, 'developer');
      assert.equal(security.getRole('developer'), role);
    });

    it('replaces an existing role of the same name, dropping its permissions (as Roundup does)', () => {
      const security = securityFor(classicSchema());
      security.addPermissionToRole('User', 'Web Access');
      security.addRole({ name: 'User' });
      assert.deepEqual(security.getRole('user')!.permissions, []);
      assert.equal(security.getRole('user')!.description, '');
    });

    it('rejects a missing name, a bad description and unknown options', () => {
      const security = securityFor(classicSchema());
      throwsRup(() => security.addRole({ name: '  ' }), 'RUP_ERR_SCHEMA', 'addRole: "name" must be a non-empty string');
      throwsRup(
        () => security.addRole({ name: 'X', description: 3 } as unknown as { name: string }),
        'RUP_ERR_SCHEMA',
        'addRole: role "X": "description" must be a string',
      );
      throwsRup(
        () => security.addRole({ name: 'X', permissions: [] } as unknown as { name: string }),
        'RUP_ERR_SCHEMA',
        'addRole: unknown option "permissions" (expected name, description)',
      );
      throwsRup(() => security.addRole(null as unknown as { name: string }), 'RUP_ERR_SCHEMA', 'addRole: expected an object of options such as { name, description }');
    });
  });

  describe('addPermission', () => {
    it('registers the permission so getPermission finds it', () => {
      const security = securityFor(classicSchema());
      const perm = security.addPermission({ name: 'Register', klass: 'user', description: 'User is allowed to register new user' });
      assert.equal(security.getPermission('Register', 'user'), perm);
    });

    it('rejects a class the schema does not have', () => {
      const security = securityFor(classicSchema());
      throwsRup(() => security.addPermission({ name: 'View', klass: 'frozzle' }), 'RUP_ERR_SCHEMA', 'permission "View": No class "frozzle" defined');
    });

    it('rejects a check that is not a function', () => {
      const security = securityFor(classicSchema());
      throwsRup(
        () => security.addPermission({ name: 'View', klass: 'user', check: true as unknown as () => boolean }),
        'RUP_ERR_SCHEMA',
        'permission "View": "check" must be a function, got boolean',
      );
    });

    it('accepts properties the class lacks (the security report flags them)', () => {
      const security = securityFor(classicSchema());
      const perm = security.addPermission({ name: 'View', klass: 'user', properties: ['organization'] });
      assert.deepEqual(perm.properties, ['organization']);
    });
  });

  describe('getPermission (ported from test_security.testGetPermission)', () => {
    it('finds the permission equal in name, class, properties, check and props_only', () => {
      const security = securityFor(classicSchema());
      const add = security.addPermission.bind(security);
      const get = security.getPermission.bind(security);
      const same = (a: Permission, b: Permission) => assert.ok(a.sameAs(b), `${a.name}/${a.klass} differs`);

      get('Edit');
      get('View');
      throwsRup(() => get('x'), 'RUP_ERR_SCHEMA', 'No permission "x" defined');
      throwsRup(() => get('Edit', 'fubar'), 'RUP_ERR_SCHEMA', 'No class "fubar" defined');

      same(get('Edit', 'issue'), add({ name: 'Edit', klass: 'issue' }));
      same(get('View', 'issue'), add({ name: 'View', klass: 'issue' }));

      const epi1 = add({ name: 'Edit', klass: 'issue', properties: ['title'] });
      assert.equal(get('Edit', 'issue', ['title']), epi1);
      const epi2 = add({ name: 'Edit', klass: 'issue', properties: ['title'], props_only: true });
      assert.equal(get('Edit', 'issue', ['title'], null, false), epi1);
      assert.equal(get('Edit', 'issue', ['title'], null, true), epi2);
      security.set_props_only_default(true);
      assert.equal(get('Edit', 'issue', ['title']), epi2);
      const api1 = add({ name: 'View', klass: 'issue', properties: ['title'] });
      assert.equal(get('View', 'issue', ['title']), api1);
      security.set_props_only_default(false);
      const api2 = add({ name: 'View', klass: 'issue', properties: ['title'] });
      assert.equal(get('View', 'issue', ['title']), api2);
      assert.notEqual(get('View', 'issue', ['title']), api1);

      const dummy = () => false;
      const eci = add({ name: 'Edit', klass: 'issue', check: dummy });
      assert.equal(get('Edit', 'issue', null, dummy), eci);
      // props_only means nothing without properties.
      assert.equal(get('Edit', 'issue', null, dummy, true), eci);
      const aci = add({ name: 'View', klass: 'issue', check: dummy });
      assert.equal(get('View', 'issue', null, dummy), aci);

      const epci = add({ name: 'Edit', klass: 'issue', properties: ['title'], check: dummy });
      assert.equal(get('Edit', 'issue', ['title'], dummy), epci);
      assert.equal(get('Edit', 'issue', ['title'], dummy, false), epci);
      security.set_props_only_default(true);
      throwsRup(() => get('Edit', 'issue', ['title'], dummy), 'RUP_ERR_SCHEMA', 'No permission "Edit" defined for "issue"');
      throwsRup(() => get('Edit', 'issue', ['title'], dummy, true), 'RUP_ERR_SCHEMA', 'No permission "Edit" defined for "issue"');
      const apci = add({ name: 'View', klass: 'issue', properties: ['title'], check: dummy });
      assert.equal(get('View', 'issue', ['title'], dummy), apci);
    });

    it('names "None" as the class when a class-less lookup finds only class permissions', () => {
      const security = securityFor(classicSchema());
      security.addPermission({ name: 'Search', klass: 'user' });
      throwsRup(() => security.getPermission('Search'), 'RUP_ERR_SCHEMA', 'No permission "Search" defined for "None"');
    });
  });

  describe('set_props_only_default / get_props_only_default', () => {
    it('changes the default for later permissions only and ignores an absent value', () => {
      const security = securityFor(classicSchema());
      assert.equal(security.get_props_only_default(), false);
      const before = security.addPermission({ name: 'Edit', klass: 'issue', properties: ['title'] });
      security.set_props_only_default(true);
      security.set_props_only_default();
      assert.equal(security.get_props_only_default(), true);
      const after = security.addPermission({ name: 'Edit', klass: 'issue', properties: ['title'] });
      assert.equal(before.propsOnly, false);
      assert.equal(after.propsOnly, true);
    });

    it('belongs to one security object, not to every tracker', () => {
      const a = securityFor(classicSchema());
      const b = securityFor(classicSchema());
      a.set_props_only_default(true);
      assert.equal(b.get_props_only_default(), false);
    });
  });

  describe('addPermissionToRole', () => {
    it('adds a Permission object, or one found by name and class, to a role named in any case', () => {
      const security = securityFor(classicSchema());
      const p = security.addPermission({ name: 'Search', klass: 'user' });
      security.addPermissionToRole('anonymous', p);
      security.addPermissionToRole('ANONYMOUS', 'View', 'issue');
      assert.deepEqual(security.getRole('anonymous')!.permissions, [p, security.getPermission('View', 'issue')]);
    });

    it('rejects an unknown role', () => {
      const security = securityFor(classicSchema());
      throwsRup(() => security.addPermissionToRole('Nobody', 'Web Access'), 'RUP_ERR_SCHEMA', 'addPermissionToRole: No such Role "Nobody"');
    });

    it('rejects an unknown permission name or class', () => {
      const security = securityFor(classicSchema());
      throwsRup(() => security.addPermissionToRole('User', 'Frobnicate'), 'RUP_ERR_SCHEMA', 'No permission "Frobnicate" defined');
      throwsRup(() => security.addPermissionToRole('User', 'View', 'frozzle'), 'RUP_ERR_SCHEMA', 'No class "frozzle" defined');
    });

    it('rejects something that is neither a Permission nor a name', () => {
      const security = securityFor(classicSchema());
      throwsRup(
        () => security.addPermissionToRole('User', 42 as unknown as string),
        'RUP_ERR_SCHEMA',
        'addPermissionToRole: the permission must be a Permission or a permission name',
      );
    });
  });

  describe('hasPermission', () => {
    it('grants Admin a global permission and refuses it to User (ported testAdmin)', async () => {
      const security = securityFor(classicSchema());
      security.addPermissionToRole('User', security.addPermission({ name: 'Edit', klass: 'issue', description: 'User is allowed to edit issues' }));
      security.addPermissionToRole('Admin', security.addPermission({ name: 'Edit', klass: null, description: 'User is allowed to edit issues' }));
      assert.equal(await security.hasPermission(user('Admin'), 'Edit', null), true);
      assert.equal(await security.hasPermission(user('User'), 'Edit', null), false);
    });

    describe('access controls matrix (ported from test_security.testAccessControls)', () => {
      const security = securityFor(classicSchema());
      const add = security.addPermission.bind(security);
      const addRole = security.addRole.bind(security);
      const addToRole = security.addPermissionToRole.bind(security);
      const checkOldStyle = (_db: unknown, _userid: string, itemid: string) => itemid === '2';
      const seen: unknown[] = [];
      const check = (_db: unknown, _userid: string, itemid: string, ctx: unknown) => {
        seen.push(ctx);
        return itemid === '1';
      };
      addRole({ name: 'Super' });
      addToRole('Super', add({ name: 'Test' }));
      addRole({ name: 'Role1' });
      addToRole('Role1', add({ name: 'Test', klass: 'test' }));
      addRole({ name: 'Role2' });
      addToRole('Role2', add({ name: 'Test', klass: 'test', properties: ['a', 'b'] }));
      addRole({ name: 'Role3' });
      addToRole('Role3', add({ name: 'Test', klass: 'test', check }));
      addRole({ name: 'Role4' });
      addToRole('Role4', add({ name: 'Test', klass: 'test', check, properties: 'a', props_only: true }));
      security.set_props_only_default(true);
      addRole({ name: 'Role5' });
      addToRole('Role5', add({ name: 'Test', klass: 'test', check: checkOldStyle, properties: ['a'] }));
      security.set_props_only_default(false);
      addRole({ name: 'Role6' });
      addToRole('Role6', add({ name: 'Test', klass: 'test', check, properties: ['a', 'b'] }));
      addRole({ name: 'Role7' });
      addToRole('Role7', add({ name: 'Test', klass: 'test', check: checkOldStyle, properties: ['a', 'b'] }));

      const users: Record<string, string> = {
        none: 'None',
        super: 'Super',
        user1: 'Role1',
        user2: 'Role2',
        user3: 'Role3',
        user4: 'Role4',
        user5: 'Role5',
        user6: 'Role6',
        user7: 'Role7',
      };
      type Row = [string, { property?: string; itemid?: string }, boolean];
      const rows: Row[] = [
        // class access: props_only permissions (user4, user5) do not answer
        ['user1', {}, true], ['user2', {}, true], ['user3', {}, true], ['user4', {}, false],
        ['user5', {}, false], ['user6', {}, true], ['user7', {}, true], ['super', {}, true], ['none', {}, false],
        // item access: check functions run
        ['user1', { itemid: '1' }, true], ['user2', { itemid: '1' }, true], ['user3', { itemid: '1' }, true],
        ['user3', { itemid: '2' }, false], ['user4', { itemid: '1' }, false], ['user4', { itemid: '2' }, false],
        ['user5', { itemid: '1' }, false], ['user5', { itemid: '2' }, false], ['user6', { itemid: '1' }, true],
        ['user6', { itemid: '2' }, false], ['user7', { itemid: '2' }, true], ['user7', { itemid: '1' }, false],
        ['super', { itemid: '1' }, true], ['super', { itemid: '2' }, true], ['none', { itemid: '1' }, false],
        ['user2', { itemid: '2' }, true], ['user1', { itemid: '2' }, true], ['none', { itemid: '2' }, false],
        // property access without an item: no check runs
        ['user7', { property: 'a' }, true], ['user7', { property: 'b' }, true], ['user7', { property: 'c' }, false],
        ['user6', { property: 'a' }, true], ['user6', { property: 'b' }, true], ['user6', { property: 'c' }, false],
        ['user5', { property: 'a' }, true], ['user5', { property: 'b' }, false], ['user5', { property: 'c' }, false],
        ['user4', { property: 'a' }, true], ['user4', { property: 'b' }, false], ['user4', { property: 'c' }, false],
        ['user3', { property: 'a' }, true], ['user3', { property: 'b' }, true], ['user3', { property: 'c' }, true],
        ['user2', { property: 'a' }, true], ['user2', { property: 'b' }, true], ['user2', { property: 'c' }, false],
        ['user1', { property: 'a' }, true], ['user1', { property: 'b' }, true], ['user1', { property: 'c' }, true],
        ['super', { property: 'a' }, true], ['super', { property: 'b' }, true], ['super', { property: 'c' }, true],
        ['none', { property: 'a' }, false], ['none', { property: 'b' }, false], ['none', { property: 'c' }, false],
        // property and item together: both the list and the check must agree
        ['user7', { property: 'c', itemid: '2' }, false], ['user7', { property: 'c', itemid: '1' }, false],
        ['user7', { property: 'a', itemid: '2' }, true], ['user7', { property: 'a', itemid: '1' }, false],
        ['user6', { property: 'c', itemid: '2' }, false], ['user6', { property: 'c', itemid: '1' }, false],
        ['user6', { property: 'b', itemid: '2' }, false], ['user6', { property: 'b', itemid: '1' }, true],
        ['user6', { property: 'a', itemid: '2' }, false], ['user6', { property: 'a', itemid: '1' }, true],
        ['user5', { property: 'b', itemid: '2' }, false], ['user5', { property: 'b', itemid: '1' }, false],
        ['user5', { property: 'a', itemid: '2' }, true], ['user5', { property: 'a', itemid: '1' }, false],
        ['user4', { property: 'b', itemid: '2' }, false], ['user4', { property: 'b', itemid: '1' }, false],
        ['user4', { property: 'a', itemid: '2' }, false], ['user4', { property: 'a', itemid: '1' }, true],
      ];
      for (const [who, query, expected] of rows) {
        it(`${who} ${JSON.stringify(query)} -> ${expected}`, async () => {
          assert.equal(await security.hasPermission(user(users[who]!), 'Test', 'test', query), expected);
        });
      }

      it('passes the property, class and permission to new-style check functions', async () => {
        seen.length = 0;
        await security.hasPermission(user('Role6'), 'Test', 'test', { property: 'a', itemid: '1' });
        await security.hasPermission(user('Role3'), 'Test', 'test', { itemid: '2' });
        assert.deepEqual(seen, [
          { permission: 'Test', classname: 'test', property: 'a' },
          { permission: 'Test', classname: 'test' },
        ]);
      });
    });

    it('ignores unknown, empty and differently cased role names', async () => {
      const security = securityFor(classicSchema());
      assert.equal(await security.hasPermission({ db: null, userid: '3', roles: ['', ' nosuch ', ' ADMIN '] }, 'Web Access'), true);
      assert.equal(await security.hasPermission({ db: null, userid: '3', roles: ['nosuch'] }, 'Web Access'), false);
    });

    it('tries permissions without a check function first, across all roles', async () => {
      const security = securityFor(classicSchema());
      let checks = 0;
      security.addRole({ name: 'Checked' });
      security.addPermissionToRole('Checked', security.addPermission({ name: 'View', klass: 'issue', check: () => (checks++, false) }));
      security.addRole({ name: 'Plain' });
      security.addPermissionToRole('Plain', 'View', 'issue');
      assert.equal(await security.hasPermission(user('Checked,Plain'), 'View', 'issue', { itemid: '4' }), true);
      assert.equal(checks, 0);
      assert.equal(await security.hasPermission(user('Checked'), 'View', 'issue', { itemid: '4' }), false);
      assert.equal(checks, 1);
    });

    it('awaits async check functions and hands them the db and userid', async () => {
      const security = securityFor<{ owner: string }>(classicSchema());
      security.addPermissionToRole(
        'User',
        security.addPermission({ name: 'Edit', klass: 'user', check: async (db, userid, itemid) => db.owner === userid && userid === itemid }),
      );
      const ctx = { db: { owner: '5' }, userid: '5', roles: ['user'] };
      assert.equal(await security.hasPermission(ctx, 'Edit', 'user', { itemid: '5' }), true);
      assert.equal(await security.hasPermission(ctx, 'Edit', 'user', { itemid: '6' }), false);
    });

    it('ignores permissions with a check function when asked to skip them', async () => {
      const security = securityFor(classicSchema());
      security.addPermissionToRole('User', security.addPermission({ name: 'View', klass: 'query', check: () => true }));
      assert.equal(await security.hasPermission(user('User'), 'View', 'query'), true);
      assert.equal(await security.hasPermission(user('User'), 'View', 'query', { skipPermissionsWithCheck: true }), false);
      security.addPermissionToRole('User', 'View', 'query');
      assert.equal(await security.hasPermission(user('User'), 'View', 'query', { skipPermissionsWithCheck: true }), true);
    });

    it('refuses an item question without a class', async () => {
      const security = securityFor(classicSchema());
      await assert.rejects(
        security.hasPermission(user('Admin'), 'View', null, { itemid: '1' }),
        (err: unknown) => isRupError(err, 'RUP_ERR_VALUE') && err.message === 'classname must accompany itemid',
      );
    });

    it('answers a class-less question only from class-less permissions', async () => {
      const security = securityFor(classicSchema());
      security.addPermissionToRole('User', 'View', 'issue');
      assert.equal(await security.hasPermission(user('User'), 'View'), false);
      assert.equal(await security.hasPermission(user('Admin'), 'View'), true);
    });
  });

  describe('filter functions (stored for the hyperdb)', () => {
    it('reports a class filterable when every checked permission that could grant it has a filter', () => {
      const security = securityFor(classicSchema());
      const ctx = user('User');
      assert.equal(security.isFilterable(ctx, 'View', 'query'), true);
      const filter = () => [{ filterspec: { creator: '1' } }];
      const withFilter = security.addPermission({ name: 'View', klass: 'query', check: () => true, filter });
      security.addPermissionToRole('User', withFilter);
      assert.equal(security.isFilterable(ctx, 'View', 'query'), true);
      assert.deepEqual(security.filterPermissions(ctx, 'View', 'query'), [withFilter]);
      security.addPermissionToRole('User', security.addPermission({ name: 'View', check: () => true }));
      assert.equal(security.isFilterable(ctx, 'View', 'query'), false);
      assert.deepEqual(security.filterPermissions(ctx, 'View', 'query'), [withFilter]);
    });

    it('leaves out props_only permissions and permissions of other classes or names', () => {
      const security = securityFor(classicSchema());
      const ctx = user('User');
      security.addPermissionToRole('User', security.addPermission({ name: 'View', klass: 'query', properties: ['name'], props_only: true, check: () => true }));
      security.addPermissionToRole('User', security.addPermission({ name: 'View', klass: 'issue', check: () => true }));
      security.addPermissionToRole('User', security.addPermission({ name: 'Edit', klass: 'query', check: () => true }));
      assert.deepEqual(security.checkedPermissions(ctx, 'View', 'query'), []);
      assert.equal(security.isFilterable(ctx, 'View', 'query'), true);
    });
  });

  describe('parseRoles', () => {
    it('splits on commas, trims, lower-cases and drops empty names', () => {
      assert.deepEqual(parseRoles(' User, ADMIN ,,'), ['user', 'admin']);
      assert.deepEqual(parseRoles(''), []);
      assert.deepEqual(parseRoles(null), []);
      assert.deepEqual(parseRoles(undefined), []);
    });
  });
});
