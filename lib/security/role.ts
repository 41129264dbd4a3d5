/**
 * A Role: a named set of permissions users are given through their `roles`
 * property. Besides the list in the order permissions were added (what
 * `roundup-admin security` prints), a role indexes its permissions by name
 * and class, split into those without and with a check function, so a
 * question only looks at permissions that can answer it and the cheap ones
 * come first (the layout of Roundup 2.x's Role).
 */
import type { Permission } from './permission.js';

/** Permissions of one name and class: [without check function, with check function]. */
type Bucket<DB> = [Permission<DB>[], Permission<DB>[]];

/** Which half of a bucket a question looks at. */
export type CheckPhase = 'without-check' | 'with-check';

/**
 * One role of a tracker. Built by `Security.addRole`; permissions are added
 * through `Security.addPermissionToRole`, which validates them first.
 */
export class Role<DB = unknown> {
  /** Lower-cased, like every role name Roundup stores. */
  readonly name: string;
  readonly description: string;
  private readonly ordered: Permission<DB>[] = [];
  /** permission name -> class name (null for class-less) -> bucket */
  private readonly index = new Map<string, Map<string | null, Bucket<DB>>>();

  constructor(name: string, description = '') {
    this.name = name.toLowerCase();
    this.description = description;
  }

  /** Every permission of the role, in the order they were added (duplicates kept, as Roundup does). */
  get permissions(): readonly Permission<DB>[] {
    return this.ordered;
  }

  /** Adds permissions to the role; adding one twice lists it twice, as in Roundup. */
  addPermission(...permissions: Permission<DB>[]): void {
    for (const perm of permissions) {
      this.ordered.push(perm);
      let byClass = this.index.get(perm.name);
      if (!byClass) {
        byClass = new Map();
        this.index.set(perm.name, byClass);
      }
      let bucket = byClass.get(perm.klass);
      if (!bucket) {
        bucket = [[], []];
        byClass.set(perm.klass, bucket);
      }
      bucket[perm.check === null ? 0 : 1].push(perm);
    }
  }

  /**
   * The permissions that could answer a question about `permission` on
   * `classname` in the given phase: class-less ones first (they apply to every
   * class), then the class's own. With no classname only class-less ones apply.
   */
  candidates(permission: string, classname: string | null, phase: CheckPhase): Permission<DB>[] {
    const byClass = this.index.get(permission);
    if (!byClass) return [];
    const half = phase === 'without-check' ? 0 : 1;
    const global = byClass.get(null)?.[half] ?? [];
    if (classname === null) return global;
    const own = byClass.get(classname)?.[half] ?? [];
    return global.length === 0 ? own : own.length === 0 ? global : [...global, ...own];
  }

  /**
   * True when a `View` or `Search` permission of this role without a check
   * function covers `propname` of `classname` (Roundup's Role.searchable).
   */
  searchable(classname: string, propname: string): boolean {
    for (const name of ['View', 'Search']) {
      for (const perm of this.candidates(name, classname, 'without-check')) {
        if (perm.searchable(classname, propname)) return true;
      }
    }
    return false;
  }
}
