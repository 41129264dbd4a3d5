import assert from 'node:assert/strict';
import { isRupError } from '../../lib/errors.js';
import { parseRoles } from '../../lib/security/index.js';
import { classicSchema, securityFor } from './fake-schema.js';

const who = (roles: string) => ({ roles: parseRoles(roles) });

describe('security/search-permission', () => {
  describe('transitive search (ported from test_security.testTransitiveSearchPermissions)', () => {
    const security = securityFor(classicSchema());
    const add = security.addPermission.bind(security);
    const addRole = security.addRole.bind(security);
    const addToRole = security.addPermissionToRole.bind(security);
    for (const name of ['User', 'Anonymous', 'Issue', 'Msg', 'UV']) addRole({ name });
    const iv = add({ name: 'View', klass: 'issue' });
    addToRole('User', iv);
    addToRole('Anonymous', iv);
    addToRole('Issue', iv);
    const ms = add({ name: 'Search', klass: 'msg' });
    addToRole('User', ms);
    addToRole('Anonymous', ms);
    addToRole('Msg', ms);
    const uv = add({ name: 'View', klass: 'user' });
    addToRole('User', uv);
    addToRole('UV', uv);

    const paths = ['messages', 'messages.author', 'messages.author.username', 'messages.recipients', 'messages.recipients.username'];
    const expected: Record<string, boolean[]> = {
      Anonymous: [true, false, false, false, false],
      User: [true, true, true, true, true],
      Issue: [false, false, false, false, false],
      'Issue,Msg': [true, false, false, false, false],
      'Issue,Msg,UV': [true, true, true, true, true],
    };
    for (const [roles, answers] of Object.entries(expected)) {
      it(`roles ${roles}: ${answers.join(', ')}`, () => {
        assert.deepEqual(
          paths.map((p) => security.hasSearchPermission(who(roles), 'issue', p)),
          answers,
        );
        assert.deepEqual(
          paths.map((p) => security.roleHasSearchPermission('issue', p, ...parseRoles(roles))),
          answers,
        );
      });
    }
  });

  describe('link targets', () => {
    it('needs the target id, label and order searchable for a Link search', () => {
      const security = securityFor(classicSchema());
      security.addRole({ name: 'R' });
      security.addPermissionToRole('R', 'View', 'issue');
      const p = security.addPermission({ name: 'Search', klass: 'user', properties: ['id'] });
      security.addPermissionToRole('R', p);
      assert.equal(security.hasSearchPermission(who('R'), 'issue', 'assignedto'), false);
      security.addPermissionToRole('R', security.addPermission({ name: 'Search', klass: 'user', properties: ['username'] }));
      assert.equal(security.hasSearchPermission(who('R'), 'issue', 'assignedto'), true);
    });

    it('needs the order property too when it differs from the label', () => {
      const security = securityFor(classicSchema());
      security.addRole({ name: 'R' });
      security.addPermissionToRole('R', 'View', 'issue');
      security.addPermissionToRole('R', security.addPermission({ name: 'View', klass: 'status', properties: ['id', 'name'] }));
      assert.equal(security.hasSearchPermission(who('R'), 'issue', 'status'), false);
      security.addPermissionToRole('R', security.addPermission({ name: 'View', klass: 'status', properties: ['order'] }));
      assert.equal(security.hasSearchPermission(who('R'), 'issue', 'status'), true);
    });

    it('does not let a View permission with a check function grant search', () => {
      const security = securityFor(classicSchema());
      security.addRole({ name: 'R' });
      security.addPermissionToRole('R', security.addPermission({ name: 'View', klass: 'user', check: () => true }));
      assert.equal(security.hasSearchPermission(who('R'), 'user', 'username'), false);
    });

    it('lets a class-less View permission search everything (Admin)', () => {
      const security = securityFor(classicSchema());
      assert.equal(security.hasSearchPermission(who('Admin'), 'issue', 'messages.author.username'), true);
      assert.equal(security.hasSearchPermission(who('Admin'), 'issue', 'creator'), true);
    });
  });

  describe('bad paths and roles', () => {
    const security = securityFor(classicSchema());

    it('refuses unknown properties, unknown classes, empty paths and paths through plain properties', () => {
      assert.equal(security.hasSearchPermission(who('Admin'), 'issue', 'nosuch'), false);
      assert.equal(security.hasSearchPermission(who('Admin'), 'frozzle', 'id'), false);
      assert.equal(security.hasSearchPermission(who('Admin'), 'issue', ''), false);
      assert.equal(security.hasSearchPermission(who('Admin'), 'issue', 'title.length'), false);
      assert.equal(security.hasSearchPermission(who('Admin'), 'issue', 'assignedto.nosuch'), false);
    });

    it('ignores unknown role names in a user context', () => {
      assert.equal(security.hasSearchPermission(who('nosuch,admin'), 'issue', 'title'), true);
      assert.equal(security.hasSearchPermission(who('nosuch'), 'issue', 'title'), false);
    });

    it('rejects an unknown role name given directly', () => {
      assert.throws(
        () => security.roleHasSearchPermission('issue', 'title', 'nosuch'),
        (err: unknown) => isRupError(err, 'RUP_ERR_VALUE') && err.message === 'No such Role "nosuch"',
      );
    });
  });

  describe('filterFilterspec and filterSortspec', () => {
    const security = securityFor(classicSchema());
    security.addRole({ name: 'R' });
    security.addPermissionToRole('R', security.addPermission({ name: 'Search', klass: 'issue', properties: ['title', 'id'] }));

    it('drops the filterspec entries the user may not search', () => {
      assert.deepEqual(security.filterFilterspec(who('R'), 'issue', { title: 'crash', status: ['1', '2'], id: '3' }), { title: 'crash', id: '3' });
    });

    it('drops the sort keys the user may not search, accepting a single key', () => {
      assert.deepEqual(
        security.filterSortspec(who('R'), 'issue', [
          ['-', 'status'],
          ['+', 'title'],
        ]),
        [['+', 'title']],
      );
      assert.deepEqual(security.filterSortspec(who('R'), 'issue', ['-', 'id']), [['-', 'id']]);
      assert.deepEqual(security.filterSortspec(who('R'), 'issue', ['-', 'status']), []);
    });
  });
});
