/** The commands that describe the tracker: `specification` (a class's properties) and `security` (roles and permissions). */
import { formatSecurityReport } from '../../security/security-report.js';
import type { AdminCommand } from '../command.js';
import { pragmaFlag } from '../pragma-defaults.js';
import { getClass, println, requireArgs } from './common.js';

export const specificationCommand: AdminCommand = {
  name: 'specification',
  needsTracker: true,
  help: `Usage: specification classname
Show the properties for a classname.

This lists the properties for a given class.`,
  async run(ctx, args) {
    requireArgs(args, 1);
    const cls = getClass(await ctx.db(), args[0]!);
    const key = cls.getkey();
    // Schema order; the protected properties (id, creation, ...) only with pragma display_protected.
    for (const [name, prop] of cls.getprops(pragmaFlag(ctx.pragmas, 'display_protected'))) {
      println(ctx, `${name}: ${prop.describe()}${name === key ? ' (key property)' : ''}`);
    }
  },
};

export const securityCommand: AdminCommand = {
  name: 'security',
  needsTracker: true,
  help: `Usage: security [Role name]

     Display the Permissions available to one or all Roles.
     Also validates that any properties defined in a
     permission are valid.

     Run this after changing your permissions to catch
     typos.`,
  async run(ctx, args) {
    const tracker = await ctx.tracker();
    const report = formatSecurityReport(tracker.security, tracker.schema, {
      // As Roundup, only a single argument names a role.
      role: args.length === 1 ? args[0] : undefined,
      newWebUserRoles: tracker.config.NEW_WEB_USER_ROLES as string,
      newEmailUserRoles: tracker.config.NEW_EMAIL_USER_ROLES as string,
    });
    for (const line of report.lines) println(ctx, line);
    return report.error ? 1 : 0;
  },
};
