import { Reject, RejectRaw, RupError } from '../errors.js';
import { DateTime } from '../hyperdb/date.js';
import { Interval } from '../hyperdb/interval.js';
import { propertyConstructors } from '../hyperdb/properties.js';
import { ClassDef, type ClassKind, Schema, splitDesignator } from '../hyperdb/schema.js';
import type { Database } from '../hyperdb/database.js';
import type { Security } from '../security/security.js';
import { isValidTimezone } from '../hyperdb/timezone.js';
import { contentSettingsFrom, parseContent } from '../util/message-content.js';

/**
 * The helpers every tracker plugin receives (the second argument of a
 * detector's `init`, part of schema.js's and initial_data.js's context):
 * what a Roundup detector would import from `roundup.*`.
 */
export const pluginToolkit = Object.freeze({
  Reject,
  RejectRaw,
  RupError,
  DateTime,
  Interval,
  splitDesignator,
  /** Roundup's mailgw.parseContent with the tracker's [mailgw] settings: `{ summary, content }`. */
  parseContent: (content: string, config?: Record<string, unknown>, isNewIssue = false) =>
    parseContent(content, contentSettingsFrom(config), isNewIssue),
  isValidTimezone,
});
export type PluginToolkit = typeof pluginToolkit;

/**
 * The `db` schema.js and detectors' `init(db)` see while a tracker loads:
 * classes are definitions (`db.issue.audit('set', fn)`, `db.issue.setkey`),
 * plus `db.security` and `db.config`. Data access is not available yet.
 */
export interface SchemaDb {
  readonly security: Security<Database>;
  readonly config: unknown;
  getclass(name: string): ClassDef;
  getclasses(): string[];
  /** Any class by name, as `db.issue`. */
  readonly [classname: string]: unknown;
}

export function createSchemaDb(schema: Schema, security: Security<Database>, config: unknown): SchemaDb {
  const base = {
    security,
    config,
    getclass: (name: string) => schema.getClass(name),
    getclasses: () => schema.classNames(),
  };
  return new Proxy(base, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && !(prop in target) && schema.hasClass(prop)) return schema.getClass(prop);
      return Reflect.get(target, prop, receiver);
    },
  }) as unknown as SchemaDb;
}

function defineClass(db: SchemaDb, kind: ClassKind, name: string, properties: Record<string, unknown> | undefined): ClassDef {
  if (!db || typeof (db as { getclass?: unknown }).getclass !== 'function') {
    throw new RupError('RUP_ERR_SCHEMA', `${name}: the first argument of Class(), IssueClass() or FileClass() must be db`);
  }
  const props = { ...(properties ?? {}) };
  const { String, Multilink } = propertyConstructors;
  // The properties Roundup's IssueClass and FileClass add unless the schema defines them.
  const defaults: Record<string, () => unknown> =
    kind === 'issue'
      ? {
          title: () => String({ indexme: 'yes' }),
          messages: () => Multilink('msg'),
          files: () => Multilink('file'),
          nosy: () => Multilink('user', { do_journal: 'no' }),
          superseder: () => Multilink(name),
        }
      : kind === 'file'
        ? { content: () => String({ indexme: 'yes' }), type: () => String() }
        : {};
  for (const [prop, make] of Object.entries(defaults)) if (!(prop in props)) props[prop] = make();
  const cls = new ClassDef(name, kind, props);
  const schema = schemaOf.get(db);
  if (!schema) throw new RupError('RUP_ERR_SCHEMA', `${name}: classes can only be defined while the schema loads`);
  schema.addClass(cls);
  db.security.addClassPermissions(name);
  return cls;
}

const schemaOf = new WeakMap<object, Schema>();

/**
 * The names schema.js receives, as Roundup's schema.py has them predefined:
 * `Class`, `IssueClass`, `FileClass`, the property types and `db`. Each
 * class constructor may be called with or without `new`:
 * `const pri = Class(db, 'priority', { name: String(), order: Number() })`.
 * The property types win over the toolkit's value classes of the same
 * name (`Interval` is the property type, as in schema.py); values are
 * parsed by `date`, as with Roundup's `roundup.date`:
 * `Interval({ default_value: date.Interval('-1w') })`.
 */
export function schemaContext(schema: Schema, security: Security<Database>, config: unknown) {
  const db = createSchemaDb(schema, security, config);
  schemaOf.set(db, schema);
  return {
    ...pluginToolkit,
    date: { Date: (spec: string) => DateTime.parse(spec), Interval: (spec: string) => Interval.parse(spec) },
    db,
    ...propertyConstructors,
    Class: function Class(d: SchemaDb, name: string, properties?: Record<string, unknown>) {
      return defineClass(d, 'class', name, properties);
    },
    IssueClass: function IssueClass(d: SchemaDb, name: string, properties?: Record<string, unknown>) {
      return defineClass(d, 'issue', name, properties);
    },
    FileClass: function FileClass(d: SchemaDb, name: string, properties?: Record<string, unknown>) {
      return defineClass(d, 'file', name, properties);
    },
  };
}
