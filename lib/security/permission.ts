/**
 * One Permission: a named right, optionally limited to a class, to some of
 * its properties, and to items a check function accepts. Same model as
 * Roundup's `roundup.security.Permission`; the matching rules live here so
 * roles and the security object share one definition of "this permission
 * answers that question".
 */
import { RupError } from '../errors.js';

/** What a check function is told besides db, userid and itemid (Roundup's `**ctx`). */
export interface CheckContext {
  /** The property asked about, or undefined for an item-level question. */
  property?: string;
  /** The permission name asked about (`View`, `Edit`, ...). */
  permission: string;
  /** The class of the item being checked. */
  classname: string;
}

/**
 * Decides whether a user may use a permission on one item. Roundup calls it
 * `check(db, userid, itemid, **ctx)`; here the context is always passed as the
 * fourth argument, so a three-argument function works as well.
 */
export type CheckFunction<DB = unknown> = (
  db: DB,
  userid: string,
  itemid: string,
  ctx: CheckContext,
) => boolean | Promise<boolean>;

/**
 * Returns filter arguments selecting the items a checked permission grants,
 * so the hyperdb can evaluate the check in SQL instead of item by item
 * (Roundup's `filter(db, userid, klass)` returning a list of dicts of
 * `filter()` keyword arguments). The security model only stores it.
 */
export type PermissionFilter<DB = unknown> = (db: DB, userid: string, klass: unknown) => unknown;

/** The keyword arguments of `addPermission`, spelled as in Roundup's schema.py. */
export interface PermissionSpec<DB = unknown> {
  name: string;
  description?: string;
  /** The class the permission is limited to; absent or null for every class. */
  klass?: string | null;
  /** The only properties it applies to; absent, null or empty for all. A single name may be given as a string. */
  properties?: readonly string[] | string | null;
  check?: CheckFunction<DB> | null;
  /** With properties: refuse class/item-level questions (Roundup's props_only). */
  props_only?: boolean | null;
  filter?: PermissionFilter<DB> | null;
}

const SPEC_KEYS = new Set(['name', 'description', 'klass', 'properties', 'check', 'props_only', 'filter']);

/** The result of matching a permission before its check function runs. */
export type MatchResult = 'no' | 'yes' | 'check';

/**
 * An immutable permission. Build it through `Security.addPermission`, which
 * also registers it for `getPermission`; the constructor is public so tests
 * and the security object share it.
 */
export class Permission<DB = unknown> {
  readonly name: string;
  readonly description: string;
  readonly klass: string | null;
  /** null when the permission covers every property; may be empty (which also covers every property). */
  readonly properties: readonly string[] | null;
  readonly check: CheckFunction<DB> | null;
  readonly filter: PermissionFilter<DB> | null;
  /**
   * Roundup's `limit_perm_to_props_only`: null when no properties are listed,
   * otherwise the explicit props_only or the security object's default at
   * creation time.
   */
  readonly propsOnly: boolean | null;
  private readonly propertySet: ReadonlySet<string> | null;

  /**
   * @param spec the `addPermission` keyword arguments.
   * @param propsOnlyDefault the default for props_only when properties are listed.
   * @throws RupError RUP_ERR_SCHEMA when the spec is malformed (unknown option,
   *   empty name, non-string property, check or filter that is not a function).
   */
  constructor(spec: PermissionSpec<DB>, propsOnlyDefault: boolean) {
    if (spec === null || typeof spec !== 'object') {
      throw new RupError('RUP_ERR_SCHEMA', 'addPermission: expected an object of options such as { name, klass, properties, check, description }');
    }
    for (const key of Object.keys(spec)) {
      if (!SPEC_KEYS.has(key)) {
        throw new RupError('RUP_ERR_SCHEMA', `addPermission: unknown option "${key}" (expected one of ${[...SPEC_KEYS].join(', ')})`);
      }
    }
    if (typeof spec.name !== 'string' || spec.name === '') {
      throw new RupError('RUP_ERR_SCHEMA', 'addPermission: "name" must be a non-empty string');
    }
    const where = `permission "${spec.name}"`;
    if (spec.description !== undefined && spec.description !== null && typeof spec.description !== 'string') {
      throw new RupError('RUP_ERR_SCHEMA', `${where}: "description" must be a string`);
    }
    if (spec.klass !== undefined && spec.klass !== null && (typeof spec.klass !== 'string' || spec.klass === '')) {
      throw new RupError('RUP_ERR_SCHEMA', `${where}: "klass" must be a class name`);
    }
    this.name = spec.name;
    this.description = spec.description ?? '';
    this.klass = spec.klass ?? null;
    this.properties = normaliseProperties(spec.properties, where);
    this.check = functionOrNull(spec.check, where, 'check');
    this.filter = functionOrNull(spec.filter, where, 'filter');
    // Same rule as Roundup: props_only only means something when properties
    // are listed, so two permissions differing only by it compare equal otherwise.
    this.propsOnly = this.properties === null ? null : spec.props_only == null ? propsOnlyDefault : Boolean(spec.props_only);
    this.propertySet = this.properties && this.properties.length > 0 ? new Set(this.properties) : null;
  }

  /** True when the property list is absent or empty, or names `property` (Roundup's TruthDict). */
  coversProperty(property: string): boolean {
    return this.propertySet === null || this.propertySet.has(property);
  }

  /**
   * Roundup's `Permission.test` up to the point where the check function
   * would run: name and class must match (a class-less permission matches any
   * class), a property question needs the property listed (or none listed), a
   * question without a property is refused by a props_only permission with
   * properties, and the check function only matters when an item is named.
   */
  match(permission: string, classname: string | null, property: string | null, itemid: string | null): MatchResult {
    if (permission !== this.name) return 'no';
    if (this.klass !== null && this.klass !== classname) return 'no';
    if (property !== null && !this.coversProperty(property)) return 'no';
    if (property === null && this.properties !== null && this.propsOnly) return 'no';
    if (itemid !== null && this.check !== null) return 'check';
    return 'yes';
  }

  /**
   * Full test including the check function, which receives the property,
   * permission and class as its context.
   */
  async test(db: DB, userid: string, permission: string, classname: string | null, property: string | null, itemid: string | null): Promise<boolean> {
    const result = this.match(permission, classname, property, itemid);
    if (result !== 'check') return result === 'yes';
    const ctx: CheckContext = { permission, classname: classname as string };
    if (property !== null) ctx.property = property;
    return Boolean(await (this.check as CheckFunction<DB>)(db, userid, itemid as string, ctx));
  }

  /**
   * Roundup's `Permission.searchable`: a `View` or `Search` permission for
   * the class (or every class), covering the property, without a check function.
   */
  searchable(classname: string, property: string): boolean {
    if (this.name !== 'View' && this.name !== 'Search') return false;
    if (this.klass !== null && this.klass !== classname) return false;
    if (!this.coversProperty(property)) return false;
    return this.check === null;
  }

  /**
   * Roundup's Permission equality, used by `getPermission`: same name, class,
   * property list (same names in the same order), check function and props_only.
   */
  sameAs(other: Permission<DB>): boolean {
    return (
      this.name === other.name &&
      this.klass === other.klass &&
      samePropertyList(this.properties, other.properties) &&
      this.check === other.check &&
      this.propsOnly === other.propsOnly
    );
  }
}

function normaliseProperties(value: PermissionSpec['properties'], where: string): readonly string[] | null {
  if (value === undefined || value === null) return null;
  // A single name is one property here; Python would split a string into letters.
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) {
    throw new RupError('RUP_ERR_SCHEMA', `${where}: "properties" must be a list of property names`);
  }
  for (const p of list) {
    if (typeof p !== 'string' || p === '') {
      throw new RupError('RUP_ERR_SCHEMA', `${where}: "properties" must hold property names, got ${JSON.stringify(p)}`);
    }
  }
  return Object.freeze([...list]);
}

function functionOrNull<F>(value: F | null | undefined, where: string, what: string): F | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'function') {
    throw new RupError('RUP_ERR_SCHEMA', `${where}: "${what}" must be a function, got ${typeof value}`);
  }
  return value;
}

function samePropertyList(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((p, i) => p === b[i]);
}
