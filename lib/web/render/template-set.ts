import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import nunjucks from 'nunjucks';
import './frame-names.js';
import { RupError } from '../../errors.js';
import { type TemplateNeeds, mergeNeeds, noNeeds, referencedTemplates, scanNeeds } from './template-needs.js';

/** Where in a template an error happened, and why. */
export interface TemplateProblem {
  file: string;
  line?: number;
  reason: string;
}

/** A template failed while rendering; `location` names the file and line. */
export class TemplateRenderError extends RupError {
  constructor(readonly problem: TemplateProblem, cause: unknown) {
    super('RUP_ERR_TEMPLATE', formatProblem(problem), { cause, location: { file: problem.file, line: problem.line } });
    this.name = 'TemplateRenderError';
  }
}

/** `file:line: reason`, the way every template problem is reported. */
export function formatProblem(p: TemplateProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}: ${p.reason}`;
}

// Nunjucks writes "(file) [Line n, Column m]\n  reason"; wrapped errors repeat the prefix.
const LOCATED = /\(([^()\n]+)\)(?: \[Line (\d+)(?:, Column \d+)?\])?\n\s*/g;

/**
 * Reads file, line and reason out of a Nunjucks error. Its parser counts
 * lines from 1 but its runtime from 0, hence `lineBase`.
 */
function problemOf(err: unknown, fallbackFile: string, lineBase: 0 | 1): TemplateProblem {
  const message = err instanceof Error ? err.message : String(err);
  let file = fallbackFile;
  let line: number | undefined;
  let rest = message;
  for (const m of message.matchAll(LOCATED)) {
    file = m[1]!;
    line = m[2] === undefined ? undefined : Number(m[2]);
    rest = message.slice(m.index! + m[0].length);
  }
  // The innermost location names the line, except the runtime's line 0, which it leaves out.
  if (lineBase === 0 && rest !== message) line = (line ?? 0) + 1;
  const reason = rest.replace(/^(?:Template render error: |Error: )+/, '').trim() || message;
  return { file, line, reason };
}

/** A name is a template `name.html` in the html directory or below it, made of plain path segments. */
const SEGMENT = /^[A-Za-z0-9_@-][A-Za-z0-9_.@-]*$/;

/**
 * One tracker's templates: a Nunjucks environment (autoescaping on) over
 * its html directory, every `*.html` compiled when the set is created.
 *
 * `TemplateSet.load` reports every broken template at once (syntax
 * errors, and `extends`/`include`/`import` of templates that do not
 * exist) as RUP_ERR_TEMPLATE with `file:line: reason` lines. Template
 * selection only ever picks names from the compiled set, so nothing a
 * request says reaches the file system.
 */
export class TemplateSet {
  private readonly needsCache = new Map<string, TemplateNeeds>();

  private constructor(
    readonly dir: string,
    private readonly env: nunjucks.Environment,
    private readonly sources: ReadonlyMap<string, string>,
  ) {}

  /**
   * Compiles every template under `dir`.
   * @throws RupError RUP_ERR_TEMPLATE listing each broken template.
   */
  static load(dir: string): TemplateSet {
    const root = resolve(dir);
    const { set, problems } = TemplateSet.check(root);
    if (problems.length) {
      const lines = problems.map(formatProblem);
      const message = problems.length === 1 ? lines[0]! : [`${problems.length} templates are broken:`, ...lines.map((l) => `  ${l}`)].join('\n');
      throw new RupError('RUP_ERR_TEMPLATE', message, { location: { file: problems[0]!.file, line: problems[0]!.line } });
    }
    return set;
  }

  /** Compiles every template under `dir` and returns the set with the problems found (for a check command). */
  static check(dir: string): { set: TemplateSet; problems: TemplateProblem[] } {
    const root = resolve(dir);
    const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(root, { noCache: false, watch: false }), {
      autoescape: true,
      throwOnUndefined: false,
      trimBlocks: true,
      lstripBlocks: true,
    });
    const sources = new Map<string, string>();
    for (const file of templateFiles(root)) sources.set(relative(root, file).split(sep).join('/'), readFileSync(file, 'utf8'));
    const problems: TemplateProblem[] = [];
    for (const [name, source] of sources) {
      const file = join(root, name);
      try {
        env.getTemplate(name, true);
      } catch (err) {
        problems.push(problemOf(err, file, 1));
        continue;
      }
      for (const ref of referencedTemplates(source)) {
        if (!sources.has(ref)) problems.push({ file, line: lineOf(source, ref), reason: `template "${ref}" does not exist` });
      }
    }
    return { set: new TemplateSet(root, env, sources), problems };
  }

  /** The names of the compiled templates (`issue.item.html`, `sub/x.html`). */
  names(): string[] {
    return [...this.sources.keys()];
  }

  has(name: string): boolean {
    return this.sources.has(name);
  }

  /**
   * Roundup's selectTemplate: the template for `classname` (null: the home
   * page) and `view` (`@template`). `ok|err` picks by whether the request
   * has errors; `dir/view` looks in a subdirectory; `<name>.<view>.html`
   * falls back to `_generic.<view>.html`; no view means `<name>.html`.
   * @throws RupError RUP_ERR_VALUE (400) with Roundup's "No template file exists ..." message.
   */
  select(classname: string | null, view: string | null, hasErrors: boolean): string {
    let v = view ?? '';
    if (v.includes('|')) {
      const [ok, err] = v.split('|', 2) as [string, string];
      v = hasErrors ? err : ok;
    }
    const name = classname ?? 'home';
    if (!v) {
      if (this.has(`${name}.html`)) return `${name}.html`;
      throw new RupError('RUP_ERR_VALUE', `Template "${name}" doesn't exist`);
    }
    const slash = v.lastIndexOf('/');
    const dir = slash === -1 ? '' : `${v.slice(0, slash)}/`;
    const leaf = v.slice(slash + 1);
    const wanted = `${dir}${name}.${leaf}`;
    const generic = `${dir}_generic.${leaf}`;
    const valid = [...dir.split('/').filter(Boolean), leaf].every((s) => SEGMENT.test(s) && s !== '..');
    if (valid && this.has(`${wanted}.html`)) return `${wanted}.html`;
    if (valid && this.has(`${generic}.html`)) return `${generic}.html`;
    throw new RupError(
      'RUP_ERR_VALUE',
      `No template file exists for templating "${name}" with template "${v}" (neither "${wanted}" nor "${generic}")`,
    );
  }

  /** What optional data the template (with what it extends, includes and imports) uses. */
  needs(name: string): TemplateNeeds {
    let needs = this.needsCache.get(name);
    if (!needs) {
      needs = noNeeds();
      const seen = new Set<string>();
      const visit = (n: string) => {
        if (seen.has(n)) return;
        seen.add(n);
        const source = this.sources.get(n);
        if (source === undefined) return;
        needs = mergeNeeds(needs!, scanNeeds(source));
        for (const ref of referencedTemplates(source)) visit(ref);
      };
      visit(name);
      this.needsCache.set(name, needs);
    }
    return needs;
  }

  /**
   * Renders a compiled template with `context`, synchronously.
   * @throws TemplateRenderError naming the file and line that failed.
   */
  render(name: string, context: Record<string, unknown>): string {
    try {
      return this.env.getTemplate(name).render(context);
    } catch (err) {
      throw new TemplateRenderError(problemOf(err, join(this.dir, name), 0), err);
    }
  }
}

/** The `*.html` files under a directory (hidden entries skipped), sorted. */
function templateFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      if (entry.startsWith('.')) continue;
      const path = join(d, entry);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else if (entry.endsWith('.html')) out.push(path);
    }
  };
  walk(dir);
  return out;
}

function lineOf(source: string, text: string): number {
  const at = source.indexOf(text);
  return at < 0 ? 1 : source.slice(0, at).split('\n').length;
}
