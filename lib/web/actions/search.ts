import { RupError, isRupError } from '../../errors.js';
import { SubmittedForm } from '../form/form-data.js';
import type { ActionOutcome, FormData, WebAction, WebRequest } from '../web-types.js';
import { addError, failChange, renderAgain, requireClassPermission } from './action-support.js';
import { indexArgsQuery, readIndexArgs, transitiveProp } from './index-args.js';
import { pyQuote } from './url-tools.js';

const ESCAPES: Readonly<Record<string, string>> = { r: '\r', n: '\n', t: '\t' };

/**
 * Roundup's token_split: words separated by white space; a quote (' or ")
 * keeps white space until the matching quote (`"hello world"` is one
 * word, `address="1 2 3"` too); a backslash escapes the next character
 * (`\n`, `\r`, `\t` become control characters, other escapes stay as
 * written). RUP_ERR_VALUE for an unmatched quote.
 */
export function splitSearchWords(text: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      const next = text[++i]!;
      word = (word ?? '') + (ESCAPES[next] ?? (/[\s'"\\]/.test(next) ? next : `\\${next}`));
    } else if (quote) {
      if (ch === quote) quote = null;
      else word = (word ?? '') + ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= '';
    } else if (/[ \r\n\t]/.test(ch)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (quote) throw new RupError('RUP_ERR_VALUE', `unmatched quote in "${text}"`);
  if (word !== null) words.push(word);
  return words;
}

/**
 * Roundup's fakeFilterVars: every field naming a property of the class
 * (possibly dotted, `assignedto.username`) with a non-empty value is added
 * to `@filter`; a single String value is split into words (each must
 * match); Number and Integer values are checked ("Invalid number: x",
 * "Invalid integer: x"). Returns the rewritten form and the problems.
 */
export function addFilterVariables(form: FormData, req: WebRequest, classname: string): { form: FormData; problems: string[] } {
  const schema = req.db.schema;
  const fields: Array<[string, string]> = [];
  const filter: string[] = [];
  const problems: string[] = [];
  for (const [key, values] of form.fields) {
    if (key === '@filter' || key === ':filter') {
      for (const v of values) for (const name of v.split(',')) if (name.trim()) filter.push(name.trim());
      continue;
    }
    const prop = transitiveProp(schema, classname, key);
    let kept: readonly string[] = values;
    if (prop && values.some((v) => v !== '')) {
      if (values.length === 1) {
        const value = values[0]!;
        try {
          if (prop.kind === 'String') kept = splitSearchWords(value);
          else if (prop.kind === 'Number' && !/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value)) problems.push(`Invalid number: ${value}`);
          else if (prop.kind === 'Integer' && String(Number.parseInt(value, 10)) !== value) problems.push(`Invalid integer: ${value}`);
        } catch (err) {
          if (!isRupError(err, 'RUP_ERR_VALUE')) throw err;
          problems.push(err.message);
        }
      }
      if (!filter.includes(key)) filter.push(key);
    }
    for (const v of kept) fields.push([key, v]);
  }
  if (filter.length) fields.push(['@filter', filter.join(',')]);
  return { form: new SubmittedForm(fields, form.files), problems };
}

/**
 * Saves the search as a `query` item (Roundup's SearchAction): an own
 * query named `@old-queryname` is updated (and renamed), otherwise a new
 * private query is created; either way it joins the user's `queries`.
 * A second own query with the same name is refused. Returns an outcome
 * when the search page must be shown again, null when saved.
 */
async function saveQuery(req: WebRequest, classname: string, name: string, oldName: string, url: string): Promise<ActionOutcome | null> {
  const db = req.db;
  const sys = db.system();
  const uid = db.getuid();
  if (!db.hasClass('query')) {
    addError(req, 'This tracker has no query class to save searches in');
    return renderAgain();
  }
  const query = sys.getclass('query');
  const named = async (qids: string[], wanted: string) => {
    const out: string[] = [];
    for (const qid of qids) if ((await query.get(qid, 'name')) === wanted) out.push(qid);
    return out;
  };
  const mayEdit = async (qid: string) => {
    if (!(await db.hasPermission('Edit', 'query', { itemid: qid }))) throw new RupError('RUP_ERR_PERMISSION', 'You do not have permission to edit queries');
  };
  const mayCreate = async () => {
    if (!(await db.hasPermission('Create', 'query'))) throw new RupError('RUP_ERR_PERMISSION', 'You do not have permission to store queries');
  };

  let qid: string | null = null;
  if (query.getkey()) {
    // The old layout: the query name is the key, one query per name.
    qid = oldName ? await query.lookup(oldName).catch((err: unknown) => (isRupError(err, 'RUP_ERR_KEY_NOT_FOUND') ? null : Promise.reject(err))) : null;
    if (qid !== null) {
      await mayEdit(qid);
      await db.getclass('query').set(qid, { klass: classname, url });
    } else {
      await mayCreate();
      qid = await db.getclass('query').create({ name, klass: classname, url });
    }
  } else {
    if (oldName !== name && (await named(await query.filter(null, { name, creator: uid }), name)).length) {
      addError(req, `You already own a query named '${name}'. Please choose another name.`);
      // The search page shows the name marked, for the person to change it.
      const fields = [...req.form.fields].flatMap(([k, vs]) => vs.map((v) => [k, k === '@queryname' || k === ':queryname' ? `${v} - duplicate` : v] as [string, string]));
      return { kind: 'render', status: 400, form: new SubmittedForm(fields, req.form.files) };
    }
    if (oldName) {
      let own = await named(await query.filter(null, { name: oldName, private_for: uid }), oldName);
      if (!own.length) own = await named(await query.filter(null, { name: oldName, creator: uid }), oldName);
      qid = own[0] ?? null;
    }
    if (qid !== null) {
      await mayEdit(qid);
      await db.getclass('query').set(qid, { klass: classname, url, name });
    } else {
      await mayCreate();
      qid = await db.getclass('query').create({ name, klass: classname, url, private_for: uid });
    }
  }
  const user = sys.getclass('user');
  if (user.def.properties.has('queries')) {
    const queries = (await user.get(uid, 'queries')) as string[];
    if (!queries.includes(qid)) await user.set(uid, { queries: [...queries, qid] });
  }
  await db.commit();
  return null;
}

/**
 * `@action=search`: turns a search form into the index URL
 * (`issue?@columns=...&@filter=status&status=1,2&...`) and redirects
 * there; Roundup renders the index in the same request, a redirect gives
 * the result page a URL people can bookmark. With `@queryname` the search
 * is saved first (see saveQuery) and the index shows its name
 * (`@dispname`). Needs View on the class. Bad numbers and quotes
 * re-render the search page (400).
 */
export const searchAction: WebAction = {
  name: 'search',
  changesData: false,
  async run(req: WebRequest): Promise<ActionOutcome> {
    const { classname } = req.target;
    if (classname === null) {
      addError(req, 'Invalid request');
      return renderAgain();
    }
    await requireClassPermission(req, 'View', 'search', classname);
    const { form, problems } = addFilterVariables(req.form, req, classname);
    if (problems.length) {
      for (const p of problems) addError(req, p);
      return renderAgain();
    }
    const schema = req.db.schema;
    const args = await readIndexArgs(form, req.db, classname);
    const queryname = (form.get('@queryname') ?? '').trim();
    const template = (form.get('@template') ?? '').trim();
    if (queryname) {
      const oldName = (form.get('@old-queryname') ?? '').trim();
      // The query keeps its template unless it is the plain index.
      const url = indexArgsQuery(schema, classname, args, template && template !== 'index' ? { '@template': template } : {});
      try {
        const shown = await saveQuery(req, classname, queryname, oldName, url);
        if (shown) return shown;
      } catch (err) {
        return failChange(req, err, '');
      }
    }
    const extra = { '@template': template || null, '@dispname': queryname || args.dispname };
    return { kind: 'redirect', location: `${req.baseUrl}${pyQuote(classname)}?${indexArgsQuery(schema, classname, args, extra)}` };
  },
};
