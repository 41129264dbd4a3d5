import assert from 'node:assert/strict';
import { Permission, Role } from '../../lib/security/index.js';

describe('security/role', () => {
  it('stores its name lower-cased and keeps the description', () => {
    const role = new Role('Developer', 'Fixes things');
    assert.equal(role.name, 'developer');
    assert.equal(role.description, 'Fixes things');
  });

  it('lists permissions in the order they were added, duplicates included', () => {
    const role = new Role('x');
    const a = new Permission({ name: 'View', klass: 'issue' }, false);
    const b = new Permission({ name: 'Edit' }, false);
    role.addPermission(a, b);
    role.addPermission(a);
    assert.deepEqual(role.permissions, [a, b, a]);
  });

  it('offers class-less candidates first, then the class own, split by check function', () => {
    const role = new Role('x');
    const classChecked = new Permission({ name: 'View', klass: 'issue', check: () => true }, false);
    const classPlain = new Permission({ name: 'View', klass: 'issue' }, false);
    const globalPlain = new Permission({ name: 'View' }, false);
    const otherClass = new Permission({ name: 'View', klass: 'msg' }, false);
    role.addPermission(classChecked, classPlain, otherClass, globalPlain);
    assert.deepEqual(role.candidates('View', 'issue', 'without-check'), [globalPlain, classPlain]);
    assert.deepEqual(role.candidates('View', 'issue', 'with-check'), [classChecked]);
    assert.deepEqual(role.candidates('View', null, 'without-check'), [globalPlain]);
    assert.deepEqual(role.candidates('Edit', 'issue', 'without-check'), []);
  });

  it('is searchable through View or Search permissions without a check function only', () => {
    const role = new Role('x');
    role.addPermission(new Permission({ name: 'View', klass: 'user', check: () => true }, false));
    assert.equal(role.searchable('user', 'username'), false);
    role.addPermission(new Permission({ name: 'Search', klass: 'user', properties: ['username'] }, false));
    assert.equal(role.searchable('user', 'username'), true);
    assert.equal(role.searchable('user', 'address'), false);
    role.addPermission(new Permission({ name: 'View' }, false));
    assert.equal(role.searchable('user', 'address'), true);
  });
});
