/**
 * The text of `roundup-admin security [Role]`, line for line as Roundup's
 * `do_security` writes it: the roles new web and email users get, then
 * each role (sorted by name) with one line per permission in the order the
 * role received them. A permission listing properties the class does not
 * have ends the report with an `**Invalid properties` block, which the
 * admin tool turns into exit status 1.
 */
import { pythonStringRepr } from '../util/python-repr.js';
import type { Permission } from './permission.js';
import type { Role } from './role.js';
import type { SecuritySchema } from './schema-view.js';
import type { Security } from './security.js';

export interface SecurityReportOptions {
  /** Show only this role (case-insensitive); the "New ... users" lines are then left out. */
  role?: string;
  /** config.ini `[main] new_web_user_roles`, printed as written. */
  newWebUserRoles: string;
  /** config.ini `[main] new_email_user_roles`, printed as written. */
  newEmailUserRoles: string;
}

export interface SecurityReport {
  /** Output lines without line ends; the admin tool prints each followed by "\n". */
  lines: string[];
  /** True for an unknown role or invalid properties: roundup-admin exits with status 1. */
  error: boolean;
}

/**
 * Builds the `security` command's output from the security model and the
 * schema (which says which properties each class really has, protected
 * ones included).
 */
export function formatSecurityReport<DB>(security: Security<DB>, schema: SecuritySchema, options: SecurityReportOptions): SecurityReport {
  const lines: string[] = [];
  let roles: Role<DB>[];
  if (options.role !== undefined) {
    const role = security.getRole(options.role);
    if (!role) return { lines: [`No such Role "${options.role}"`], error: true };
    roles = [role];
  } else {
    lines.push(newUsersLine('Web', options.newWebUserRoles));
    lines.push(newUsersLine('Email', options.newEmailUserRoles));
    roles = security.roles().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  for (const role of roles) {
    lines.push(`Role "${role.name}":`);
    for (const perm of role.permissions) {
      lines.push(permissionLine(perm));
      const bad = invalidProperties(schema, perm);
      if (bad.length > 0) {
        lines.push('', `  **Invalid properties for ${perm.klass}: ${pythonList(bad)}`, '');
        return { lines, error: true };
      }
    }
  }
  return { lines, error: false };
}

function newUsersLine(kind: 'Web' | 'Email', roles: string): string {
  // Roundup switches to the plural as soon as the setting holds a comma.
  return roles.includes(',') ? `New ${kind} users get the Roles "${roles}"` : `New ${kind} users get the Role "${roles}"`;
}

function permissionLine<DB>(perm: Permission<DB>): string {
  if (perm.klass === null) return ` ${perm.description} (${perm.name})`;
  if (perm.properties !== null && perm.properties.length > 0) {
    return ` ${perm.description} (${perm.name} for "${perm.klass}": ${pythonTuple(perm.properties)} only)`;
  }
  return ` ${perm.description} (${perm.name} for "${perm.klass}" only)`;
}

/** Listed properties the class lacks (all of them when the class itself is gone). */
function invalidProperties<DB>(schema: SecuritySchema, perm: Permission<DB>): string[] {
  if (perm.klass === null || perm.properties === null || perm.properties.length === 0) return [];
  if (!schema.hasClass(perm.klass)) return [...perm.properties];
  const known = new Set(schema.propertyNames(perm.klass));
  return perm.properties.filter((p) => !known.has(p));
}

// Schemas written from Roundup's docs list properties as Python tuples, so
// the report shows them the way Python prints a tuple: ('a', 'b') or ('a',).
function pythonTuple(items: readonly string[]): string {
  const body = items.map(pythonStringRepr).join(', ');
  return items.length === 1 ? `(${body},)` : `(${body})`;
}

function pythonList(items: readonly string[]): string {
  return `[${items.map(pythonStringRepr).join(', ')}]`;
}
