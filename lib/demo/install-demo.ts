import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RupError } from '../errors.js';
import { installTracker } from '../tracker/install.js';
import { Tracker, nukeTrackerData } from '../tracker/tracker.js';
import { DEFAULT_DEMO_PORT, probeFreePort } from './port-probe.js';

/** The backends a demo can use. Roundup's default demo backend, anydbm, does not exist here; sqlite stands in. */
export const DEMO_BACKENDS = ['sqlite', 'postgresql'] as const;
export type DemoBackend = (typeof DEMO_BACKENDS)[number];

export interface InstallDemoOptions {
  /** The demo tracker home (created; an existing tracker there is replaced). */
  home: string;
  /** Template name or path (classic, minimal, ...). */
  template: string;
  backend: DemoBackend;
  /** Host name in the tracker URL; localhost by default. */
  hostname?: string;
  /** Port to start the free-port search at; 8917 by default. */
  port?: number;
  /** Where progress lines go (Roundup prints them). */
  log?: (line: string) => void;
}

/** Raised when `nuke` (or creating a demo) would delete a directory that is not a tracker home. */
export class RefusedNuke extends RupError {
  constructor(readonly home: string) {
    super('RUP_ERR_TRACKER', `Error: Refusing to nuke non-tracker directory:\n    ${home}`, { location: { file: home } });
    this.name = 'RefusedNuke';
  }
}

/** True when `home` holds a tracker (Roundup's test: a config.ini is there). */
export function isTrackerHome(home: string): boolean {
  return existsSync(join(home, 'config.ini'));
}

/**
 * Empties the place for a new demo: an existing tracker home is deleted
 * with its data ("Nuking directory left from the previous demo
 * instance."); any other non-empty directory is refused with Roundup's
 * "Error: Refusing to nuke non-tracker directory:" ({@link RefusedNuke}), so
 * `nuke` cannot delete something that is not a tracker. (Roundup refuses
 * an empty directory too; there is nothing to lose in one, so we use it.)
 */
export async function clearDemoHome(home: string, log: (line: string) => void): Promise<void> {
  if (!existsSync(home)) return;
  if (isTrackerHome(home)) {
    log('Nuking directory left from the previous demo instance.');
    // The database may live outside the home (PostgreSQL): drop it too.
    await nukeTrackerData(home).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
    return;
  }
  if (readdirSync(home).length === 0) return;
  throw new RefusedNuke(home);
}

/**
 * Roundup's `install_demo`: makes a demo tracker in `home` from the
 * template. The web server's port is searched from `port` (8917), adding
 * 100 while something answers there, and `[tracker] web` becomes
 * `http://<hostname>:<port>/demo/`. The demo has `instant_registration`
 * on, `[web] debug` on, mail domain `localhost`, no nosy mail (the
 * template's `nosyreaction.js` is removed), the admin password `admin`,
 * and a user `demo` with password `demo` and role User (realname "Demo
 * User" where the schema has one; the minimal template has not). A
 * PostgreSQL demo uses Roundup's test database settings (localhost,
 * user, password and database `rounduptest`). Returns the tracker URL.
 */
export async function installDemo(options: InstallDemoOptions): Promise<string> {
  const home = resolve(options.home);
  const log = options.log ?? (() => undefined);
  await clearDemoHome(home, log);
  const hostname = options.hostname ?? 'localhost';
  const port = await probeFreePort(hostname, options.port ?? DEFAULT_DEMO_PORT, log);
  const web = `http://${hostname}:${port}/demo/`;
  const database: Record<string, string> =
    options.backend === 'postgresql' ? { rdbms_host: 'localhost', rdbms_user: 'rounduptest', rdbms_password: 'rounduptest', rdbms_name: 'rounduptest' } : {};
  installTracker({
    home,
    template: options.template,
    backend: options.backend,
    settings: { tracker_web: web, mail_domain: 'localhost', mail_host: 'localhost', web_debug: 'yes', instant_registration: 'yes', ...database },
  });
  // Don't have email flying around.
  rmSync(join(home, 'detectors', 'nosyreaction.js'), { force: true });

  // A PostgreSQL database left by an earlier demo would clash with the new initial data.
  await nukeTrackerData(home);
  const tracker = await Tracker.open(home);
  try {
    await tracker.initialise('admin');
    const db = await tracker.open({ userid: '1' }, { checked: false });
    try {
      const users = db.getclass('user');
      const realname = db.schema.getClass('user').properties.has('realname') ? { realname: 'Demo User' } : {};
      await users.create({ username: 'demo', password: await db.encodePassword('demo'), roles: 'User', ...realname });
      await db.commit();
    } finally {
      await db.close();
    }
  } finally {
    await tracker.close();
  }
  return web;
}
