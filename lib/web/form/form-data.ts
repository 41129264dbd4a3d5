import type { FormData, UploadedFile } from '../web-types.js';

/**
 * The one FormData implementation: query-string and body fields in the
 * order they arrived (a repeated name keeps every value), and uploaded
 * files. `get`, `getAll` and `has` find an `@`-prefixed name under its
 * legacy `:` spelling too (`@note` finds `:note`), as Roundup accepts both
 * wherever a special variable is read.
 */
export class SubmittedForm implements FormData {
  readonly fields: ReadonlyMap<string, readonly string[]>;
  readonly files: readonly UploadedFile[];

  constructor(fields: Iterable<readonly [string, string]> = [], files: readonly UploadedFile[] = []) {
    const map = new Map<string, string[]>();
    for (const [name, value] of fields) {
      const list = map.get(name);
      if (list) list.push(value);
      else map.set(name, [value]);
    }
    this.fields = map;
    this.files = files;
  }

  /** A form from a query string (`a=1&b=2`, with or without the leading `?`). */
  static fromQuery(query: string, files: readonly UploadedFile[] = []): SubmittedForm {
    return new SubmittedForm(new URLSearchParams(query.startsWith('?') ? query.slice(1) : query), files);
  }

  private lookup(name: string): readonly string[] | undefined {
    const direct = this.fields.get(name);
    if (direct) return direct;
    return name.startsWith('@') ? this.fields.get(`:${name.slice(1)}`) : undefined;
  }

  get(name: string): string | undefined {
    return this.lookup(name)?.[0];
  }

  getAll(name: string): readonly string[] {
    return this.lookup(name) ?? [];
  }

  has(name: string): boolean {
    return this.lookup(name) !== undefined;
  }
}
