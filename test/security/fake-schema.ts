import type { SecuritySchema } from '../../lib/security/index.js';
import { Security } from '../../lib/security/index.js';

/** One class of the fake schema: property -> link target (null for plain values). */
export interface FakeClass {
  props: Record<string, string | null>;
  label: string;
  order: string;
}

const PROTECTED: Record<string, string | null> = { id: null, creation: null, activity: null, creator: 'user', actor: 'user' };

/** A SecuritySchema over plain data, with the protected properties every class has. */
export class FakeSchema implements SecuritySchema {
  constructor(readonly classes: Record<string, FakeClass>) {}

  hasClass(classname: string): boolean {
    return Object.hasOwn(this.classes, classname);
  }

  propertyNames(classname: string): string[] {
    return [...Object.keys(this.get(classname).props), ...Object.keys(PROTECTED)];
  }

  linkTarget(classname: string, prop: string): string | undefined {
    const cls = this.classes[classname];
    if (!cls) return undefined;
    const all = { ...cls.props, ...PROTECTED };
    return Object.hasOwn(all, prop) ? (all[prop] ?? undefined) : undefined;
  }

  labelProp(classname: string): string {
    return this.get(classname).label;
  }

  orderProp(classname: string): string {
    return this.get(classname).order;
  }

  private get(classname: string): FakeClass {
    const cls = this.classes[classname];
    if (!cls) throw new Error(`no class ${classname}`);
    return cls;
  }
}

/** The classes of Roundup's classic template (labels and orders as Roundup derives them). */
export function classicSchema(): FakeSchema {
  return new FakeSchema({
    priority: { props: { name: null, order: null }, label: 'name', order: 'order' },
    status: { props: { name: null, order: null }, label: 'name', order: 'order' },
    keyword: { props: { name: null }, label: 'name', order: 'name' },
    user: {
      props: {
        username: null,
        password: null,
        address: null,
        realname: null,
        phone: null,
        organisation: null,
        alternate_addresses: null,
        queries: 'query',
        roles: null,
        timezone: null,
      },
      label: 'username',
      order: 'username',
    },
    msg: {
      props: {
        author: 'user',
        recipients: 'user',
        date: null,
        summary: null,
        files: 'file',
        messageid: null,
        inreplyto: null,
        content: null,
        type: null,
      },
      label: 'id',
      order: 'id',
    },
    file: { props: { name: null, content: null, type: null }, label: 'name', order: 'name' },
    issue: {
      props: {
        title: null,
        messages: 'msg',
        files: 'file',
        nosy: 'user',
        superseder: 'issue',
        assignedto: 'user',
        keyword: 'keyword',
        priority: 'priority',
        status: 'status',
      },
      label: 'title',
      order: 'title',
    },
    query: { props: { klass: null, name: null, url: null, private_for: 'user' }, label: 'name', order: 'name' },
    test: { props: { a: null, b: null, c: null }, label: 'id', order: 'id' },
  });
}

/** A security object for the schema, with every class's automatic permissions, as the hyperdb builds it. */
export function securityFor<DB = unknown>(schema: FakeSchema): Security<DB> {
  const security = new Security<DB>(schema);
  for (const classname of Object.keys(schema.classes)) security.addClassPermissions(classname);
  return security;
}
