import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_COMMANDS } from '../../lib/admin/commands/index.js';
import { AdminSession } from '../../lib/admin/session.js';
import { createTestTracker } from '../support/trackers.js';
import { CaptureIO, plain, runAdmin, useAdminTracker, usageError } from './admin-fixtures.js';

const SPECIFICATION_DOC = `Usage: specification classname
Show the properties for a classname.

This lists the properties for a given class.`;

/** Roundup's testSecurity expectation: the classic template's roles and permissions. */
const CLASSIC_SECURITY = `New Web users get the Role "User"
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

describe('admin specification and security', () => {
  const a = useAdminTracker('sqlite');

  describe('specification', () => {
    it('prints each property with its type, the key marked, in schema order', async () => {
      assert.deepEqual(plain(await a.run(['specification', 'user'])), {
        status: 0,
        stdout: `username: <roundup.hyperdb.String> (key property)
password: <roundup.hyperdb.Password>
address: <roundup.hyperdb.String>
realname: <roundup.hyperdb.String>
phone: <roundup.hyperdb.String>
organisation: <roundup.hyperdb.String>
alternate_addresses: <roundup.hyperdb.String>
queries: <roundup.hyperdb.Multilink to "query">
roles: <roundup.hyperdb.String>
timezone: <roundup.hyperdb.String>
`,
        stderr: '',
      });
      assert.equal(
        (await a.run(['spec', 'msg'])).stdout,
        `author: <roundup.hyperdb.Link to "user">
recipients: <roundup.hyperdb.Multilink to "user">
date: <roundup.hyperdb.Date>
summary: <roundup.hyperdb.String>
files: <roundup.hyperdb.Multilink to "file">
messageid: <roundup.hyperdb.String>
inreplyto: <roundup.hyperdb.String>
content: <roundup.hyperdb.String>
type: <roundup.hyperdb.String>
`,
      );
    });

    it('adds the protected properties under pragma display_protected', async () => {
      const io = new CaptureIO();
      const session = new AdminSession({ io, commands: ADMIN_COMMANDS, home: a.home, username: 'admin', listOutput: { separator: null, designators: false }, verbose: false });
      session.pragmas.set('display_protected', true);
      try {
        assert.equal(await session.runCommand(['specification', 'status']), 0);
      } finally {
        await session.close();
      }
      assert.equal(
        io.stdout,
        `name: <roundup.hyperdb.String> (key property)
order: <roundup.hyperdb.Number>
id: <roundup.hyperdb.String>
creation: <roundup.hyperdb.Date>
activity: <roundup.hyperdb.Date>
creator: <roundup.hyperdb.Link to "user">
actor: <roundup.hyperdb.Link to "user">
`,
      );
    });

    it('reports an unknown class and a missing argument', async () => {
      assert.deepEqual(plain(await a.run(['specification', 'foo'])), { status: 1, stdout: usageError('no such class "foo"', SPECIFICATION_DOC), stderr: '' });
      assert.deepEqual(plain(await a.run(['specification'])), { status: 1, stdout: usageError('Not enough arguments supplied', SPECIFICATION_DOC), stderr: '' });
    });
  });

  describe('security', () => {
    it('prints the roles of new users and every role\'s permissions (Roundup testSecurity)', async () => {
      assert.deepEqual(plain(await a.run(['security'])), { status: 0, stdout: CLASSIC_SECURITY, stderr: '' });
    });

    it('prints one role, named in any case', async () => {
      const anonymous = CLASSIC_SECURITY.slice(CLASSIC_SECURITY.indexOf('Role "anonymous":'), CLASSIC_SECURITY.indexOf('Role "user":'));
      assert.deepEqual(plain(await a.run(['security', 'Anonymous'])), { status: 0, stdout: anonymous, stderr: '' });
    });

    it('says when a role does not exist, exit 1', async () => {
      assert.deepEqual(plain(await a.run(['security', 'Nobody'])), { status: 1, stdout: 'No such Role "Nobody"\n', stderr: '' });
    });

    it('uses the plural when new users get several roles', async () => {
      const t = await createTestTracker({ settings: { new_web_user_roles: 'User,Anonymous', new_email_user_roles: 'User, Provisional' } });
      try {
        const { stdout } = await runAdmin(['-i', t.home, 'security']);
        assert.ok(stdout.startsWith('New Web users get the Roles "User,Anonymous"\nNew Email users get the Roles "User, Provisional"\nRole "admin":\n'));
      } finally {
        await t.cleanup();
      }
    });

    it('stops at a permission naming a property the class lacks, exit 1 (Roundup testSecurityInvalidAttribute)', async () => {
      const t = await createTestTracker();
      try {
        await t.tracker.close();
        const schema = join(t.home, 'schema.js');
        writeFileSync(schema, readFileSync(schema, 'utf8').replace("'id', 'organisation'", "'id', 'organization'"));
        const expected =
          CLASSIC_SECURITY.slice(0, CLASSIC_SECURITY.indexOf(' User is allowed to view their own user details')).replace("'id', 'organisation'", "'id', 'organization'") +
          "\n  **Invalid properties for user: ['organization']\n\n";
        assert.deepEqual(plain(await runAdmin(['-i', t.home, 'security'])), { status: 1, stdout: expected, stderr: '' });
      } finally {
        await t.cleanup();
      }
    });
  });
});
