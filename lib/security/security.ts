/**
 * A tracker's security model: its roles, its permissions and the questions
 * every request asks of them. Built once when the tracker's schema loads
 * (schema.js calls addRole / addPermission / addPermissionToRole like
 * Roundup's schema.py calls `db.security.*`), then only read.
 *
 * Compatibility: mirrors Roundup's `roundup.security.Security`, including
 * its built-in roles and permissions, lookup errors and matching rules.
 * Differences: the props_only default belongs to one tracker (Roundup keeps
 * it process-wide), check functions may be async, the caller passes the
 * user's roles instead of the security object reading the user item, and
 * schema mistakes (unknown class, check that is not a function, misspelt
 * option, unknown role) raise RUP_ERR_SCHEMA when the schema loads.
 */
import { RupError } from '../errors.js';
import { Permission, type CheckFunction, type PermissionSpec } from './permission.js';
import { Role } from './role.js';
import type { SecuritySchema } from './schema-view.js';
import { rolesMaySearch, searchableFilterspec, searchableSortspec, type SortKey } from './search-permission.js';

export type { SecuritySchema } from './schema-view.js';

/** Who is asking: the opaque db handed to check functions, the user id and the user's role names. */
export interface UserContext<DB = unknown> {
  db: DB;
  userid: string;
  /** Role names as stored in `user.roles`; case and surrounding blanks are ignored, unknown names skipped. */
  roles: readonly string[];
}

/** Optional parts of a permission question. */
export interface PermissionQuery {
  /** Ask about one property; the permission must list it or list none. */
  property?: string;
  /** Ask about one item; check functions run only when this is given (requires a classname). */
  itemid?: string;
  /**
   * Consider only permissions without a check function (Roundup's
   * skip_permissions_with_check): "may the user see every item of the class?"
   */
  skipPermissionsWithCheck?: boolean;
}

/** The options of `addRole`, as in Roundup's schema.py. */
export interface RoleSpec {
  name: string;
  description?: string;
}

/**
 * Splits a `user.roles` value into role names: comma-separated, blanks
 * trimmed, lower-cased, empty entries dropped (Roundup's iter_roles).
 */
export function parseRoles(value: string | null | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((r) => r.trim().toLowerCase())
    .filter((r) => r !== '');
}

const ROLE_SPEC_KEYS = new Set(['name', 'description']);

/**
 * The roles and permissions of one tracker. `DB` is whatever the hyperdb
 * hands to check functions as their first argument; the security model
 * only passes it through.
 */
export class Security<DB = unknown> {
  private readonly roleMap = new Map<string, Role<DB>>();
  private readonly registry = new Map<string, Permission<DB>[]>();
  private propsOnlyDefault = false;

  /**
   * Creates the built-in roles (User, Admin, Anonymous) and permissions:
   * global Create/Edit/Restore/Retire/View ("User may <x> everything") and
   * the interface permissions Web Access, Rest Access, Xmlrpc Access, Web
   * Roles and Email Access, all given to Admin, in Roundup's order.
   */
  constructor(readonly schema: SecuritySchema) {
    this.addRole({ name: 'User', description: 'A regular user, no privs' });
    this.addRole({ name: 'Admin', description: 'An admin user, full privs' });
    this.addRole({ name: 'Anonymous', description: 'An anonymous user' });
    for (const verb of ['create', 'edit', 'restore', 'retire', 'view']) {
      const perm = this.addPermission({ name: verb[0]!.toUpperCase() + verb.slice(1), description: `User may ${verb} everything` });
      this.addPermissionToRole('Admin', perm);
    }
    // Created by Roundup's web client and mail gateway when security starts.
    const interfaces: Array<[string, string]> = [
      ['Web Access', 'User may access the web interface'],
      ['Rest Access', 'User may access the rest interface'],
      ['Xmlrpc Access', 'User may access the xmlrpc interface'],
      ['Web Roles', 'User may manipulate user Roles through the web'],
      ['Email Access', 'User may use the email interface'],
    ];
    for (const [name, description] of interfaces) {
      this.addPermissionToRole('Admin', this.addPermission({ name, description }));
    }
  }

  // ---- definition (schema load time) ----

  /**
   * Creates a role (name stored lower-case). Re-adding an existing name
   * replaces that role and its permissions, as in Roundup.
   * @throws RupError RUP_ERR_SCHEMA for a missing name or an unknown option.
   */
  addRole(spec: RoleSpec): Role<DB> {
    if (spec === null || typeof spec !== 'object') {
      throw new RupError('RUP_ERR_SCHEMA', 'addRole: expected an object of options such as { name, description }');
    }
    for (const key of Object.keys(spec)) {
      if (!ROLE_SPEC_KEYS.has(key)) throw new RupError('RUP_ERR_SCHEMA', `addRole: unknown option "${key}" (expected name, description)`);
    }
    if (typeof spec.name !== 'string' || spec.name.trim() === '') {
      throw new RupError('RUP_ERR_SCHEMA', 'addRole: "name" must be a non-empty string');
    }
    if (spec.description !== undefined && typeof spec.description !== 'string') {
      throw new RupError('RUP_ERR_SCHEMA', `addRole: role "${spec.name}": "description" must be a string`);
    }
    const role = new Role<DB>(spec.name, spec.description ?? '');
    this.roleMap.set(role.name, role);
    return role;
  }

  /**
   * Creates and registers a permission (see {@link PermissionSpec}).
   * @throws RupError RUP_ERR_SCHEMA for a malformed spec or a class the schema does not have.
   */
  addPermission(spec: PermissionSpec<DB>): Permission<DB> {
    const perm = new Permission<DB>(spec, this.propsOnlyDefault);
    if (perm.klass !== null && !this.schema.hasClass(perm.klass)) {
      throw new RupError('RUP_ERR_SCHEMA', `permission "${perm.name}": No class "${perm.klass}" defined`);
    }
    this.register(perm);
    return perm;
  }

  /**
   * Adds the permissions every class gets when it is created: Create, Edit,
   * View and Retire for that class, with Roundup's descriptions. Called by
   * the hyperdb for each new class (Restore and Search are never automatic).
   */
  addClassPermissions(classname: string): void {
    if (typeof classname !== 'string' || classname === '') {
      throw new RupError('RUP_ERR_SCHEMA', 'addClassPermissions: a class name is required');
    }
    const defaults: Array<[string, string]> = [
      ['Create', 'create'],
      ['Edit', 'edit'],
      ['View', 'access'],
      ['Retire', 'retire'],
    ];
    for (const [name, verb] of defaults) {
      this.register(new Permission<DB>({ name, klass: classname, description: `User is allowed to ${verb} ${classname}` }, this.propsOnlyDefault));
    }
  }

  /**
   * Finds the registered permission exactly matching name, class, property
   * list, check function and props_only (Roundup's getPermission).
   * @throws RupError RUP_ERR_SCHEMA `No permission "x" defined`,
   *   `No class "x" defined` or `No permission "x" defined for "c"`.
   */
  getPermission(
    permission: string,
    classname?: string | null,
    properties?: readonly string[] | string | null,
    check?: CheckFunction<DB> | null,
    props_only?: boolean | null,
  ): Permission<DB> {
    const candidates = this.registry.get(permission);
    if (!candidates) throw new RupError('RUP_ERR_SCHEMA', `No permission "${permission}" defined`);
    if (classname && !this.schema.hasClass(classname)) {
      throw new RupError('RUP_ERR_SCHEMA', `No class "${classname}" defined`);
    }
    const tester = new Permission<DB>({ name: permission, klass: classname || null, properties, check, props_only }, this.propsOnlyDefault);
    const found = candidates.find((perm) => perm.sameAs(tester));
    if (!found) throw new RupError('RUP_ERR_SCHEMA', `No permission "${permission}" defined for "${classname || 'None'}"`);
    return found;
  }

  /**
   * Gives a role a permission: either a Permission object, or a name looked
   * up with {@link getPermission} from the remaining arguments.
   * @throws RupError RUP_ERR_SCHEMA for an unknown permission or role.
   */
  addPermissionToRole(
    rolename: string,
    permission: Permission<DB> | string,
    classname?: string | null,
    properties?: readonly string[] | string | null,
    check?: CheckFunction<DB> | null,
    props_only?: boolean | null,
  ): void {
    let perm: Permission<DB>;
    if (permission instanceof Permission) perm = permission;
    else if (typeof permission === 'string') perm = this.getPermission(permission, classname, properties, check, props_only);
    else throw new RupError('RUP_ERR_SCHEMA', 'addPermissionToRole: the permission must be a Permission or a permission name');
    const role = typeof rolename === 'string' ? this.roleMap.get(rolename.toLowerCase()) : undefined;
    if (!role) throw new RupError('RUP_ERR_SCHEMA', `addPermissionToRole: No such Role "${String(rolename)}"`);
    role.addPermission(perm);
  }

  /**
   * Sets the props_only value used by permissions created afterwards with
   * properties but without an explicit props_only. Undefined/null leave it unchanged.
   */
  set_props_only_default(props_only?: boolean | null): void {
    if (props_only !== undefined && props_only !== null) this.propsOnlyDefault = Boolean(props_only);
  }

  /** The current props_only default. */
  get_props_only_default(): boolean {
    return this.propsOnlyDefault;
  }

  // ---- lookup ----

  /** The role of that name (case-insensitive), or undefined. */
  getRole(name: string): Role<DB> | undefined {
    return this.roleMap.get(name.toLowerCase());
  }

  /** Every role, in the order they were created. */
  roles(): Role<DB>[] {
    return [...this.roleMap.values()];
  }

  /** The user's known roles, from names as stored in `user.roles` (unknown and empty names skipped). */
  resolveRoles(names: readonly string[]): Role<DB>[] {
    const out: Role<DB>[] = [];
    const seen = new Set<string>();
    for (const raw of names) {
      const name = raw.trim().toLowerCase();
      const role = this.roleMap.get(name);
      if (role && !seen.has(name)) {
        seen.add(name);
        out.push(role);
      }
    }
    return out;
  }

  // ---- questions (request time) ----

  /**
   * May the user use `permission` (on `classname`, its `property`, item `itemid`)?
   *
   * A permission answers when its name matches, its class matches or it has
   * none, the property (if asked) is listed or none are listed, and, when an
   * item is named, its check function (if any) accepts the item. A question
   * without an item ignores check functions, and a question without a
   * property skips permissions with properties and props_only. Permissions
   * without a check function are tried first, for all the user's roles.
   * @throws RupError RUP_ERR_VALUE `classname must accompany itemid`.
   */
  async hasPermission(ctx: UserContext<DB>, permission: string, classname?: string | null, query: PermissionQuery = {}): Promise<boolean> {
    const cn = classname ?? null;
    const property = query.property ?? null;
    const itemid = query.itemid ?? null;
    if (itemid !== null && cn === null) throw new RupError('RUP_ERR_VALUE', 'classname must accompany itemid');
    const roles = this.resolveRoles(ctx.roles);
    for (const role of roles) {
      for (const perm of role.candidates(permission, cn, 'without-check')) {
        if (perm.match(permission, cn, property, itemid) === 'yes') return true;
      }
    }
    if (query.skipPermissionsWithCheck) return false;
    for (const role of roles) {
      for (const perm of role.candidates(permission, cn, 'with-check')) {
        if (await perm.test(ctx.db, ctx.userid, permission, cn, property, itemid)) return true;
      }
    }
    return false;
  }

  /**
   * The user's permissions with a check function that could grant
   * `permission` on items of `classname` (props_only ones excluded: they
   * never answer an item question without a property). The hyperdb uses
   * them when no unchecked permission grants the whole class.
   */
  checkedPermissions(ctx: Pick<UserContext<DB>, 'roles'>, permission: string, classname: string): Permission<DB>[] {
    const out: Permission<DB>[] = [];
    for (const role of this.resolveRoles(ctx.roles)) {
      for (const perm of role.candidates(permission, classname, 'with-check')) {
        if (!(perm.properties !== null && perm.propsOnly)) out.push(perm);
      }
    }
    return out;
  }

  /**
   * True when every checked permission that could grant the user
   * `permission` on `classname` also has a filter function, so the hyperdb
   * can evaluate them in SQL (Roundup's is_filterable); also true when there
   * are none.
   */
  isFilterable(ctx: Pick<UserContext<DB>, 'roles'>, permission: string, classname: string): boolean {
    return this.checkedPermissions(ctx, permission, classname).every((perm) => perm.filter !== null);
  }

  /** The checked permissions (see {@link checkedPermissions}) that carry a filter function (Roundup's filter_iter). */
  filterPermissions(ctx: Pick<UserContext<DB>, 'roles'>, permission: string, classname: string): Permission<DB>[] {
    return this.checkedPermissions(ctx, permission, classname).filter((perm) => perm.filter !== null);
  }

  /**
   * May any of the named roles search `propertyPath` (possibly transitive,
   * `messages.author.username`) of `classname`? See search-permission.ts.
   * @throws RupError RUP_ERR_VALUE for a role name that does not exist.
   */
  roleHasSearchPermission(classname: string, propertyPath: string, ...rolenames: string[]): boolean {
    const roles = rolenames.map((name) => {
      const role = this.getRole(name);
      if (!role) throw new RupError('RUP_ERR_VALUE', `No such Role "${name}"`);
      return role;
    });
    return rolesMaySearch(this.schema, roles, classname, propertyPath);
  }

  /** May the user search `propertyPath` of `classname`? (unknown roles ignored) */
  hasSearchPermission(ctx: Pick<UserContext<DB>, 'roles'>, classname: string, propertyPath: string): boolean {
    return rolesMaySearch(this.schema, this.resolveRoles(ctx.roles), classname, propertyPath);
  }

  /** The filterspec without the properties the user may not search. */
  filterFilterspec<V>(ctx: Pick<UserContext<DB>, 'roles'>, classname: string, filterspec: Readonly<Record<string, V>>): Record<string, V> {
    return searchableFilterspec(this.schema, this.resolveRoles(ctx.roles), classname, filterspec);
  }

  /** The sort or group keys without the properties the user may not search. */
  filterSortspec(ctx: Pick<UserContext<DB>, 'roles'>, classname: string, sort: SortKey | readonly SortKey[]): SortKey[] {
    return searchableSortspec(this.schema, this.resolveRoles(ctx.roles), classname, sort);
  }

  private register(perm: Permission<DB>): void {
    const list = this.registry.get(perm.name);
    if (list) list.push(perm);
    else this.registry.set(perm.name, [perm]);
  }
}
