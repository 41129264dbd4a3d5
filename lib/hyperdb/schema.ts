import { RupError } from '../errors.js';
import { DetectorRegistry } from './detectors.js';
import {
  type AnyProperty,
  DateProperty,
  LinkProperty,
  MultilinkProperty,
  PROTECTED_PROPERTIES,
  Property,
  StringProperty,
  isProtected,
} from './properties.js';

/** Same rule as Roundup's Class.class_re: start with a letter, end with a letter or "_". */
const CLASS_NAME_RE = /^[A-Za-z](?:[A-Za-z_0-9]*[A-Za-z_]+)?$/;
/** Property names become SQL column names (prefixed), so they are kept to word characters. */
const PROPERTY_NAME_RE = /^[A-Za-z_][A-Za-z_0-9]*$/;
const DESIGNATOR_RE = /^([A-Za-z](?:[A-Za-z_0-9]*[A-Za-z_]+)?)(\d+)$/;

export type ClassKind = 'class' | 'issue' | 'file';

/** Splits `issue42` into `['issue', '42']`, as Roundup's splitDesignator. */
export function splitDesignator(designator: string): [string, string] {
  const m = DESIGNATOR_RE.exec(designator);
  if (!m) throw new RupError('RUP_ERR_DESIGNATOR', `"${designator}" not a node designator`);
  return [m[1]!, m[2]!];
}

/**
 * The definition of one class: its properties, key, label and order
 * properties and detectors. Built by schema.js, then frozen when the schema
 * is finalised. Data access goes through the runtime class handles.
 */
export class ClassDef {
  readonly properties = new Map<string, AnyProperty>();
  readonly detectors: DetectorRegistry;
  private readonly protectedProps: Map<string, AnyProperty>;
  private keyProp: string | undefined;
  private labelPropName: string | undefined;
  private orderPropName: string | undefined;
  private frozen = false;
  /** Whether changes are journalled (Roundup's do_journal; on by default). */
  doJournal = true;

  constructor(
    readonly name: string,
    readonly kind: ClassKind,
    properties: Record<string, unknown>,
  ) {
    if (typeof name !== 'string' || !CLASS_NAME_RE.test(name)) {
      throw new RupError(
        'RUP_ERR_SCHEMA',
        `Class name ${name} is not valid. It must start with a letter, end with a letter or "_", and only have alphanumerics and "_" in the middle.`,
      );
    }
    this.detectors = new DetectorRegistry(name);
    for (const reserved of PROTECTED_PROPERTIES) {
      if (reserved !== 'id' && reserved in properties) {
        throw new RupError('RUP_ERR_SCHEMA', `class ${name}: "creation", "activity", "creator" and "actor" are reserved`);
      }
    }
    if ('id' in properties) throw new RupError('RUP_ERR_SCHEMA', `class ${name}: "id" is reserved`);
    this.addProperties(properties);
    this.protectedProps = new Map<string, AnyProperty>([
      ['id', new StringProperty()],
      ['creation', new DateProperty()],
      ['activity', new DateProperty()],
      ['creator', new LinkProperty('user')],
      ['actor', new LinkProperty('user')],
    ]);
    for (const [pname, prop] of this.protectedProps) {
      prop.name = pname;
      prop.classname = name;
    }
  }

  private assertOpen(): void {
    if (this.frozen) throw new RupError('RUP_ERR_SCHEMA', `class ${this.name}: the schema cannot change after the tracker has opened`);
  }

  /** Adds properties (Roundup's addprop); names must be new. */
  addProperties(properties: Record<string, unknown>): void {
    this.assertOpen();
    const lowerNames = new Set([...this.properties.keys()].map((n) => n.toLowerCase()));
    for (const [pname, prop] of Object.entries(properties)) {
      if (!(prop instanceof Property)) {
        throw new RupError('RUP_ERR_SCHEMA', `class ${this.name}: property "${pname}" is not a property type (String(), Link('user'), ...)`);
      }
      if (!PROPERTY_NAME_RE.test(pname)) {
        throw new RupError('RUP_ERR_SCHEMA', `class ${this.name}: property name "${pname}" is not valid (letters, digits and "_" only)`);
      }
      if (isProtected(pname)) {
        throw new RupError('RUP_ERR_SCHEMA', `class ${this.name}: property name "${pname}" is reserved`);
      }
      if (lowerNames.has(pname.toLowerCase())) {
        throw new RupError('RUP_ERR_SCHEMA', `class ${this.name}: property "${pname}" is defined twice`);
      }
      if (prop.name) {
        throw new RupError('RUP_ERR_SCHEMA', `class ${this.name}: property "${pname}" reuses the property object of ${prop.classname}.${prop.name}`);
      }
      prop.name = pname;
      prop.classname = this.name;
      lowerNames.add(pname.toLowerCase());
      this.properties.set(pname, prop as AnyProperty);
    }
  }

  /** Injects a reverse multilink (rev_multilink); it is computed, so not checked like schema input. */
  addComputed(pname: string, prop: MultilinkProperty): void {
    if (this.properties.has(pname) || isProtected(pname)) {
      throw new RupError('RUP_ERR_SCHEMA', `${pname} already a property of class ${this.name}`);
    }
    prop.name = pname;
    prop.classname = this.name;
    this.properties.set(pname, prop);
  }

  /** Selects the key property (a String), as Roundup's setkey. */
  setkey(pname: string): void {
    this.assertOpen();
    const prop = this.properties.get(pname);
    if (!prop) throw new RupError('RUP_ERR_SCHEMA', `class ${this.name}: key property "${pname}" does not exist`);
    if (prop.kind !== 'String') {
      throw new RupError('RUP_ERR_SCHEMA', `class ${this.name}: key properties must be String`);
    }
    this.keyProp = pname;
  }

  setlabelprop(pname: string): void {
    if (!this.hasProperty(pname)) throw new RupError('RUP_ERR_SCHEMA', `Not a property name: ${pname}`);
    this.labelPropName = pname;
  }

  setorderprop(pname: string): void {
    if (!this.hasProperty(pname)) throw new RupError('RUP_ERR_SCHEMA', `Not a property name: ${pname}`);
    this.orderPropName = pname;
  }

  getkey(): string | null {
    return this.keyProp ?? null;
  }

  /** Roundup's resolution order: explicit, key, "name", "title", then the first name alphabetically (or "id"). */
  labelprop(defaultToId = false): string {
    if (this.labelPropName) return this.labelPropName;
    if (this.keyProp) return this.keyProp;
    if (this.properties.has('name')) return 'name';
    if (this.properties.has('title')) return 'title';
    if (defaultToId) return 'id';
    return [...this.getprops().keys()].sort()[0]!;
  }

  /** Roundup's resolution order: explicit, "order", then the label property. */
  orderprop(): string {
    if (this.orderPropName) return this.orderPropName;
    if (this.properties.has('order')) return 'order';
    return this.labelprop();
  }

  hasProperty(pname: string): boolean {
    return this.properties.has(pname) || this.protectedProps.has(pname);
  }

  /** Every property, with the protected ones (id, creation, ...) unless asked not to. */
  getprops(includeProtected = true): Map<string, AnyProperty> {
    if (!includeProtected) return new Map(this.properties);
    return new Map([...this.properties, ...this.protectedProps]);
  }

  /** The property named, or RUP_ERR_NO_SUCH_PROPERTY. */
  prop(pname: string): AnyProperty {
    const prop = this.properties.get(pname) ?? this.protectedProps.get(pname);
    if (!prop) throw new RupError('RUP_ERR_NO_SUCH_PROPERTY', `${this.name} has no property "${pname}"`);
    return prop;
  }

  /** Required properties plus those named, as Roundup's get_required_props. */
  getRequiredProps(names: string[] = []): Map<string, AnyProperty> {
    const out = new Map<string, AnyProperty>();
    for (const n of names) out.set(n, this.prop(n));
    for (const [n, p] of this.properties) if (p.required) out.set(n, p);
    return out;
  }

  /** Detector registration, called by detectors' init(db). */
  audit(event: string, fn: unknown, priority = 100): void {
    this.detectors.audit(event, fn, priority);
  }

  react(event: string, fn: unknown, priority = 100): void {
    this.detectors.react(event, fn, priority);
  }

  freeze(): void {
    this.frozen = true;
  }
}

/** A class's structure as recorded in the database, to detect schema changes. */
export interface StoredClassShape {
  kind: ClassKind;
  key: string | null;
  properties: Record<string, string>;
}

/**
 * All classes of a tracker. schema.js fills it; `finalize` checks links and
 * injects reverse multilinks, after which it never changes.
 */
export class Schema {
  readonly classes = new Map<string, ClassDef>();
  private finalized = false;

  addClass(cls: ClassDef): void {
    if (this.finalized) throw new RupError('RUP_ERR_SCHEMA', `class ${cls.name}: classes cannot be added after the tracker has opened`);
    if (this.classes.has(cls.name)) throw new RupError('RUP_ERR_SCHEMA', `Class "${cls.name}" already defined.`);
    this.classes.set(cls.name, cls);
  }

  hasClass(name: string): boolean {
    return this.classes.has(name);
  }

  /** The class named, or RUP_ERR_NO_SUCH_CLASS (Roundup's wording: `no such class "x"`). */
  getClass(name: string): ClassDef {
    const cls = this.classes.get(name);
    if (!cls) throw new RupError('RUP_ERR_NO_SUCH_CLASS', `no such class "${name}"`);
    return cls;
  }

  classNames(): string[] {
    return [...this.classes.keys()];
  }

  /** Checks every Link/Multilink target and injects reverse multilinks; then freezes the schema. */
  finalize(): void {
    if (this.finalized) return;
    for (const cls of this.classes.values()) {
      for (const prop of cls.properties.values()) {
        if ((prop.kind === 'Link' || prop.kind === 'Multilink') && !this.classes.has(prop.target)) {
          throw new RupError('RUP_ERR_SCHEMA', `property ${cls.name}.${prop.name} links to non-existent class ${prop.target}`);
        }
      }
    }
    for (const cls of [...this.classes.values()]) {
      for (const prop of [...cls.properties.values()]) {
        if ((prop.kind === 'Link' || prop.kind === 'Multilink') && prop.revMultilink && !prop.computed) {
          const target = this.getClass(prop.target);
          target.addComputed(prop.revMultilink, new MultilinkProperty(cls.name, {}, prop));
        }
      }
    }
    for (const cls of this.classes.values()) cls.freeze();
    this.finalized = true;
  }

  /** The stored shape of every class (computed properties excluded: they have no storage). */
  shape(): Record<string, StoredClassShape> {
    const out: Record<string, StoredClassShape> = {};
    for (const cls of this.classes.values()) {
      const properties: Record<string, string> = {};
      for (const [pname, prop] of cls.properties) {
        if (!prop.computed) properties[pname] = prop.describe();
      }
      out[cls.name] = { kind: cls.kind, key: cls.getkey(), properties };
    }
    return out;
  }

  // The SecuritySchema surface, so the security model can validate names.
  propertyNames(classname: string): string[] {
    return [...this.getClass(classname).getprops().keys()];
  }

  linkTarget(classname: string, pname: string): string | undefined {
    const prop = this.classes.get(classname)?.getprops().get(pname);
    return prop && (prop.kind === 'Link' || prop.kind === 'Multilink') ? prop.target : undefined;
  }

  labelProp(classname: string): string {
    return this.getClass(classname).labelprop(true);
  }

  orderProp(classname: string): string {
    return this.getClass(classname).orderprop();
  }
}
