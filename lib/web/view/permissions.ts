import type { Database } from '../../hyperdb/database.js';
import type { Role } from '../../security/role.js';
import type { Security } from '../../security/security.js';

/**
 * Permission answers for a page, synchronous so templates can ask them.
 *
 * A question without an item never runs a check function (Roundup's
 * rule: check functions only look at items), so it is answered here
 * exactly, from the user's roles, without touching the database. A
 * question about an item is exact when the loader asked it beforehand
 * (`prove`), which it does for the page's own item and the current user;
 * for any other item only permissions without a check function count, so
 * the answer may say no where a check function would have said yes, but
 * never the other way round. The actions enforce permissions again
 * whatever a page shows.
 */
export class PagePermissions {
  private readonly roles: Role<Database>[];
  private readonly classAnswers = new Map<string, boolean>();
  private readonly itemAnswers = new Map<string, boolean>();

  constructor(
    private readonly security: Security<Database>,
    roleNames: readonly string[],
  ) {
    this.roles = security.resolveRoles(roleNames);
  }

  /** The user's role names (lower case, known roles only). */
  get roleNames(): string[] {
    return this.roles.map((r) => r.name);
  }

  /** May the user search `property` (a path such as `assignedto.username`) of `classname`? */
  maySearch(classname: string, property: string): boolean {
    return this.security.hasSearchPermission({ roles: this.roleNames }, classname, property);
  }

  /** May the user use `permission` (on `classname`, its `property`), item questions aside? */
  has(permission: string, classname: string | null = null, property: string | null = null): boolean {
    const key = `${permission}\u0000${classname ?? ''}\u0000${property ?? ''}`;
    let answer = this.classAnswers.get(key);
    if (answer === undefined) {
      answer = this.matches(permission, classname, property, 'any');
      this.classAnswers.set(key, answer);
    }
    return answer;
  }

  /**
   * May the user use `permission` on item `itemid` (and `property`)? Exact
   * when proven beforehand, else from permissions without check functions.
   */
  hasOnItem(permission: string, classname: string, itemid: string, property: string | null = null): boolean {
    const proven = this.itemAnswers.get(itemKey(permission, classname, itemid, property));
    if (proven !== undefined) return proven;
    return this.matches(permission, classname, property, 'without-check');
  }

  /** Asks the security model about an item (running check functions) and keeps the answer for the page. */
  async prove(db: Database, permission: string, classname: string, itemid: string, property: string | null = null): Promise<void> {
    const answer = await db.hasPermission(permission, classname, property === null ? { itemid } : { itemid, property });
    this.itemAnswers.set(itemKey(permission, classname, itemid, property), answer);
  }

  private matches(permission: string, classname: string | null, property: string | null, phases: 'any' | 'without-check'): boolean {
    for (const phase of phases === 'any' ? (['without-check', 'with-check'] as const) : (['without-check'] as const)) {
      for (const role of this.roles) {
        for (const perm of role.candidates(permission, classname, phase)) {
          if (perm.match(permission, classname, property, null) === 'yes') return true;
        }
      }
    }
    return false;
  }
}

function itemKey(permission: string, classname: string, itemid: string, property: string | null): string {
  return `${permission}\u0000${classname}\u0000${itemid}\u0000${property ?? ''}`;
}
