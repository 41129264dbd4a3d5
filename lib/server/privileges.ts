import { execFileSync } from 'node:child_process';
import { chownSync } from 'node:fs';
import { RupError } from '../errors.js';

/**
 * Roundup's rule for `-u` / `-g` (Unix): a server started as root binds
 * its port first (so ports below 1024 work) and then becomes the given
 * user and group; started as root without `-u` it refuses to run ("Can't
 * run as root!" — Roundup offers no switch to allow it, and neither do
 * we); started as another user, `-u` and `-g` are ignored with a warning.
 * Unlike Roundup we also set the supplementary groups, and take the
 * user's own group when no `-g` is given, so no trace of root's groups
 * stays.
 */

/** A user or group, resolved. */
export interface Identity {
  uid: number;
  gid: number;
  /** The user's name or number as given, for initgroups. */
  user: string | number;
}

/** Numeric id of `name` from `id` (which asks the system's user database, NSS included), or null. */
function lookupId(flag: '-u' | '-g', name: string): number | null {
  try {
    return Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    return null;
  }
}

/** A group name or number as a gid, or null when there is no such group. */
function lookupGroup(group: string): number | null {
  if (/^\d+$/.test(group)) return Number(group);
  try {
    const line = execFileSync('getent', ['group', group], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const gid = line.split(':')[2];
    return gid === undefined ? null : Number(gid);
  } catch {
    return null;
  }
}

/** Whether this process runs as root (false where there are no uids). */
export function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Checks `-u`/`-g` before anything is bound. Returns the identity to
 * switch to (null: stay as is) and the warnings to print; throws
 * RUP_ERR_CONFIG for root without `-u` and for unknown users or groups.
 */
export function planIdentity(user: string | null, group: string | null): { identity: Identity | null; warnings: string[] } {
  const warnings: string[] = [];
  if (typeof process.getuid !== 'function') return { identity: null, warnings };
  if (!runningAsRoot()) {
    if (group) warnings.push('WARNING: ignoring "-g" argument, not root');
    if (user) warnings.push('WARNING: ignoring "-u" argument, not root');
    return { identity: null, warnings };
  }
  if (!user) throw new RupError('RUP_ERR_CONFIG', "Can't run as root!");
  const uid = /^\d+$/.test(user) ? Number(user) : lookupId('-u', user);
  if (uid === null || lookupId('-u', String(uid)) === null) throw new RupError('RUP_ERR_CONFIG', `User ${user} doesn't exist`);
  let gid: number | null;
  if (group) {
    gid = lookupGroup(group);
    if (gid === null) throw new RupError('RUP_ERR_CONFIG', `Group ${group} doesn't exist`);
  } else {
    gid = lookupId('-g', String(uid));
    if (gid === null) throw new RupError('RUP_ERR_CONFIG', `User ${user} doesn't exist`);
  }
  return { identity: { uid, gid, user: /^\d+$/.test(user) ? uid : user }, warnings };
}

/** Gives files made before the switch (log file, pidfile) to the identity, so it can reopen them. */
export function handOver(identity: Identity | null, files: readonly (string | null)[]): void {
  if (!identity) return;
  for (const file of files) if (file) chownSync(file, identity.uid, identity.gid);
}

/** Becomes `identity`: supplementary groups, group, then user (the order that keeps the right to change). */
export function switchIdentity(identity: Identity | null): void {
  if (!identity) return;
  const proc = process as NodeJS.Process & { initgroups?: (user: string | number, extraGroup: number) => void };
  if (proc.initgroups && typeof identity.user === 'string') proc.initgroups(identity.user, identity.gid);
  else process.setgroups?.([identity.gid]);
  process.setgid!(identity.gid);
  process.setuid!(identity.uid);
}
