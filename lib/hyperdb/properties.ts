/**
 * Property types of the hyperdb, with the options Roundup's schema.py
 * accepts. These are plain descriptions: storage, conversion of raw input
 * and filtering look at `kind` and the options.
 */

export type PropertyKind =
  | 'String'
  | 'Password'
  | 'Date'
  | 'Interval'
  | 'Link'
  | 'Multilink'
  | 'Boolean'
  | 'Number'
  | 'Integer';

/** Roundup spells boolean options as 'yes'/'no'; JavaScript callers may pass booleans. */
export type YesNo = 'yes' | 'no' | boolean;

export interface CommonOptions {
  /** Listed by `getRequiredProps`, enforced by web `@required` and REST create. */
  required?: boolean;
  /** Used on create when no value is given. */
  default_value?: unknown;
  /** Hidden from change notes, nosy mail and history. */
  quiet?: boolean;
}

export interface StringOptions extends CommonOptions {
  indexme?: YesNo;
}

export interface PasswordOptions extends CommonOptions {
  scheme?: string;
}

export interface DateOptions extends CommonOptions {
  /** A fixed time zone used instead of the user's for input and display. */
  offset?: number | string;
  display_time?: YesNo;
  format?: string;
}

export interface NumberOptions extends CommonOptions {
  use_double?: boolean;
}

export interface LinkOptions extends CommonOptions {
  do_journal?: YesNo;
  try_id_parsing?: YesNo;
  msg_header_property?: string;
  rev_multilink?: string;
}

export type MultilinkOptions = Omit<LinkOptions, 'msg_header_property'> & { msg_header_property?: string };

function yes(value: YesNo | undefined, dflt: boolean): boolean {
  if (value === undefined) return dflt;
  return value === true || value === 'yes';
}

/** Base of every property type. `name` and `classname` are filled in when the class registers it. */
export abstract class Property {
  abstract readonly kind: PropertyKind;
  readonly required: boolean;
  readonly quiet: boolean;
  protected readonly defaultValue: unknown;
  /** Computed properties (reverse multilinks) cannot be set. */
  computed = false;
  name = '';
  classname = '';

  constructor(options: CommonOptions = {}) {
    this.required = options.required ?? false;
    this.quiet = options.quiet ?? false;
    this.defaultValue = options.default_value;
  }

  /** The value a new item gets when none is given. */
  getDefaultValue(): unknown {
    return this.defaultValue ?? null;
  }

  /** Same text as Roundup's repr, which `roundup-admin specification` prints. */
  describe(): string {
    return `<roundup.hyperdb.${this.kind}>`;
  }
}

export class StringProperty extends Property {
  readonly kind = 'String' as const;
  readonly indexme: boolean;
  constructor(options: StringOptions = {}) {
    super(options);
    this.indexme = yes(options.indexme, false);
  }
}

export class PasswordProperty extends Property {
  readonly kind = 'Password' as const;
  readonly scheme: string | undefined;
  constructor(options: PasswordOptions = {}) {
    super(options);
    this.scheme = options.scheme;
  }
}

export class DateProperty extends Property {
  readonly kind = 'Date' as const;
  readonly offset: number | string | undefined;
  readonly displayTime: boolean;
  readonly format: string | undefined;
  constructor(options: DateOptions = {}) {
    super(options);
    this.offset = options.offset;
    this.displayTime = yes(options.display_time, true);
    this.format = options.format;
  }
}

export class IntervalProperty extends Property {
  readonly kind = 'Interval' as const;
}

export class BooleanProperty extends Property {
  readonly kind = 'Boolean' as const;
}

export class NumberProperty extends Property {
  readonly kind = 'Number' as const;
  readonly useDouble: boolean;
  constructor(options: NumberOptions = {}) {
    super(options);
    this.useDouble = options.use_double ?? false;
  }
}

export class IntegerProperty extends Property {
  readonly kind = 'Integer' as const;
}

/** Shared by Link and Multilink: a pointer to items of another class. */
export abstract class PointerProperty extends Property {
  abstract override readonly kind: 'Link' | 'Multilink';
  readonly target: string;
  readonly doJournal: boolean;
  readonly tryIdParsing: boolean;
  readonly msgHeaderProperty: string | undefined;
  readonly revMultilink: string | undefined;

  constructor(target: string, options: LinkOptions = {}) {
    super(options);
    if (typeof target !== 'string' || !target) {
      throw new TypeError('a Link or Multilink needs the name of the class it points to');
    }
    this.target = target;
    this.doJournal = yes(options.do_journal, true);
    this.tryIdParsing = yes(options.try_id_parsing, true);
    this.msgHeaderProperty = options.msg_header_property;
    this.revMultilink = options.rev_multilink;
  }

  override describe(): string {
    return `<roundup.hyperdb.${this.kind} to "${this.target}">`;
  }
}

export class LinkProperty extends PointerProperty {
  readonly kind = 'Link' as const;
}

export class MultilinkProperty extends PointerProperty {
  readonly kind = 'Multilink' as const;
  /** For a reverse multilink: the Link or Multilink it mirrors. */
  readonly reverseOf: PointerProperty | undefined;

  constructor(target: string, options: MultilinkOptions = {}, reverseOf?: PointerProperty) {
    super(target, options);
    this.reverseOf = reverseOf;
    this.computed = reverseOf !== undefined;
  }

  override getDefaultValue(): unknown {
    return [];
  }
}

export type AnyProperty =
  | StringProperty
  | PasswordProperty
  | DateProperty
  | IntervalProperty
  | LinkProperty
  | MultilinkProperty
  | BooleanProperty
  | NumberProperty
  | IntegerProperty;

/**
 * The constructors handed to schema.js under Roundup's names. Each may be
 * called with or without `new`: `String({ indexme: 'yes' })`,
 * `Link('user', { do_journal: 'no' })`.
 */
export const propertyConstructors = {
  String: function String(options?: StringOptions) { return new StringProperty(options); },
  Password: function Password(options?: PasswordOptions) { return new PasswordProperty(options); },
  Date: function Date(options?: DateOptions) { return new DateProperty(options); },
  Interval: function Interval(options?: CommonOptions) { return new IntervalProperty(options); },
  Boolean: function Boolean(options?: CommonOptions) { return new BooleanProperty(options); },
  Number: function Number(options?: NumberOptions) { return new NumberProperty(options); },
  Integer: function Integer(options?: CommonOptions) { return new IntegerProperty(options); },
  Link: function Link(target: string, options?: LinkOptions) { return new LinkProperty(target, options); },
  Multilink: function Multilink(target: string, options?: MultilinkOptions) { return new MultilinkProperty(target, options); },
};

/** The automatic properties every class has; they cannot be defined or set. */
export const PROTECTED_PROPERTIES = ['id', 'creation', 'activity', 'creator', 'actor'] as const;

export function isProtected(name: string): boolean {
  return (PROTECTED_PROPERTIES as readonly string[]).includes(name);
}
