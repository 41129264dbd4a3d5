// Tracker initial data: run once by `roundup-admin initialise`.
// Receives db (acting as the admin user), adminpw (the encoded admin
// password) and admin_email (config.ini [main] admin_email).

export default async function initialData({ db, adminpw, admin_email }) {
  const pri = db.getclass('priority');
  await pri.create({ name: 'critical', order: '1' });
  await pri.create({ name: 'urgent', order: '2' });
  await pri.create({ name: 'bug', order: '3' });
  await pri.create({ name: 'feature', order: '4' });
  await pri.create({ name: 'wish', order: '5' });

  const stat = db.getclass('status');
  await stat.create({ name: 'unread', order: '1' });
  await stat.create({ name: 'deferred', order: '2' });
  await stat.create({ name: 'chatting', order: '3' });
  await stat.create({ name: 'need-eg', order: '4' });
  await stat.create({ name: 'in-progress', order: '5' });
  await stat.create({ name: 'testing', order: '6' });
  await stat.create({ name: 'done-cbb', order: '7' });
  await stat.create({ name: 'resolved', order: '8' });

  // create the two default users
  const user = db.getclass('user');
  await user.create({ username: 'admin', password: adminpw, address: admin_email, roles: 'Admin' });
  await user.create({ username: 'anonymous', roles: 'Anonymous' });

  // add any additional database creation steps here - but only if you
  // haven't initialised the database with the admin "initialise" command
}
