import assert from 'node:assert/strict';
import { formatSecurityReport, type Security } from '../../lib/security/index.js';
import { classicSchema, securityFor, type FakeSchema } from './fake-schema.js';

/** The security part of Roundup's classic schema.py, as a schema.js would write it. */
function classicSecurity(schema: FakeSchema, userViewProps: string[]): Security {
  const security = securityFor(schema);
  const s = security;
  s.addPermission({ name: 'Register', klass: 'user', description: 'User is allowed to register new user' });
  s.addPermissionToRole('User', 'Web Access');
  s.addPermissionToRole('User', 'Email Access');
  s.addPermissionToRole('User', 'Rest Access');
  s.addPermissionToRole('User', 'Xmlrpc Access');
  for (const cl of ['issue', 'file', 'msg', 'keyword']) {
    s.addPermissionToRole('User', 'View', cl);
    s.addPermissionToRole('User', 'Edit', cl);
    s.addPermissionToRole('User', 'Create', cl);
  }
  for (const cl of ['priority', 'status']) s.addPermissionToRole('User', 'View', cl);
  s.addPermissionToRole('User', s.addPermission({ name: 'View', klass: 'user', properties: userViewProps }));
  const ownRecord = (_db: unknown, userid: string, itemid: string) => userid === itemid;
  s.addPermissionToRole('User', s.addPermission({ name: 'View', klass: 'user', check: ownRecord, description: 'User is allowed to view their own user details' }));
  s.addPermissionToRole(
    'User',
    s.addPermission({
      name: 'Edit',
      klass: 'user',
      check: ownRecord,
      properties: ['username', 'password', 'address', 'realname', 'phone', 'organisation', 'alternate_addresses', 'queries', 'timezone'],
      description: 'User is allowed to edit their own user details',
    }),
  );
  const viewQuery = () => true;
  const editQuery = () => true;
  s.addPermissionToRole('User', s.addPermission({ name: 'View', klass: 'query', check: viewQuery, description: 'User is allowed to view their own and public queries' }));
  s.addPermissionToRole('User', s.addPermission({ name: 'Search', klass: 'query' }));
  s.addPermissionToRole('User', s.addPermission({ name: 'Edit', klass: 'query', check: editQuery, description: 'User is allowed to edit their queries' }));
  s.addPermissionToRole('User', s.addPermission({ name: 'Retire', klass: 'query', check: editQuery, description: 'User is allowed to retire their queries' }));
  s.addPermissionToRole('User', s.addPermission({ name: 'Restore', klass: 'query', check: editQuery, description: 'User is allowed to restore their queries' }));
  s.addPermissionToRole('User', s.addPermission({ name: 'Create', klass: 'query', description: 'User is allowed to create queries' }));
  s.addPermissionToRole('Anonymous', 'Web Access');
  s.addPermissionToRole('Anonymous', 'Register', 'user');
  for (const cl of ['issue', 'file', 'msg', 'keyword', 'priority', 'status']) s.addPermissionToRole('Anonymous', 'View', cl);
  s.addPermissionToRole('Anonymous', s.addPermission({ name: 'Search', klass: 'user' }));
  return security;
}

const USER_VIEW_PROPS = ['id', 'organisation', 'phone', 'realname', 'timezone', 'username'];

const ADMIN_AND_ANONYMOUS = `Role "admin":
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
`;

const USER_HEAD = `Role "user":
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
`;

const USER_ROLE = `${USER_HEAD}  (View for "user": ('id', 'organisation', 'phone', 'realname', 'timezone', 'username') only)
 User is allowed to view their own user details (View for "user" only)
 User is allowed to edit their own user details (Edit for "user": ('username', 'password', 'address', 'realname', 'phone', 'organisation', 'alternate_addresses', 'queries', 'timezone') only)
 User is allowed to view their own and public queries (View for "query" only)
  (Search for "query" only)
 User is allowed to edit their queries (Edit for "query" only)
 User is allowed to retire their queries (Retire for "query" only)
 User is allowed to restore their queries (Restore for "query" only)
 User is allowed to create queries (Create for "query" only)
`;

/** What roundup-admin prints: every line followed by a newline. */
const text = (lines: string[]) => lines.map((l) => `${l}\n`).join('');

describe('security/security-report (roundup-admin security)', () => {
  const options = { newWebUserRoles: 'User', newEmailUserRoles: 'User' };

  it('prints every role of the classic schema exactly like Roundup (testSecurityListAll)', () => {
    const schema = classicSchema();
    const report = formatSecurityReport(classicSecurity(schema, USER_VIEW_PROPS), schema, options);
    assert.equal(report.error, false);
    assert.equal(text(report.lines), `New Web users get the Role "User"\nNew Email users get the Role "User"\n${ADMIN_AND_ANONYMOUS}${USER_ROLE}`);
  });

  it('prints one role, named in any case, without the new-user lines (testSecurityListOne)', () => {
    const schema = classicSchema();
    const security = classicSecurity(schema, USER_VIEW_PROPS);
    for (const role of ['user', 'UsEr']) {
      const report = formatSecurityReport(security, schema, { ...options, role });
      assert.equal(report.error, false);
      assert.equal(text(report.lines), USER_ROLE);
    }
  });

  it('reports an unknown role as written, with an error', () => {
    const schema = classicSchema();
    const report = formatSecurityReport(classicSecurity(schema, USER_VIEW_PROPS), schema, { ...options, role: 'NoSuch Role' });
    assert.deepEqual(report, { lines: ['No such Role "NoSuch Role"'], error: true });
  });

  it('stops at the first permission naming a property the class lacks (testSecurityInvalidAttribute)', () => {
    const schema = classicSchema();
    const misspelt = ['id', 'organization', 'phone', 'realname', 'timezone', 'username'];
    const report = formatSecurityReport(classicSecurity(schema, misspelt), schema, options);
    assert.equal(report.error, true);
    assert.equal(
      text(report.lines),
      `New Web users get the Role "User"\nNew Email users get the Role "User"\n${ADMIN_AND_ANONYMOUS}${USER_HEAD}` +
        `  (View for "user": ('id', 'organization', 'phone', 'realname', 'timezone', 'username') only)\n` +
        `\n  **Invalid properties for user: ['organization']\n\n`,
    );
  });

  it('uses the plural when the configured new-user roles hold a comma', () => {
    const schema = classicSchema();
    const report = formatSecurityReport(securityFor(schema), schema, { newWebUserRoles: 'User,Developer', newEmailUserRoles: 'User' });
    assert.deepEqual(report.lines.slice(0, 2), ['New Web users get the Roles "User,Developer"', 'New Email users get the Role "User"']);
  });

  it('sorts roles by their lower-case name and shows an added role with no permissions', () => {
    const schema = classicSchema();
    const security = securityFor(schema);
    security.addRole({ name: 'Developer', description: 'May fix' });
    const report = formatSecurityReport(security, schema, options);
    assert.deepEqual(
      report.lines.filter((l) => l.startsWith('Role ')),
      ['Role "admin":', 'Role "anonymous":', 'Role "developer":', 'Role "user":'],
    );
  });

  it('writes a one-property list as a Python one-element tuple and accepts protected properties', () => {
    const schema = classicSchema();
    const security = securityFor(schema);
    security.addPermissionToRole('User', security.addPermission({ name: 'View', klass: 'issue', properties: ['creator'], description: 'Creator only' }));
    const report = formatSecurityReport(security, schema, { ...options, role: 'user' });
    assert.deepEqual(report, { lines: ['Role "user":', ` Creator only (View for "issue": ('creator',) only)`], error: false });
  });

  it('treats every listed property as invalid when the class has gone from the schema', () => {
    const schema = classicSchema();
    const security = securityFor(schema);
    security.addPermissionToRole('User', security.addPermission({ name: 'View', klass: 'keyword', properties: ['name'] }));
    delete schema.classes.keyword;
    const report = formatSecurityReport(security, schema, { ...options, role: 'user' });
    assert.equal(report.error, true);
    assert.deepEqual(report.lines.slice(-2), ['  **Invalid properties for keyword: [\'name\']', '']);
  });
});
