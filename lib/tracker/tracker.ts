import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RupError, isRupError } from '../errors.js';
import { SchemaSync, type SchemaSyncResult } from '../backends/sql/schema-sync.js';
import { Database, type DatabaseServices } from '../hyperdb/database.js';
import { hashPassword, isEncodedPassword, parseStoredPassword } from '../hyperdb/password.js';
import { Schema } from '../hyperdb/schema.js';
import type { TrackerStorage } from '../hyperdb/storage.js';
import { NosyMessaging } from '../mail/nosy/nosy-messaging.js';
import { Security, parseRoles } from '../security/security.js';
import { type TrackerConfig, loadTrackerConfig } from './config.js';
import { callPlugin, combinePluginErrors, importPlugin, newLoadTag, pluginError, pluginFiles } from './plugin-loader.js';
import { createSchemaDb, pluginToolkit, schemaContext } from './schema-api.js';
import { destroyStorage, openStorage } from './storage-factory.js';

/**
 * Encodes a password as the Password property's raw rule: a value already in
 * `{SCHEME}data` form with a known scheme is stored as given (roundup-admin
 * sets hashes this way), anything else is hashed with the default scheme.
 */
export async function encodePassword(raw: string, scheme: string | undefined, rounds: number): Promise<string> {
  if (isEncodedPassword(raw)) {
    parseStoredPassword(raw);
    return raw;
  }
  return hashPassword(raw, { scheme, rounds });
}

/** What extensions register, for the web layer to use. */
export class ExtensionRegistry {
  readonly actions = new Map<string, unknown>();
  readonly utils = new Map<string, unknown>();

  registerAction(name: string, action: unknown): void {
    this.actions.set(name, action);
  }

  registerUtil(name: string, fn: unknown): void {
    if (typeof fn !== 'function') throw new RupError('RUP_ERR_PLUGIN', `registerUtil("${name}"): not a function`);
    this.utils.set(name, fn);
  }
}

/** Who a unit of work acts as: a user name (looked up) or a user id. */
export type Actor = { username: string } | { userid: string };

/**
 * A tracker home, loaded: its config.ini, schema, security model,
 * detectors and extensions, and its storage. Load order (each step's
 * failure names the file and line, and fails only this tracker):
 * 1. `config.ini` (and `detectors/config.ini`, `extensions/config.ini`);
 * 2. `schema.js` (default export called with Roundup's schema names);
 * 3. `detectors/*.js` in name order (`init(db, toolkit)`);
 * 4. `extensions/*.js` in name order (`init(instance, toolkit)`);
 *    every detector and extension is tried, and all their failures are
 *    reported together;
 * 5. the database: opened (created if missing) and brought in line with
 *    the schema.
 * `lib/` in the home is available to these modules by relative import.
 */
export class Tracker {
  private closed = false;
  private readonly closers: Array<() => Promise<void>> = [];
  /**
   * Nosy mail, as issue classes offer it to detectors
   * (`cl.nosymessage`); `messaging.useMailer(...)` changes how it is sent.
   */
  readonly messaging: NosyMessaging;

  private constructor(
    readonly home: string,
    readonly config: TrackerConfig,
    readonly schema: Schema,
    readonly security: Security<Database>,
    readonly storage: TrackerStorage,
    readonly extensions: ExtensionRegistry,
    readonly loadTag: string,
    /** What opening changed in the database layout (empty when nothing). */
    readonly schemaChanges: SchemaSyncResult,
  ) {
    this.messaging = new NosyMessaging(config);
  }

  /** The tracker's name from `[tracker] name`. */
  get name(): string {
    return this.config.TRACKER_NAME as string;
  }

  /** Loads the tracker home at `home`. */
  static async open(home: string): Promise<Tracker> {
    const dir = resolve(home);
    checkHome(dir);
    const config = loadTrackerConfig(dir);
    const loadTag = newLoadTag();
    const schema = new Schema();
    const security = new Security<Database>(schema);
    const schemaFile = join(dir, 'schema.js');
    await callPlugin(schemaFile, await importPlugin(schemaFile, loadTag), 'default', [schemaContext(schema, security, config)]);
    try {
      schema.finalize();
    } catch (err) {
      throw new RupError('RUP_ERR_PLUGIN', `${schemaFile}: ${(err as Error).message}`, { cause: err, location: { file: schemaFile } });
    }
    const schemaDb = createSchemaDb(schema, security, config);
    // Detectors and extensions do not depend on each other: load them all and report every failure at once.
    const failures: RupError[] = [];
    const load = async (file: string, args: unknown[]) => {
      try {
        await callPlugin(file, await importPlugin(file, loadTag), 'init', args);
      } catch (err) {
        failures.push(pluginError(err, file));
      }
    };
    for (const file of pluginFiles(join(dir, 'detectors'))) await load(file, [schemaDb, pluginToolkit]);
    const extensions = new ExtensionRegistry();
    const instance = { config, schema, security, registerAction: extensions.registerAction.bind(extensions), registerUtil: extensions.registerUtil.bind(extensions) };
    for (const file of pluginFiles(join(dir, 'extensions'))) await load(file, [instance, pluginToolkit]);
    if (failures.length) throw combinePluginErrors(failures);
    const storage = await openStorage(config, schema);
    let changes: SchemaSyncResult;
    try {
      changes = await syncDatabase(config, schema, storage);
    } catch (err) {
      await storage.backend.close();
      throw err;
    }
    return new Tracker(dir, config, schema, security, storage, extensions, loadTag, changes);
  }

  private services(): DatabaseServices {
    if (this.closed) throw new RupError('RUP_ERR_TRACKER', `the tracker ${this.home} has been closed`);
    return {
      schema: this.schema,
      security: this.security,
      storage: this.storage,
      config: this.config,
      messaging: this.messaging,
      options: {
        defaultTimezone: this.config.TIMEZONE as string,
        passwordRounds: this.config.PASSWORD_PBKDF2_DEFAULT_ROUNDS as number,
        obsoleteHistoryRoles: parseRoles(this.config.OBSOLETE_HISTORY_ROLES as string),
        encodePassword,
      },
    };
  }

  /**
   * Opens a unit of work as a user. `checked` (default true) enforces the
   * security model on every operation, as every user-facing entry point
   * must; detectors always get the unchecked view. An unknown user name is
   * RUP_ERR_KEY_NOT_FOUND.
   */
  async open(actor: Actor, options: { checked?: boolean } = {}): Promise<Database> {
    const services = this.services();
    let userid: string;
    if ('userid' in actor) {
      userid = actor.userid;
    } else {
      const probe = Database.open(services, '1', { checked: false });
      try {
        userid = await probe.getclass('user').lookup(actor.username);
      } catch (err) {
        // Like Roundup's getuid: "admin" is user 1 even before that user exists (initialise, import into an empty tracker).
        if (actor.username !== 'admin' || !isRupError(err, 'RUP_ERR_KEY_NOT_FOUND')) throw err;
        userid = '1';
      } finally {
        await probe.close();
      }
    }
    return Database.open(services, userid, { checked: options.checked ?? true });
  }

  /**
   * Runs `initial_data.js` against an empty database, as `roundup-admin
   * initialise` does: it gets `db` (acting as the admin, user 1),
   * `adminpw` (the encoded admin password) and `admin_email`, then commits.
   */
  async initialise(adminPassword: string): Promise<void> {
    const db = Database.open(this.services(), '1', { checked: false });
    const file = join(this.home, 'initial_data.js');
    try {
      const adminpw = await encodePassword(adminPassword, undefined, this.config.PASSWORD_PBKDF2_DEFAULT_ROUNDS as number);
      if (existsSync(file)) {
        await callPlugin(file, await importPlugin(file, this.loadTag), 'default', [
          { db, adminpw, admin_email: this.config.ADMIN_EMAIL, config: this.config, ...pluginToolkit },
        ]);
      }
      await db.commit();
    } finally {
      await db.close();
    }
  }

  /**
   * Loads now what requests would otherwise load on first use (the
   * full-text index), for a long-running server: its first search is
   * then as quick as the others.
   */
  async warm(): Promise<void> {
    const { indexer, backend } = this.services().storage;
    await indexer.catchUp(backend.reader);
  }

  /**
   * Has `close` run `fn` too: for what layers above open beside the
   * database (the web layer's session files), closed before it.
   */
  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  /** Closes the database connections; units of work still open fail afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const fn of this.closers.splice(0)) await fn();
    this.storage.indexer.close();
    await this.storage.backend.close();
  }
}

/** Refuses homes that are not ours, with a message saying what they are. */
function checkHome(dir: string): void {
  if (!existsSync(dir)) throw new RupError('RUP_ERR_TRACKER', `${dir}: no such tracker home`);
  if (existsSync(join(dir, 'dbinit.py'))) {
    throw new RupError('RUP_ERR_TRACKER', `${dir}: Old style trackers using dbinit.py are not supported after release 2.0`);
  }
  if (!existsSync(join(dir, 'config.ini'))) throw new RupError('RUP_ERR_TRACKER', `${dir}: not a tracker home (no config.ini)`);
  if (!existsSync(join(dir, 'schema.js'))) {
    const python = existsSync(join(dir, 'schema.py')) ? ' It has schema.py: it is a Python Roundup tracker; see docs/migrating.md.' : '';
    throw new RupError('RUP_ERR_TRACKER', `${dir}: not a tracker home (no schema.js).${python}`);
  }
}

/** Brings the database in line with the schema, in one write transaction (safe with several processes). */
async function syncDatabase(config: TrackerConfig, schema: Schema, storage: TrackerStorage): Promise<SchemaSyncResult> {
  const tx = await storage.backend.beginWrite();
  try {
    const sync = new SchemaSync(tx, storage.dialect, schema, {
      allowCreate: config.RDBMS_ALLOW_CREATE as boolean,
      allowAlter: config.RDBMS_ALLOW_ALTER as boolean,
      allowDrop: config.RDBMS_ALLOW_DROP as boolean,
    });
    const result = await sync.run();
    await storage.indexer.setup(tx);
    await tx.commit();
    return result;
  } catch (err) {
    await tx.rollback();
    throw err;
  }
}

/** Deletes a tracker's data (database and files) so `initialise` can start afresh. */
export async function nukeTrackerData(home: string): Promise<void> {
  await destroyStorage(loadTrackerConfig(resolve(home)));
}
