// Tracker schema of the minimal template: only users.
//
// Every class automatically has these properties:
//   id, creation = Date(), activity = Date(), creator = Link('user'), actor = Link('user')

export default function schema({ db, Class, String, Password }) {
  const user = Class(db, 'user', {
    username: String(),
    password: Password(),
    address: String(),
    alternate_addresses: String(),
    roles: String(), // comma-separated string of Role names
  });
  user.setkey('username');
  db.security.addPermission({ name: 'Register', klass: 'user', description: 'User is allowed to register new user' });

  // add any additional database schema configuration here

  //
  // TRACKER SECURITY SETTINGS
  //
  const security = db.security;

  // REGULAR USERS
  // Give the regular users access to the web and email interface
  security.addPermissionToRole('User', 'Web Access');
  security.addPermissionToRole('User', 'Email Access');

  // May users view other user information?
  let p = security.addPermission({ name: 'View', klass: 'user', properties: ['id', 'username'] });
  security.addPermissionToRole('User', p);

  // Users should be able to edit their own details -- this permission is
  // limited to only the situation where the Viewed or Edited item is their own.
  const ownRecord = (db, userid, itemid) => userid === itemid;
  p = security.addPermission({ name: 'View', klass: 'user', check: ownRecord, description: 'User is allowed to view their own user details' });
  security.addPermissionToRole('User', p);
  p = security.addPermission({
    name: 'Edit',
    klass: 'user',
    check: ownRecord,
    properties: ['username', 'password', 'address', 'alternate_addresses'],
    description: 'User is allowed to edit their own user details',
  });
  security.addPermissionToRole('User', p);

  // ANONYMOUS USER PERMISSIONS
  // Let anonymous users access the web interface. Note that almost all
  // trackers will need this Permission. The only situation where it's not
  // required is in a tracker that uses an HTTP Basic Authenticated front-end.
  security.addPermissionToRole('Anonymous', 'Web Access');

  // Let anonymous users access the email interface (note that this implies
  // that they will be registered automatically, hence they will need the
  // "Register" user Permission below)
  security.addPermissionToRole('Anonymous', 'Email Access');

  // Assign the appropriate permissions to the anonymous user's Anonymous
  // Role. Choices here are:
  // - Allow anonymous users to register
  security.addPermissionToRole('Anonymous', 'Register', 'user');
}
