import { RupError } from '../errors.js';
import type { Security } from '../security/security.js';
import { parseRoles } from '../security/security.js';
import type { DateTime } from './date.js';
import { HyperClass } from './hyper-class.js';
import type { RawContext } from './raw-values.js';
import type { Schema } from './schema.js';
import type { Messaging } from './messaging.js';
import type { TrackerStorage } from './storage.js';
import { type Timezone, type TimezoneSpec, isValidTimezone, toZone } from './timezone.js';
import { UnitOfWork } from './unit-of-work.js';

/** The security model as detectors reach it through `db.security`. */
export interface RuntimeSecurity {
  readonly model: Security<Database>;
  hasPermission(permission: string, userid: string, classname?: string | null, property?: string | null, itemid?: string | null): Promise<boolean>;
  getRole: Security<Database>['getRole'];
  roles: Security<Database>['roles'];
}

/** Tracker settings the hyperdb needs (from config.ini). */
export interface DatabaseOptions {
  /** `[main] timezone`: the zone of users without their own. */
  defaultTimezone: TimezoneSpec;
  /** `[main] password_pbkdf2_default_rounds`. */
  passwordRounds: number;
  /** `[main] obsolete_history_roles`, parsed. */
  obsoleteHistoryRoles: string[];
  /** Encodes a password given as text (or already `{SCHEME}...`), as the Password property's raw rule. */
  encodePassword(raw: string, scheme: string | undefined, rounds: number): Promise<string>;
}

/** Everything a unit of work shares with the rest of its tracker. */
export interface DatabaseServices {
  schema: Schema;
  security: Security<Database>;
  storage: TrackerStorage;
  options: DatabaseOptions;
  /** The tracker's configuration, handed to detectors as `db.config`. */
  config: unknown;
  /** Outgoing messages (nosy mail) for issue class handles; none where mail cannot be sent. */
  messaging?: Messaging;
}

/**
 * One unit of work on a tracker's hyperdb, acting as one user. This is
 * the API every entry point (web, REST, mail, admin) and every detector
 * uses: `db.getclass('issue')` (or `db.issue`) gives a class handle with
 * create/set/get/filter/...
 *
 * A "checked" database enforces the security model on every operation
 * (View on reads, Create/Edit/Retire/Restore on writes, Search on
 * filters); user-facing frontends open checked databases. Detectors and
 * internal work receive the unchecked view of the same unit of work
 * (`db.system()`), as Roundup's detectors run with full access.
 */
export class Database {
  private readonly classHandles = new Map<string, HyperClass>();
  private systemView: Database | null;
  private rolesCache = new Map<string, string[]>();
  /** Answers of {@link mayViewEverywhere}, which depend on the user's roles only (kept as long as the roles). */
  private viewEverywhereCache = new Map<string, boolean>();
  private timezoneCache: Timezone | null = null;
  /** This database as handed out (wrapped so `db.issue` works). */
  self!: Database;

  private constructor(
    readonly services: DatabaseServices,
    readonly uow: UnitOfWork,
    private readonly userid: string,
    readonly checked: boolean,
    system: Database | null,
  ) {
    this.systemView = system;
  }

  /**
   * Opens a unit of work as `userid`. Returned through a Proxy so that
   * `db.issue` works like Roundup's `db.issue` (any class name as a property).
   */
  static open(services: DatabaseServices, userid: string, options: { checked: boolean }): Database {
    const uow = new UnitOfWork(services.storage);
    const system = withClassProperties(new Database(services, uow, userid, false, null));
    if (!options.checked) return system;
    return withClassProperties(new Database(services, uow, userid, true, system));
  }

  get schema(): Schema {
    return this.services.schema;
  }

  /**
   * Roundup's `db.security` as detectors use it: `hasPermission(permission,
   * userid, classname, property, itemid)` with positional arguments (async
   * here), plus the role lookups of the tracker's security model.
   */
  get security(): RuntimeSecurity {
    const security = this.services.security;
    const db = this.system();
    return {
      model: security,
      async hasPermission(permission, userid, classname = null, property = null, itemid = null) {
        const roles = await db.getUserRoles(userid);
        return security.hasPermission({ db, userid, roles }, permission, classname, {
          property: property ?? undefined,
          itemid: itemid ?? undefined,
        });
      },
      getRole: (name) => security.getRole(name),
      roles: () => security.roles(),
    };
  }

  /** The tracker configuration (Roundup's `db.config`). */
  get config(): unknown {
    return this.services.config;
  }

  /** The unchecked view of this unit of work (what detectors receive). */
  system(): Database {
    return this.systemView ?? this.self;
  }

  /** The id of the user this unit of work acts as (Roundup's `db.getuid()`). */
  getuid(): string {
    return this.userid;
  }

  /** Class handle by name; RUP_ERR_NO_SUCH_CLASS if unknown. */
  getclass(classname: string): HyperClass {
    let handle = this.classHandles.get(classname);
    if (!handle) {
      handle = new HyperClass(this.self, this.schema.getClass(classname));
      this.classHandles.set(classname, handle);
    }
    return handle;
  }

  getclasses(): string[] {
    return this.schema.classNames();
  }

  hasClass(classname: string): boolean {
    return this.schema.hasClass(classname);
  }

  /** The role names of a user (lower-case), read once per unit of work. */
  async getUserRoles(userid: string = this.userid): Promise<string[]> {
    const cached = this.rolesCache.get(userid);
    if (cached) return cached;
    let roles: string[] = [];
    const user = this.schema.classes.get('user');
    if (user?.properties.has('roles')) {
      const sys = this.system().getclass('user');
      if (await sys.hasnode(userid)) roles = parseRoles((await sys.get(userid, 'roles')) as string | null);
    }
    this.rolesCache.set(userid, roles);
    return roles;
  }

  /** Security context of the current user, for `security.hasPermission`. */
  async userContext(): Promise<{ db: Database; userid: string; roles: string[] }> {
    return { db: this.system(), userid: this.userid, roles: await this.getUserRoles() };
  }

  /** Roundup's `db.security.hasPermission(permission, userid, classname, property, itemid)` for the current user. */
  async hasPermission(permission: string, classname?: string | null, query: { property?: string; itemid?: string; skipPermissionsWithCheck?: boolean } = {}): Promise<boolean> {
    return this.services.security.hasPermission(await this.userContext(), permission, classname ?? null, query);
  }

  /**
   * Whether the current user may view `property` (or whole items, without
   * one) of every item of `classname` through permissions without a check
   * function. Pages ask this for each class and property they read, so the
   * answer is kept for the unit of work, like the user's roles.
   */
  async mayViewEverywhere(classname: string, property?: string): Promise<boolean> {
    const key = property === undefined ? classname : `${classname}.${property}`;
    const cached = this.viewEverywhereCache.get(key);
    if (cached !== undefined) return cached;
    const answer = await this.hasPermission('View', classname, { property, skipPermissionsWithCheck: true });
    this.viewEverywhereCache.set(key, answer);
    return answer;
  }

  /** Throws RUP_ERR_PERMISSION unless the current user has the permission (checked databases only). */
  async requirePermission(permission: string, classname: string, query: { property?: string; itemid?: string } = {}): Promise<void> {
    if (!this.checked) return;
    if (await this.hasPermission(permission, classname, query)) return;
    const what = query.property ? `${classname}.${query.property}` : classname;
    const item = query.itemid ? ` of ${classname}${query.itemid}` : '';
    throw new RupError('RUP_ERR_PERMISSION', `You do not have permission to ${permission.toLowerCase()} ${what}${item}`);
  }

  /** The current user's time zone: their `timezone` property if valid, else `[main] timezone`. */
  async getUserTimezone(): Promise<Timezone> {
    if (this.timezoneCache) return this.timezoneCache;
    let spec: TimezoneSpec = this.services.options.defaultTimezone;
    const user = this.schema.classes.get('user');
    if (user?.properties.has('timezone')) {
      const sys = this.system().getclass('user');
      if (await sys.hasnode(this.userid)) {
        const tz = (await sys.get(this.userid, 'timezone')) as string | null;
        if (tz && isValidTimezone(tz)) spec = tz;
      }
    }
    this.timezoneCache = toZone(spec);
    return this.timezoneCache;
  }

  /**
   * What rawToHyperdb needs to convert user input for this unit of work:
   * key lookups and current Multilink values (through the unchecked view,
   * as conversion is not a read the user makes), the user's zone and id,
   * and password encoding.
   */
  async rawContext(): Promise<RawContext> {
    const uow = this.uow;
    const schema = this.schema;
    const sys = this.system();
    return {
      schema,
      lookupKey: (classname, key) => {
        const keyProp = schema.getClass(classname).getkey();
        return keyProp ? uow.lookupKey(classname, keyProp, key) : Promise.resolve(null);
      },
      currentMultilink: async (classname, itemid, prop) => (await sys.getclass(classname).get(itemid, prop)) as string[],
      timezone: await this.getUserTimezone(),
      userid: this.userid,
      encodePassword: (raw, scheme) => this.encodePassword(raw, scheme),
    };
  }

  /** Encodes a password with the tracker's settings (default scheme PBKDF2S5 with the configured rounds). */
  encodePassword(raw: string, scheme?: string): Promise<string> {
    return this.services.options.encodePassword(raw, scheme, this.services.options.passwordRounds);
  }

  /** Deletes journal entries other than `create` older than `before` (Roundup's pack). */
  async pack(before: DateTime): Promise<number> {
    if (this.checked) throw new RupError('RUP_ERR_PERMISSION', 'pack is an administrative operation');
    return this.uow.change(async () => {
      const tx = await this.uow.writer();
      this.uow.writes++;
      await this.uow.flushQueued();
      return this.services.storage.journal.pack(tx, this.getclasses(), before);
    });
  }

  /** Empties the full-text index (before a complete reindex); unchecked databases only. */
  async clearTextIndex(): Promise<void> {
    if (this.checked) throw new RupError('RUP_ERR_PERMISSION', 'clearing the index is an administrative operation');
    await this.uow.change(async () => {
      const tx = await this.uow.writer();
      this.uow.writes++;
      await this.services.storage.indexer.clear(tx);
    });
  }

  async commit(): Promise<void> {
    this.rolesCache = new Map();
    this.viewEverywhereCache = new Map();
    this.timezoneCache = null;
    await this.uow.commit();
  }

  async rollback(): Promise<void> {
    this.rolesCache = new Map();
    this.viewEverywhereCache = new Map();
    this.timezoneCache = null;
    await this.uow.rollback();
  }

  /** Ends the unit of work, rolling back anything not committed. */
  async close(): Promise<void> {
    await this.uow.close();
  }
}

/**
 * Lets `db.<classname>` reach the class handle, as in Roundup's schema and
 * detectors. Methods come bound to the database (so `const { getuid } = db`
 * works), each bound once per database rather than at every access.
 */
function withClassProperties(db: Database): Database {
  const bound = new Map<PropertyKey, { fn: unknown; bound: unknown }>();
  db.self = new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (value === undefined && typeof prop === 'string' && !(prop in target) && target.schema.hasClass(prop)) return target.getclass(prop);
      if (typeof value !== 'function') return value;
      const hit = bound.get(prop);
      if (hit && hit.fn === value) return hit.bound;
      const fn = value.bind(target);
      bound.set(prop, { fn: value, bound: fn });
      return fn;
    },
  });
  return db.self;
}
