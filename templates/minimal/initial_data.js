// Tracker initial data: run once by `roundup-admin initialise`.

export default async function initialData({ db, adminpw, admin_email }) {
  // create the two default users
  const user = db.getclass('user');
  await user.create({ username: 'admin', password: adminpw, address: admin_email, roles: 'Admin' });
  await user.create({ username: 'anonymous', roles: 'Anonymous' });

  // add any additional database creation steps here - but only if you
  // haven't initialised the database with the admin "initialise" command
}
