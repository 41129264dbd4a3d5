/**
 * The names of form fields, as Roundup's form parser reads them
 * (FormParser.FV_LABELS). "@" may always be written ":".
 *
 * - `<prop>`: a property of the context item;
 * - `<designator>@<prop>`: a property of another item, `issue42@title`
 *   for an existing one, `msg-1@content` for the first new msg;
 * - `[<designator>]@required`: properties that must be given;
 * - `[<designator>]@add@<prop>`, `@remove@<prop>`: Multilink edits;
 * - `[<designator>]@confirm@<prop>`: the confirmation of a password;
 * - `[<designator>]@link@<prop>`: link the listed designators into a
 *   Link or Multilink;
 * - `@note`, `@file`: shorthands for a new message and new files.
 */

/** What a field name says. */
export interface FieldLabel {
  /** `@note` or `@file` (the whole name). */
  special: 'note' | 'file' | null;
  /** The class of a leading designator (`issue` in `issue-1@title`), else null. */
  classname: string | null;
  /** Its id: `42`, or `-1` for a new item; null without a designator. */
  id: string | null;
  /** The edit the name asks for; null for a plain value. */
  action: 'required' | 'add' | 'remove' | 'confirm' | 'link' | null;
  /** The property; null for `@required`, `@note` and `@file`. */
  propname: string | null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Reads field names against one schema's class names (compiled once per schema). */
export class FieldNameGrammar {
  private readonly label: RegExp;
  private readonly designator: RegExp;

  constructor(classnames: Iterable<string>) {
    const classes = [...classnames].map(escapeRegExp).join('|');
    this.label = new RegExp(
      '^(?:(?<note>[@:]note)|(?<file>[@:]file)|' +
        `(?:(?:(?<classname>${classes})(?<id>[-\\d]+))?` +
        '(?:(?<required>[@:]required)$|' +
        '(?:(?:(?<add>[@:]add[@:])|(?<remove>[@:]remove[@:])|(?<confirm>[@:]confirm[@:])|(?<link>[@:]link[@:])|[@:])?' +
        '(?<propname>[^@:]+)))))$',
    );
    this.designator = new RegExp(`^(${classes})([-\\d]+)$`);
  }

  /** The meaning of a field name, or null when the name is not in the grammar at all. */
  parse(name: string): FieldLabel | null {
    const m = this.label.exec(name);
    if (!m?.groups) return null;
    const g = m.groups;
    const action = g.required ? 'required' : g.add ? 'add' : g.remove ? 'remove' : g.confirm ? 'confirm' : g.link ? 'link' : null;
    return {
      special: g.note ? 'note' : g.file ? 'file' : null,
      classname: g.classname ?? null,
      id: g.id ?? null,
      action,
      propname: g.propname ?? null,
    };
  }

  /** Splits `issue42` or `msg-1` into class and id; null when it is not a designator of a known class. */
  designatorOf(text: string): { classname: string; id: string } | null {
    const m = this.designator.exec(text);
    return m ? { classname: m[1]!, id: m[2]! } : null;
  }
}
