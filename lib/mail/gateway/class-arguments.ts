/**
 * The `-S/--set-value '[class.]prop=value[;prop=value]'` options of
 * roundup-mailgw: extra property values for what the gateway creates.
 * The class is one of Roundup's four gateway roles: `msg` (the default,
 * the message item), `file` (attachments), `user` (users the gateway
 * registers) or `issue` (the item the message is for, whatever its class).
 * Values use the raw syntax of subject suffixes (`nosy=+alice`).
 */

import type { Database } from '../../hyperdb/database.js';
import { rawToHyperdb } from '../../hyperdb/raw-values.js';
import type { HyperValue } from '../../hyperdb/values.js';
import { MailUsageError, isValueError } from './gateway-errors.js';
import { splitAssignments } from './subject-grammar.js';

/** The roles a `-S` value can be for. */
export type ClassRole = 'msg' | 'file' | 'user' | 'issue';

const ROLES: readonly ClassRole[] = ['msg', 'file', 'user', 'issue'];

/** One `-S` option, split into its role and its `prop=value` list. */
export interface SetValueSpec {
  role: ClassRole | string;
  assignments: string;
}

/**
 * Splits a `-S` option: a `class.` prefix is recognised when the text
 * before the first `=` holds a dot; without one the values are for `msg`.
 */
export function parseSetValue(option: string): SetValueSpec {
  const text = option.trim();
  const eq = text.indexOf('=');
  const head = eq < 0 ? text : text.slice(0, eq);
  const dot = head.indexOf('.');
  if (dot < 0) return { role: 'msg', assignments: text };
  return { role: text.slice(0, dot).trim(), assignments: text.slice(dot + 1) };
}

function setupError(adminEmail: string, what: string, detail: string): MailUsageError {
  return new MailUsageError(`\nThe mail gateway is not properly set up. Please contact\n${adminEmail} and have them fix the incorrect ${what}:\n  ${detail}\n`);
}

/**
 * The values the `-S` options give for one role, converted for `classname`
 * (the class the role stands for in this message) as `db`'s user would
 * enter them; later options win. Roundup's get_class_arguments.
 * @throws MailUsageError "The mail gateway is not properly set up..." for
 *   an option naming an unknown role or class, or values that do not
 *   convert; the sender's bounce names the tracker admin to contact.
 */
export async function classArguments(
  db: Database,
  specs: readonly string[],
  role: ClassRole,
  classname: string,
  itemid: string | null,
  adminEmail: string,
): Promise<Record<string, HyperValue>> {
  if (!db.hasClass(classname)) throw setupError(adminEmail, 'class specified as', classname);
  const values: Record<string, HyperValue> = {};
  const parsed = specs.map(parseSetValue);
  for (const spec of parsed) {
    if (!ROLES.includes(spec.role as ClassRole)) throw setupError(adminEmail, 'class specified as', spec.role);
  }
  const cls = db.schema.getClass(classname);
  let ctx: Awaited<ReturnType<Database['rawContext']>> | null = null;
  for (const spec of parsed) {
    if (spec.role !== role) continue;
    const { assignments, formError } = splitAssignments(spec.assignments);
    const errors: string[] = formError ? [formError] : [];
    for (const { name, value } of formError ? [] : assignments) {
      ctx ??= await db.rawContext();
      try {
        values[name] = await rawToHyperdb(ctx, cls, itemid, name, value);
      } catch (err) {
        if (!isValueError(err)) throw err;
        errors.push(err.message);
      }
    }
    if (errors.length) throw setupError(adminEmail, 'properties', errors.join('\n  '));
  }
  return values;
}
