import { RupError, isRupError } from '../../errors.js';
import type { Database } from '../../hyperdb/database.js';
import { DateTime } from '../../hyperdb/date.js';
import type { AnyProperty } from '../../hyperdb/properties.js';
import { type RawContext, rawToHyperdb } from '../../hyperdb/raw-values.js';
import type { ClassDef, Schema } from '../../hyperdb/schema.js';
import { type HyperValue, normaliseIdList, sameValue } from '../../hyperdb/values.js';
import type { FormData, UploadedFile } from '../web-types.js';
import { type FieldLabel, FieldNameGrammar } from './field-names.js';
import { FormError } from './form-error.js';
import { uploadMimeType } from './mime-guess.js';

/** A property value from a form: a hyperdb value, or the bytes of an uploaded file's content. */
export type FormValue = HyperValue | Buffer;

/** An item the form creates or changes. */
export interface FormItem {
  classname: string;
  /**
   * null: the new context item (the `new` action); `-1`, `-2`, ...: the
   * N-th new item of its class (`msg-1@content`); digits: an existing item.
   */
  id: string | null;
  /** The properties to set: only real changes for existing items. */
  props: Record<string, FormValue>;
}

/** Which item a link names: the same ids as {@link FormItem}. */
export interface ItemRef {
  classname: string;
  id: string | null;
}

/** `@link@<prop>=<designators>`: link those items into a Link or Multilink of `classname`/`id`. */
export interface FormLink extends ItemRef {
  propname: string;
  targets: ItemRef[];
}

/** Roundup's parsePropsFromForm result: the items (context first) and the links between them. */
export interface ParsedForm {
  items: FormItem[];
  links: FormLink[];
}

/** The request's context: the class and item the URL names. */
export interface FormTarget {
  classname: string;
  itemid: string | null;
}

const grammars = new WeakMap<Schema, FieldNameGrammar>();

/** The field-name grammar of a schema (its class names), built once. */
function grammarFor(schema: Schema): FieldNameGrammar {
  let grammar = grammars.get(schema);
  if (!grammar) {
    grammar = new FieldNameGrammar(schema.classNames());
    grammars.set(schema, grammar);
  }
  return grammar;
}

/** Roundup's extractFormList: every value, each split on commas, blanks dropped. */
function extractFormList(values: readonly string[]): string[] {
  return values
    .join(',')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** A problem with one field; collected, so the person sees every problem at once. */
class FieldProblem extends Error {}

function problem(message: string): never {
  throw new FieldProblem(message);
}

/** Errors of value conversion that describe bad input rather than a broken tracker. */
function isInputError(err: unknown): err is RupError {
  return (
    isRupError(err) &&
    ['RUP_ERR_VALUE', 'RUP_ERR_DATE', 'RUP_ERR_NO_SUCH_PROPERTY', 'RUP_ERR_NO_SUCH_ITEM', 'RUP_ERR_KEY_NOT_FOUND', 'RUP_ERR_DESIGNATOR'].includes(err.code)
  );
}

function refKey(classname: string, id: string | null): string {
  return `${classname}\u0000${id ?? ''}`;
}

function isNewId(id: string | null): boolean {
  return id !== null && id.startsWith('-');
}

function isExistingId(id: string | null): id is string {
  return id !== null && !id.startsWith('-');
}

function isEmptyContent(value: FormValue | undefined): boolean {
  return value === undefined || value === null || value === '' || (Buffer.isBuffer(value) && value.length === 0);
}

/**
 * One parse: the state Roundup's FormParser.parse keeps in local
 * variables (all_props, got_props, all_required, all_links).
 */
class FormParse {
  private readonly grammar: FieldNameGrammar;
  private readonly items = new Map<string, FormItem>();
  private readonly got = new Map<string, Set<string>>();
  private readonly required = new Map<string, { ref: ItemRef; names: string[] }>();
  private readonly links: FormLink[] = [];
  private readonly problems: string[] = [];
  private labels: Array<[string, FieldLabel]> = [];
  private haveNote = false;
  private readonly newFiles: string[] = [];
  private ctx!: RawContext;

  constructor(
    private readonly form: FormData,
    private readonly db: Database,
    private readonly target: FormTarget,
    private readonly create: boolean,
  ) {
    this.grammar = grammarFor(db.schema);
  }

  async run(): Promise<ParsedForm> {
    this.ctx = await this.db.rawContext();
    // We always return something, even empty, for the context.
    this.itemFor(this.target.classname, this.target.itemid);
    const names = [...this.form.fields.keys()];
    for (const file of this.form.files) if (!names.includes(file.field)) names.push(file.field);
    for (const name of names) {
      const label = this.grammar.parse(name);
      if (label) this.labels.push([name, label]);
    }
    for (const [name, label] of this.labels) {
      try {
        await this.field(name, label);
      } catch (err) {
        if (err instanceof FieldProblem || isInputError(err)) this.problems.push(err.message);
        else throw err;
      }
    }
    // A note with files: the files are attached to the note too.
    if (this.haveNote) {
      for (const fid of this.newFiles) this.links.push({ classname: 'msg', id: '-1', propname: 'files', targets: [{ classname: 'file', id: fid }] });
    }
    await this.checkRequired();
    if (this.problems.length) throw new FormError(this.problems);
    this.dropEmptyItems();
    return { items: [...this.items.values()], links: this.links };
  }

  private itemFor(classname: string, id: string | null): FormItem {
    const key = refKey(classname, id);
    let item = this.items.get(key);
    if (!item) {
      item = { classname, id, props: {} };
      this.items.set(key, item);
    }
    return item;
  }

  private gotFor(classname: string, id: string | null): Set<string> {
    const key = refKey(classname, id);
    let got = this.got.get(key);
    if (!got) {
      got = new Set();
      this.got.set(key, got);
    }
    return got;
  }

  /**
   * `conversion`'s value; when it is refused (a password not confirmed, a
   * bad date), the property still counts as given, so the problem is not
   * also reported as a missing `@required` property.
   */
  private async refusedIsGiven<T>(classname: string, id: string | null, propname: string, conversion: Promise<T>): Promise<T> {
    try {
      return await conversion;
    } catch (err) {
      this.gotFor(classname, id).add(propname);
      throw err;
    }
  }

  private classDef(classname: string, why: string): ClassDef {
    if (!this.db.schema.hasClass(classname)) problem(`${why} needs a class "${classname}", which this tracker does not have`);
    return this.db.schema.getClass(classname);
  }

  private valuesOf(name: string): { strings: readonly string[]; files: UploadedFile[] } {
    return { strings: this.form.fields.get(name) ?? [], files: this.form.files.filter((f) => f.field === name) };
  }

  private async field(name: string, label: FieldLabel): Promise<void> {
    if (label.special === 'file') return this.fileShorthand(name);
    let classname: string;
    let id: string | null;
    let propname: string;
    if (label.classname) {
      classname = label.classname;
      id = label.id;
      propname = label.propname ?? '';
    } else if (label.special === 'note') {
      this.classDef('msg', '@note');
      classname = 'msg';
      id = '-1';
      propname = 'content';
      this.links.push({ classname: this.target.classname, id: this.target.itemid, propname: 'messages', targets: [{ classname: 'msg', id: '-1' }] });
      this.haveNote = true;
    } else {
      classname = this.target.classname;
      id = this.target.itemid;
      propname = label.propname ?? '';
    }
    // The context item is only created by a create action (Roundup skips it otherwise).
    if (!this.create && id === null) return;
    const cls = this.db.schema.getClass(classname);
    const item = this.itemFor(classname, id);
    this.gotFor(classname, id);

    if (label.action === 'link') return this.linkCommand(name, cls, id, propname);
    if (label.action === 'required') return this.requiredCommand(name, { classname, id });
    // A confirmation is read with its password field.
    if (label.action === 'confirm') return;

    const mlaction = label.action === 'add' ? 'add' : label.action === 'remove' ? 'remove' : 'set';
    const prop = cls.properties.get(propname);
    if (!prop) {
      if (mlaction !== 'set') problem(`You have submitted a ${mlaction} action for the property "${propname}" which doesn't exist`);
      // Probably a field we do not care about (a button, @csrf, ...).
      return;
    }
    const { strings, files } = this.valuesOf(name);
    let converted: FormValue;
    if (prop.kind === 'Multilink') {
      converted = await this.multilink(cls, item, id, propname, extractFormList(strings), mlaction);
    } else {
      if (strings.length + files.length > 1) problem(`You have submitted more than one value for the ${propname} property`);
      const file = files[0];
      const text = file ? '' : (strings[0] ?? '').trim();
      if (label.special === 'note' && (file || text)) {
        item.props.author = this.db.getuid();
        item.props.date = DateTime.now();
      }
      if (file) {
        const upload = this.upload(cls, item, prop, file);
        if (upload === undefined) return;
        converted = upload;
      } else if (prop.kind === 'Password') {
        if (!text) return; // empty password fields are ignored
        converted = await this.refusedIsGiven(classname, id, propname, this.password(propname, text, cls, id));
      } else {
        converted = text === '' ? null : await this.refusedIsGiven(classname, id, propname, rawToHyperdb(this.ctx, cls, id, propname, text));
      }
    }

    const got = this.gotFor(classname, id);
    if (prop.kind === 'Multilink' ? (converted as string[]).length > 0 : converted !== null) got.add(propname);

    if (isExistingId(id)) {
      if (!(await this.sameAsStored(classname, id, propname, converted))) item.props[propname] = converted;
    } else if (converted !== null && !(prop.kind === 'Multilink' && (converted as string[]).length === 0) && converted !== '') {
      // New items only get the values actually given.
      item.props[propname] = converted;
    }
  }

  /** `@link@<prop>=<designator>,...` */
  private linkCommand(name: string, cls: ClassDef, id: string | null, propname: string): void {
    const targets: ItemRef[] = [];
    for (const entry of extractFormList(this.valuesOf(name).strings)) {
      const d = this.grammar.designatorOf(entry);
      if (!d) problem(`link "${name}" value "${entry}" not a designator`);
      targets.push(d);
      this.itemFor(d.classname, d.id);
      this.gotFor(d.classname, d.id);
    }
    const prop = cls.properties.get(propname);
    if (!prop || (prop.kind !== 'Link' && prop.kind !== 'Multilink')) problem(`${cls.name} ${propname} is not a link or multilink property`);
    this.links.push({ classname: cls.name, id, propname, targets });
  }

  /** `[<designator>]@required=prop,<designator>@prop,...` */
  private requiredCommand(name: string, ref: ItemRef): void {
    for (const entry of extractFormList(this.valuesOf(name).strings)) {
      const m = this.grammar.parse(entry);
      if (!m || (m.classname && !m.propname)) problem(`The form action claims to require property "${entry}" which doesn't exist`);
      const owner = m.classname ? { classname: m.classname, id: m.id } : ref;
      const propname = m.classname ? m.propname! : entry;
      const key = refKey(owner.classname, owner.id);
      const entryList = this.required.get(key) ?? { ref: owner, names: [] };
      entryList.names.push(propname);
      this.required.set(key, entryList);
    }
  }

  /** A password needs its `@confirm@<prop>` field with the same text. */
  private async password(propname: string, value: string, cls: ClassDef, id: string | null): Promise<string> {
    const confirmField = this.labels.find(([, l]) => l.action === 'confirm' && l.propname === propname)?.[0];
    if (confirmField === undefined) problem('Password and confirmation text do not match');
    const confirm = this.valuesOf(confirmField).strings;
    if (confirm.length > 1) problem(`You have submitted more than one value for the ${propname} property`);
    if (value !== (confirm[0] ?? '').trim()) problem('Password and confirmation text do not match');
    return (await rawToHyperdb(this.ctx, cls, id, propname, value)) as string;
  }

  private async multilink(cls: ClassDef, item: FormItem, id: string | null, propname: string, values: string[], mlaction: 'set' | 'add' | 'remove'): Promise<string[]> {
    const listed = (await rawToHyperdb(this.ctx, cls, id, propname, values)) as string[];
    if (mlaction === 'set') return listed;
    let existing: string[];
    if (propname in item.props) existing = [...(item.props[propname] as string[])];
    else if (isExistingId(id)) existing = (await this.db.system().getclass(cls.name).get(id, propname)) as string[];
    else existing = [];
    for (const entry of listed) {
      const at = existing.indexOf(entry);
      if (mlaction === 'remove') {
        if (at < 0) problem(`property "${propname}": "${entry}" not currently in list`);
        existing.splice(at, 1);
      } else if (at < 0) {
        existing.push(entry);
      }
    }
    return normaliseIdList(existing);
  }

  /**
   * An uploaded file as a String property: the file name and type go to
   * the item's `name` and `type` when it has them; an upload without a
   * file name (no file chosen) is skipped (undefined).
   */
  private upload(cls: ClassDef, item: FormItem, prop: AnyProperty, file: UploadedFile): FormValue | undefined {
    if (prop.kind !== 'String') problem(`property ${prop.name}: only String properties take an uploaded file`);
    if (!file.filename) return undefined;
    const filename = file.filename.split('\\').pop()!;
    if (cls.properties.has('name')) item.props.name = filename;
    if (cls.properties.has('type')) item.props.type = uploadMimeType(filename, file.mimetype);
    return cls.kind === 'file' && prop.name === 'content' ? file.content : file.content.toString('utf8');
  }

  /** `@file`: every uploaded file becomes a new file item linked into the context's `files`. */
  private fileShorthand(name: string): void {
    const { classname, itemid } = this.target;
    if (!this.create && itemid === null) return;
    const { strings, files } = this.valuesOf(name);
    if (strings.some((s) => s.trim() !== '')) problem('@file must be a file upload');
    // Without a `files` property the field means nothing to this class.
    if (!this.db.schema.getClass(classname).properties.has('files')) return;
    const fileCls = this.classDef('file', '@file');
    this.itemFor(classname, itemid);
    for (const upload of files) {
      // A file input left empty arrives without a file name.
      if (!upload.filename) continue;
      const fid = `-${this.newFiles.length + 1}`;
      const item = this.itemFor('file', fid);
      item.props.content = this.upload(fileCls, item, fileCls.prop('content'), upload)!;
      this.gotFor('file', fid).add('content');
      this.links.push({ classname, id: itemid, propname: 'files', targets: [{ classname: 'file', id: fid }] });
      this.newFiles.push(fid);
    }
  }

  /** Whether a converted value equals what the existing item stores (then it is no change). */
  private async sameAsStored(classname: string, id: string, propname: string, value: FormValue): Promise<boolean> {
    const cls = this.db.system().getclass(classname);
    if (Buffer.isBuffer(value)) return value.equals((await cls.get(id, 'binary_content')) as Buffer);
    const stored = (await cls.get(id, propname)) as HyperValue;
    // Passwords are salted: a new encoding never equals the stored one, so any password given is a change.
    return sameValue(value, stored);
  }

  /**
   * Roundup's required check: every `@required` property must have been
   * given a value. On existing items, a property the user may not edit
   * but which already has a value is not demanded.
   */
  private async checkRequired(): Promise<void> {
    for (const [key, { ref, names }] of this.required) {
      const got = this.got.get(key) ?? new Set<string>();
      let missing = names.filter((n) => !got.has(n));
      if (missing.length && isExistingId(ref.id) && this.db.schema.hasClass(ref.classname)) {
        const kept: string[] = [];
        for (const n of missing) {
          const def = this.db.schema.getClass(ref.classname);
          const mayEdit = !def.properties.has(n) || (await this.db.hasPermission('Edit', ref.classname, { property: n, itemid: ref.id }));
          const stored = mayEdit ? null : ((await this.db.system().getclass(ref.classname).get(ref.id, n)) as HyperValue);
          if (mayEdit || stored === null || (Array.isArray(stored) && stored.length === 0)) kept.push(n);
        }
        missing = kept;
      }
      if (!missing.length) continue;
      const noun = missing.length === 1 ? 'property' : 'properties';
      this.problems.push(`Required ${ref.classname} ${noun} ${missing.join(', ')} not supplied`);
    }
  }

  /**
   * New items without values are dropped. For file classes: a new file
   * without content is dropped (an empty upload is a real, empty file);
   * empty content for an existing file leaves its content alone.
   */
  private dropEmptyItems(): void {
    for (const [key, item] of this.items) {
      const props = item.props;
      if (isNewId(item.id) && Object.keys(props).length === 0) {
        this.items.delete(key);
      } else if (this.db.schema.getClass(item.classname).kind === 'file') {
        if ('content' in props) {
          if (isExistingId(item.id) && isEmptyContent(props.content)) delete props.content;
        } else if (isNewId(item.id)) {
          this.items.delete(key);
        }
      }
    }
  }
}

/**
 * Reads a submitted form into the items it creates or changes and the
 * links between them, with Roundup's grammar (see field-names.ts) and
 * messages. Values are converted with rawToHyperdb in the user's zone;
 * existing items keep only the properties that really change. `create`
 * is true for the `new` action: only then do context fields describe a
 * new context item.
 *
 * Nothing is stored. Stored values are read through the unchecked view
 * (comparing is not a read the person makes); permissions are checked
 * when the changes are applied.
 *
 * @throws FormError with every problem found (bad values, missing
 *   `@required` properties, password confirmation, malformed links).
 */
export async function parseForm(form: FormData, db: Database, target: FormTarget, options: { create?: boolean } = {}): Promise<ParsedForm> {
  if (!db.schema.hasClass(target.classname)) throw new RupError('RUP_ERR_NO_SUCH_CLASS', `There is no class called "${target.classname}"`);
  return new FormParse(form, db, target, options.create ?? false).run();
}
