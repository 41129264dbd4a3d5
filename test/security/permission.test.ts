import assert from 'node:assert/strict';
import { isRupError } from '../../lib/errors.js';
import { Permission, type PermissionSpec } from '../../lib/security/index.js';

function schemaError(spec: unknown, message: string): void {
  assert.throws(
    () => new Permission(spec as PermissionSpec, false),
    (err: unknown) => isRupError(err, 'RUP_ERR_SCHEMA') && err.message === message,
  );
}

describe('security/permission', () => {
  describe('construction', () => {
    it('keeps name, description, class and properties, defaulting the description to empty', () => {
      const perm = new Permission({ name: 'View', klass: 'user', properties: ['id', 'username'] }, false);
      assert.equal(perm.name, 'View');
      assert.equal(perm.description, '');
      assert.equal(perm.klass, 'user');
      assert.deepEqual(perm.properties, ['id', 'username']);
      assert.equal(perm.check, null);
      assert.equal(perm.filter, null);
    });

    it('treats a single property name given as a string as a one-element list', () => {
      const perm = new Permission({ name: 'Test', klass: 'test', properties: 'a' }, false);
      assert.deepEqual(perm.properties, ['a']);
    });

    it('copies the property list so later changes to the caller array do not leak in', () => {
      const props = ['a'];
      const perm = new Permission({ name: 'Test', properties: props }, false);
      props.push('b');
      assert.deepEqual(perm.properties, ['a']);
    });

    it('leaves props_only null without properties, whatever was asked (Roundup makes it meaningless there)', () => {
      assert.equal(new Permission({ name: 'Edit', klass: 'issue', props_only: true }, true).propsOnly, null);
    });

    it('takes props_only from the default when properties are listed and it is not given', () => {
      assert.equal(new Permission({ name: 'Edit', properties: ['a'] }, true).propsOnly, true);
      assert.equal(new Permission({ name: 'Edit', properties: ['a'] }, false).propsOnly, false);
      assert.equal(new Permission({ name: 'Edit', properties: ['a'], props_only: false }, true).propsOnly, false);
    });

    it('stores the filter function without calling it', () => {
      let called = false;
      const filter = () => {
        called = true;
        return [];
      };
      const perm = new Permission({ name: 'View', klass: 'issue', check: () => true, filter }, false);
      assert.equal(perm.filter, filter);
      assert.equal(called, false);
    });
  });

  describe('construction errors', () => {
    it('rejects a spec that is not an object', () => {
      schemaError('View', 'addPermission: expected an object of options such as { name, klass, properties, check, description }');
    });

    it('rejects an unknown option, naming it', () => {
      schemaError(
        { name: 'View', klas: 'issue' },
        'addPermission: unknown option "klas" (expected one of name, description, klass, properties, check, props_only, filter)',
      );
    });

    it('rejects a missing or empty name', () => {
      schemaError({ klass: 'issue' }, 'addPermission: "name" must be a non-empty string');
      schemaError({ name: '' }, 'addPermission: "name" must be a non-empty string');
    });

    it('rejects a check that is not a function', () => {
      schemaError({ name: 'View', check: 'own_record' }, 'permission "View": "check" must be a function, got string');
    });

    it('rejects a filter that is not a function', () => {
      schemaError({ name: 'View', filter: {} }, 'permission "View": "filter" must be a function, got object');
    });

    it('rejects properties that are not a list of names', () => {
      schemaError({ name: 'View', properties: 3 }, 'permission "View": "properties" must be a list of property names');
      schemaError({ name: 'View', properties: ['a', 7] }, 'permission "View": "properties" must hold property names, got 7');
    });

    it('rejects a non-string class or description', () => {
      schemaError({ name: 'View', klass: 5 }, 'permission "View": "klass" must be a class name');
      schemaError({ name: 'View', description: 5 }, 'permission "View": "description" must be a string');
    });
  });

  describe('match', () => {
    const classPerm = new Permission({ name: 'Edit', klass: 'issue' }, false);
    const globalPerm = new Permission({ name: 'Edit' }, false);
    const propPerm = new Permission({ name: 'Edit', klass: 'issue', properties: ['title'] }, false);
    const propsOnlyPerm = new Permission({ name: 'Edit', klass: 'issue', properties: ['title'], props_only: true }, false);
    const checked = new Permission({ name: 'Edit', klass: 'issue', check: () => true }, false);

    it('requires the same permission name', () => {
      assert.equal(classPerm.match('View', 'issue', null, null), 'no');
    });

    it('requires the same class unless the permission has none', () => {
      assert.equal(classPerm.match('Edit', 'msg', null, null), 'no');
      assert.equal(classPerm.match('Edit', null, null, null), 'no');
      assert.equal(globalPerm.match('Edit', 'msg', null, null), 'yes');
      assert.equal(globalPerm.match('Edit', null, null, null), 'yes');
    });

    it('requires a property question to name a listed property, unless none are listed', () => {
      assert.equal(propPerm.match('Edit', 'issue', 'title', null), 'yes');
      assert.equal(propPerm.match('Edit', 'issue', 'status', null), 'no');
      assert.equal(classPerm.match('Edit', 'issue', 'status', null), 'yes');
    });

    it('lets a permission with properties answer class and item questions unless props_only', () => {
      assert.equal(propPerm.match('Edit', 'issue', null, null), 'yes');
      assert.equal(propPerm.match('Edit', 'issue', null, '1'), 'yes');
      assert.equal(propsOnlyPerm.match('Edit', 'issue', null, null), 'no');
      assert.equal(propsOnlyPerm.match('Edit', 'issue', null, '1'), 'no');
      assert.equal(propsOnlyPerm.match('Edit', 'issue', 'title', '1'), 'yes');
    });

    it('asks for the check function only when an item is named', () => {
      assert.equal(checked.match('Edit', 'issue', null, null), 'yes');
      assert.equal(checked.match('Edit', 'issue', null, '3'), 'check');
    });

    it('treats an empty property list like no list', () => {
      const empty = new Permission({ name: 'Edit', klass: 'issue', properties: [] }, false);
      assert.equal(empty.match('Edit', 'issue', 'anything', null), 'yes');
    });
  });

  describe('test', () => {
    it('passes db, userid, itemid and the question to the check function and uses its answer', async () => {
      const calls: unknown[] = [];
      const perm = new Permission<string>(
        {
          name: 'View',
          klass: 'issue',
          check: (db, userid, itemid, ctx) => {
            calls.push([db, userid, itemid, ctx]);
            return itemid === '1';
          },
        },
        false,
      );
      assert.equal(await perm.test('DB', '7', 'View', 'issue', 'title', '1'), true);
      assert.equal(await perm.test('DB', '7', 'View', 'issue', null, '2'), false);
      assert.deepEqual(calls, [
        ['DB', '7', '1', { permission: 'View', classname: 'issue', property: 'title' }],
        ['DB', '7', '2', { permission: 'View', classname: 'issue' }],
      ]);
    });

    it('awaits an async check function', async () => {
      const perm = new Permission({ name: 'View', klass: 'issue', check: async (_db, _u, itemid) => itemid === '5' }, false);
      assert.equal(await perm.test(null, '1', 'View', 'issue', null, '5'), true);
      assert.equal(await perm.test(null, '1', 'View', 'issue', null, '6'), false);
    });

    it('propagates an error thrown by the check function', async () => {
      const perm = new Permission(
        {
          name: 'View',
          klass: 'issue',
          check: () => {
            throw new Error('broken check');
          },
        },
        false,
      );
      await assert.rejects(perm.test(null, '1', 'View', 'issue', null, '5'), /broken check/);
    });
  });

  describe('searchable', () => {
    it('accepts only View and Search permissions without a check that cover the property', () => {
      assert.equal(new Permission({ name: 'View', klass: 'issue' }, false).searchable('issue', 'title'), true);
      assert.equal(new Permission({ name: 'Search', klass: 'issue', properties: ['title'] }, false).searchable('issue', 'title'), true);
      assert.equal(new Permission({ name: 'Search', klass: 'issue', properties: ['title'] }, false).searchable('issue', 'status'), false);
      assert.equal(new Permission({ name: 'Edit', klass: 'issue' }, false).searchable('issue', 'title'), false);
      assert.equal(new Permission({ name: 'View', klass: 'msg' }, false).searchable('issue', 'title'), false);
      assert.equal(new Permission({ name: 'View' }, false).searchable('issue', 'title'), true);
      assert.equal(new Permission({ name: 'View', klass: 'issue', check: () => true }, false).searchable('issue', 'title'), false);
    });
  });

  describe('sameAs', () => {
    it('compares name, class, property list in order, check identity and props_only', () => {
      const check = () => true;
      const base = new Permission({ name: 'Edit', klass: 'issue', properties: ['a', 'b'], check }, false);
      assert.equal(base.sameAs(new Permission({ name: 'Edit', klass: 'issue', properties: ['a', 'b'], check }, false)), true);
      assert.equal(base.sameAs(new Permission({ name: 'Edit', klass: 'issue', properties: ['b', 'a'], check }, false)), false);
      assert.equal(base.sameAs(new Permission({ name: 'Edit', klass: 'issue', properties: ['a', 'b'], check: () => true }, false)), false);
      assert.equal(base.sameAs(new Permission({ name: 'Edit', klass: 'issue', properties: ['a', 'b'], check }, true)), false);
      assert.equal(base.sameAs(new Permission({ name: 'Edit', klass: 'msg', properties: ['a', 'b'], check }, false)), false);
      assert.equal(base.sameAs(new Permission({ name: 'Edit', klass: 'issue', check }, false)), false);
    });
  });
});
