/** The security model's public surface: roles, permissions, checks, search rules and the `security` report. */
export { Permission } from './permission.js';
export type { CheckContext, CheckFunction, PermissionFilter, PermissionSpec } from './permission.js';
export { Role } from './role.js';
export { Security, parseRoles } from './security.js';
export type { PermissionQuery, RoleSpec, SecuritySchema, UserContext } from './security.js';
export type { SortKey } from './search-permission.js';
export { formatSecurityReport } from './security-report.js';
export type { SecurityReport, SecurityReportOptions } from './security-report.js';
