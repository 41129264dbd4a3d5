// Tracker schema: the classes of the classic template, and who may do what.
//
// Every class automatically has these properties:
//   id, creation = Date(), activity = Date(), creator = Link('user'), actor = Link('user')
//
// This file is a plain ES module. Its default export receives Roundup's
// schema names: db, Class, IssueClass, FileClass and the property types.

export default function schema({ db, Class, IssueClass, FileClass, String, Password, Date, Link, Multilink, Number }) {
  // Priorities
  const pri = Class(db, 'priority', { name: String(), order: Number() });
  pri.setkey('name');

  // Statuses
  const stat = Class(db, 'status', { name: String(), order: Number() });
  stat.setkey('name');

  // Keywords
  const keyword = Class(db, 'keyword', { name: String() });
  keyword.setkey('name');

  // User-defined saved searches
  Class(db, 'query', { klass: String(), name: String(), url: String(), private_for: Link('user') });

  // add any additional database schema configuration here

  const user = Class(db, 'user', {
    username: String(),
    password: Password(),
    address: String(),
    realname: String(),
    phone: String(),
    organisation: String(),
    alternate_addresses: String(),
    queries: Multilink('query'),
    roles: String(), // comma-separated string of Role names
    timezone: String(),
  });
  user.setkey('username');
  db.security.addPermission({ name: 'Register', klass: 'user', description: 'User is allowed to register new user' });

  // FileClass automatically gets these properties in addition to the Class ones:
  //   content = String()    [saved to disk in <tracker home>/db/files/]
  //   type = String()       [MIME type of the content, default 'text/plain']
  FileClass(db, 'msg', {
    author: Link('user', { do_journal: 'no' }),
    recipients: Multilink('user', { do_journal: 'no' }),
    date: Date(),
    summary: String(),
    files: Multilink('file'),
    messageid: String(),
    inreplyto: String(),
  });

  FileClass(db, 'file', { name: String() });

  // IssueClass automatically gets these properties in addition to the Class ones:
  //   title = String(indexme), messages = Multilink('msg'), files = Multilink('file'),
  //   nosy = Multilink('user'), superseder = Multilink('issue')
  IssueClass(db, 'issue', {
    assignedto: Link('user'),
    keyword: Multilink('keyword'),
    priority: Link('priority'),
    status: Link('status'),
  });

  //
  // TRACKER SECURITY SETTINGS
  //
  // See docs/customizing.md for how security is set up.
  const security = db.security;

  // REGULAR USERS
  // Give the regular users access to the web and email interface
  security.addPermissionToRole('User', 'Web Access');
  security.addPermissionToRole('User', 'Email Access');
  security.addPermissionToRole('User', 'Rest Access');
  security.addPermissionToRole('User', 'Xmlrpc Access');

  // Assign the access and edit Permissions for issue, file and message to regular users now
  for (const cl of ['issue', 'file', 'msg', 'keyword']) {
    security.addPermissionToRole('User', 'View', cl);
    security.addPermissionToRole('User', 'Edit', cl);
    security.addPermissionToRole('User', 'Create', cl);
  }
  for (const cl of ['priority', 'status']) security.addPermissionToRole('User', 'View', cl);

  // May users view other user information? Comment these lines out if you don't want them to
  let p = security.addPermission({
    name: 'View',
    klass: 'user',
    properties: ['id', 'organisation', 'phone', 'realname', 'timezone', 'username'],
  });
  security.addPermissionToRole('User', p);

  // Users should be able to edit their own details -- this permission is
  // limited to only the situation where the Viewed or Edited item is their own.
  const ownRecord = (db, userid, itemid) => userid === itemid;
  p = security.addPermission({
    name: 'View',
    klass: 'user',
    check: ownRecord,
    description: 'User is allowed to view their own user details',
  });
  security.addPermissionToRole('User', p);
  p = security.addPermission({
    name: 'Edit',
    klass: 'user',
    check: ownRecord,
    properties: ['username', 'password', 'address', 'realname', 'phone', 'organisation', 'alternate_addresses', 'queries', 'timezone'],
    description: 'User is allowed to edit their own user details',
  });
  security.addPermissionToRole('User', p);

  // Users should be able to edit and view their own queries. They should also
  // be able to view any marked as not private. They should not be able to
  // edit others' queries, even if they're not private
  const viewQuery = async (db, userid, itemid) => {
    const privateFor = await db.query.get(itemid, 'private_for');
    return !privateFor || userid === privateFor;
  };
  const editQuery = async (db, userid, itemid) => userid === (await db.query.get(itemid, 'creator'));
  p = security.addPermission({ name: 'View', klass: 'query', check: viewQuery, description: 'User is allowed to view their own and public queries' });
  security.addPermissionToRole('User', p);
  p = security.addPermission({ name: 'Search', klass: 'query' });
  security.addPermissionToRole('User', p);
  p = security.addPermission({ name: 'Edit', klass: 'query', check: editQuery, description: 'User is allowed to edit their queries' });
  security.addPermissionToRole('User', p);
  p = security.addPermission({ name: 'Retire', klass: 'query', check: editQuery, description: 'User is allowed to retire their queries' });
  security.addPermissionToRole('User', p);
  p = security.addPermission({ name: 'Restore', klass: 'query', check: editQuery, description: 'User is allowed to restore their queries' });
  security.addPermissionToRole('User', p);
  p = security.addPermission({ name: 'Create', klass: 'query', description: 'User is allowed to create queries' });
  security.addPermissionToRole('User', p);

  // ANONYMOUS USER PERMISSIONS
  // Let anonymous users access the web interface. Note that almost all
  // trackers will need this Permission. The only situation where it's not
  // required is in a tracker that uses an HTTP Basic Authenticated front-end.
  security.addPermissionToRole('Anonymous', 'Web Access');

  // Let anonymous users access the email interface (note that this implies
  // that they will be registered automatically, hence they will need the
  // "Register" user Permission below)
  // This is disabled by default to stop spam from auto-registering users on
  // public trackers.
  // security.addPermissionToRole('Anonymous', 'Email Access');

  // Assign the appropriate permissions to the anonymous user's Anonymous Role.
  // Choices here are:
  // - Allow anonymous users to register
  security.addPermissionToRole('Anonymous', 'Register', 'user');

  // Allow anonymous users access to view issues (and the related, linked information)
  for (const cl of ['issue', 'file', 'msg', 'keyword', 'priority', 'status']) {
    security.addPermissionToRole('Anonymous', 'View', cl);
  }

  // Let anonymous users run the "Show Unassigned" search (without this
  // permission that search behaves like "Show Open"). A tracker that hides
  // its issues from anonymous users should drop it: it lets anyone probe
  // which user names exist.
  p = security.addPermission({ name: 'Search', klass: 'user' });
  security.addPermissionToRole('Anonymous', p);

  // [OPTIONAL]
  // Allow anonymous users access to create or edit "issue" items (and the
  // related file and message items)
  // for (const cl of ['issue', 'file', 'msg']) {
  //   security.addPermissionToRole('Anonymous', 'Create', cl);
  //   security.addPermissionToRole('Anonymous', 'Edit', cl);
  // }
}
