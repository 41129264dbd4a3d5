/**
 * Search rules: which properties a user may filter, sort or group on.
 * Same algorithm as Roundup's `Security.roleHasSearchPermission`: a search
 * on a property is allowed when a `View` or `Search` permission without a
 * check function covers it; a transitive path (`messages.author.username`)
 * needs that at every step, and a search ending on a Link or Multilink also
 * needs the target class's `id`, label and order properties searchable,
 * because the results show and sort by them.
 */
import type { Role } from './role.js';
import type { SecuritySchema } from './schema-view.js';

/**
 * True when at least one of `roles` may search `propertyPath` of `classname`.
 * Unknown classes, unknown properties and paths that continue past a
 * non-link property are not searchable.
 */
export function rolesMaySearch<DB>(schema: SecuritySchema, roles: readonly Role<DB>[], classname: string, propertyPath: string): boolean {
  const anyRole = (cn: string, prop: string): boolean => roles.some((role) => role.searchable(cn, prop));
  let cn = classname;
  let previous: string | null = null;
  for (const propname of propertyPath.split('.')) {
    if (previous !== null) {
      const target = schema.linkTarget(cn, previous);
      if (target === undefined) return false;
      cn = target;
    }
    if (!schema.hasClass(cn) || !schema.propertyNames(cn).includes(propname)) return false;
    if (!anyRole(cn, propname)) return false;
    previous = propname;
  }
  const target = previous === null ? undefined : schema.linkTarget(cn, previous);
  if (target === undefined) return true;
  if (!schema.hasClass(target)) return false;
  const shown = new Set(['id', schema.labelProp(target), schema.orderProp(target)]);
  for (const prop of shown) {
    if (!anyRole(target, prop)) return false;
  }
  return true;
}

/** One sort or group key: direction (`+` or `-`) and property path. */
export type SortKey = readonly [string, string];

/**
 * Keeps the filterspec entries whose property the roles may search
 * (Roundup's `filterFilterspec`); the web layer drops the rest silently.
 */
export function searchableFilterspec<DB, V>(
  schema: SecuritySchema,
  roles: readonly Role<DB>[],
  classname: string,
  filterspec: Readonly<Record<string, V>>,
): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [prop, value] of Object.entries(filterspec)) {
    if (rolesMaySearch(schema, roles, classname, prop)) out[prop] = value;
  }
  return out;
}

/**
 * Keeps the sort or group keys whose property the roles may search
 * (Roundup's `filterSortspec`); a single key is accepted as well as a list.
 */
export function searchableSortspec<DB>(
  schema: SecuritySchema,
  roles: readonly Role<DB>[],
  classname: string,
  sort: SortKey | readonly SortKey[],
): SortKey[] {
  const keys = isSingleKey(sort) ? [sort] : sort;
  return keys.filter(([, prop]) => rolesMaySearch(schema, roles, classname, prop));
}

function isSingleKey(sort: SortKey | readonly SortKey[]): sort is SortKey {
  return sort.length === 2 && typeof sort[0] === 'string' && (sort[0] === '+' || sort[0] === '-') && typeof sort[1] === 'string';
}
