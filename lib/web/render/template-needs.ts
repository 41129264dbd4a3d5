/**
 * What optional data a template uses, found by reading its source when the
 * tracker loads (docs/templating.md, section 4). The loader of a page
 * loads these parts only when the template (or one it extends, includes
 * or imports by literal name) asks for them; a `{# load: ... #}` comment
 * names what a template reaches through variables.
 */
export interface TemplateNeeds {
  /** `request.batch()`: the rows of the index. */
  batch: boolean;
  /** `.history(` / `.history_entries(`: the journal of the page's item. */
  history: boolean;
  /** `.content`: the text of linked messages and files. */
  content: boolean;
  /** `.menu(`: the options of the page class's Links to plain classes. */
  menus: boolean;
  /** Properties whose menu options must be loaded whatever their target (`.superseder.menu(`, `menu:superseder`). */
  menuProps: Set<string>;
  /** Classes whose whole list is used (`db.keyword.list(`, `list:keyword`). */
  lists: Set<string>;
}

/** Needs of a template that asks for nothing optional. */
export function noNeeds(): TemplateNeeds {
  return { batch: false, history: false, content: false, menus: false, menuProps: new Set(), lists: new Set() };
}

const NAMED_MENU = [/\.\s*([A-Za-z_]\w*)\s*\.\s*menu\s*\(/g, /\[\s*['"]([A-Za-z_]\w*)['"]\s*\]\s*\.\s*menu\s*\(/g, /prop\s*\(\s*['"]([A-Za-z_]\w*)['"]\s*\)\s*\.\s*menu\s*\(/g];
const LIST = /\bdb\s*\.\s*([A-Za-z_]\w*)\s*\.\s*list\s*\(/g;
const HINT = /\{#-?\s*load:([\s\S]*?)-?#\}/g;
const REFERENCE = /\{%-?\s*(?:extends|include|import|from)\s+(["'])([^"']+)\1/g;

/** The needs one template's source shows (not following references). */
export function scanNeeds(source: string): TemplateNeeds {
  const needs = noNeeds();
  needs.batch = /request\s*\.\s*batch\s*\(/.test(source);
  needs.history = /\.\s*history(?:_entries)?\s*\(/.test(source);
  needs.content = /\.\s*content\b/.test(source);
  needs.menus = /\.\s*menu\s*\(/.test(source);
  for (const re of NAMED_MENU) for (const m of source.matchAll(re)) if (m[1] !== 'prop') needs.menuProps.add(m[1]!);
  for (const m of source.matchAll(LIST)) needs.lists.add(m[1]!);
  for (const m of source.matchAll(HINT)) {
    for (const word of m[1]!.split(/[\s,]+/).filter(Boolean)) {
      if (word === 'batch') needs.batch = true;
      else if (word === 'history') needs.history = true;
      else if (word === 'content') needs.content = true;
      else if (word === 'menus') needs.menus = true;
      else if (word.startsWith('menu:')) {
        needs.menus = true;
        needs.menuProps.add(word.slice(5));
      } else if (word.startsWith('list:')) needs.lists.add(word.slice(5));
    }
  }
  return needs;
}

/** The template names a source extends, includes or imports literally. */
export function referencedTemplates(source: string): string[] {
  return [...source.matchAll(REFERENCE)].map((m) => m[2]!);
}

/** Both needs together. */
export function mergeNeeds(a: TemplateNeeds, b: TemplateNeeds): TemplateNeeds {
  return {
    batch: a.batch || b.batch,
    history: a.history || b.history,
    content: a.content || b.content,
    menus: a.menus || b.menus,
    menuProps: new Set([...a.menuProps, ...b.menuProps]),
    lists: new Set([...a.lists, ...b.lists]),
  };
}
