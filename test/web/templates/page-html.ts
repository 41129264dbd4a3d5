/**
 * Reading the pages the shipped templates render, for tests: forms and
 * their fields, labels, elements by id. The pages are our own
 * well-formed HTML (attributes always double-quoted), so a small
 * tag scanner is enough; no browser is needed.
 */

/** One start tag: its name and attributes (entities decoded). */
export interface Tag {
  name: string;
  attrs: Record<string, string>;
  /** Offset of the tag in the page. */
  at: number;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" };

/** Decodes the entities the templates' escaping produces. */
export function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|apos);/g, (_m, name: string) => ENTITIES[name]!);
}

/** Every start tag of the given names (lower case) in `html`, in order. */
export function tags(html: string, names: readonly string[]): Tag[] {
  const out: Tag[] = [];
  const re = new RegExp(`<(${names.join('|')})(\\s[^>]*)?>`, 'gi');
  for (const m of html.matchAll(re)) {
    const attrs: Record<string, string> = {};
    for (const a of (m[2] ?? '').matchAll(/([^\s=/]+)(?:="([^"]*)")?/g)) attrs[a[1]!.toLowerCase()] = decodeEntities(a[2] ?? '');
    out.push({ name: m[1]!.toLowerCase(), attrs, at: m.index! });
  }
  return out;
}

/** A form of the page: its attributes and the controls inside it (and those tied to it with `form=`). */
export interface PageForm {
  attrs: Record<string, string>;
  controls: Tag[];
  /** The text of the form's HTML. */
  html: string;
}

/** Every `<form>` of the page with its controls. */
export function forms(html: string): PageForm[] {
  const out: PageForm[] = [];
  const all = tags(html, ['input', 'select', 'textarea', 'button']);
  for (const m of html.matchAll(/<form(\s[^>]*)?>([\s\S]*?)<\/form>/gi)) {
    const attrs = tags(`<form${m[1] ?? ''}>`, ['form'])[0]!.attrs;
    const start = m.index!;
    const end = start + m[0].length;
    const inside = all.filter((t) => t.at > start && t.at < end && t.attrs.form === undefined);
    const tied = attrs.id ? all.filter((t) => t.attrs.form === attrs.id) : [];
    out.push({ attrs, controls: [...inside, ...tied], html: m[0] });
  }
  return out;
}

/** The names of a form's controls (without duplicates, in order). */
export function fieldNames(form: PageForm): string[] {
  return [...new Set(form.controls.map((c) => c.attrs.name).filter((n): n is string => n !== undefined))];
}

/** The value of the first hidden input called `name` in the form, or undefined. */
export function hiddenValue(form: PageForm, name: string): string | undefined {
  return form.controls.find((c) => c.name === 'input' && c.attrs.type === 'hidden' && c.attrs.name === name)?.attrs.value;
}

/** The first form whose fields include every name given. */
export function formWith(html: string, ...names: string[]): PageForm {
  const found = forms(html).find((f) => names.every((n) => fieldNames(f).includes(n)));
  if (!found) throw new Error(`no form with the fields ${names.join(', ')}`);
  return found;
}

/** The text of the first `<h1>`, tags removed and spaces collapsed. */
export function heading(html: string): string {
  return plainText(/<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html)?.[1] ?? '');
}

/** Markup removed, entities decoded, white space collapsed. */
export function plainText(html: string): string {
  return decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
}

/** The texts of the page's messages: `error` (role=alert) and `ok` (role=status) notices. */
export function notices(html: string): { ok: string[]; error: string[] } {
  const grab = (role: string) =>
    [...html.matchAll(new RegExp(`<div class="notice [^"]*" role="${role}"[^>]*>\\s*<div class="notice-body">([\\s\\S]*?)</div>`, 'g'))].flatMap((m) =>
      [...m[1]!.matchAll(/<p(?: class="([^"]*)")?>([\s\S]*?)<\/p>/g)].filter((p) => p[1] !== 'visually-hidden').map((p) => plainText(p[2]!)),
    );
  return { ok: grab('status'), error: grab('alert') };
}

/**
 * The form controls a person fills in (not hidden, not buttons) that
 * have no label: no `<label for=id>`, no wrapping `<label>`, no
 * `aria-label` / `aria-labelledby`. Returns a description of each.
 */
export function unlabelledControls(html: string): string[] {
  const labelled = new Set(tags(html, ['label']).map((t) => t.attrs.for).filter(Boolean));
  const out: string[] = [];
  for (const control of tags(html, ['input', 'select', 'textarea'])) {
    const type = control.attrs.type ?? 'text';
    if (control.name === 'input' && ['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
    if (control.attrs['aria-label'] || control.attrs['aria-labelledby']) continue;
    if (control.attrs.id && labelled.has(control.attrs.id)) continue;
    // A control inside an open <label> element.
    const before = html.slice(0, control.at);
    if (before.lastIndexOf('<label') > before.lastIndexOf('</label>')) continue;
    out.push(`<${control.name} name="${control.attrs.name ?? ''}" id="${control.attrs.id ?? ''}">`);
  }
  return out;
}
