import type { Schema } from '../../hyperdb/schema.js';
import { type IndexArgs, indexArgsQuery } from '../actions/index-args.js';
import type { FormData, WebRequest } from '../web-types.js';
import { BatchView } from './batch.js';
import { type SafeHtml, attributes, helperArgs, safe } from './html.js';
import type { ItemView } from './item-view.js';
import type { PageModel } from './page-loader.js';
import type { Views } from './views.js';
import { RupError } from '../../errors.js';

/**
 * The request as templates see it (Roundup's HTMLRequest): what the URL
 * names, the form, the current user, and the index parameters with the
 * helpers that keep them in links and forms. See docs/templating.md.
 */
export class RequestView {
  readonly base: string;
  readonly base_path: string;
  readonly classname: string | null;
  readonly nodeid: string | null;
  readonly template: string | null;
  readonly form: FormData;
  readonly anonymous: boolean;
  readonly language = '';
  readonly columns: string[];
  readonly show: Record<string, boolean>;
  readonly sort: Array<readonly ['+' | '-', string]>;
  readonly group: Array<readonly ['+' | '-', string]>;
  readonly filter: string[];
  readonly filterspec: Record<string, string | string[]>;
  readonly search_text: string | null;
  readonly pagesize: number;
  readonly startwith: number;
  readonly dispname: string | null;
  readonly special_char: '@' | ':';
  readonly #views: Views;
  readonly #args: IndexArgs;
  readonly #schema: Schema;
  readonly #trackerName: string;
  readonly #batch: PageModel['batch'];
  #batchView: BatchView | null = null;

  constructor(req: WebRequest, model: PageModel, views: Views) {
    const args = model.indexArgs;
    this.base = req.baseUrl;
    this.base_path = req.basePath;
    this.classname = req.target.classname;
    this.nodeid = req.target.itemid;
    this.template = req.target.template;
    this.form = req.form;
    this.anonymous = req.user.anonymous;
    this.columns = args.columns;
    this.show = Object.fromEntries(args.columns.map((c) => [c, true]));
    this.sort = args.sort;
    this.group = args.group;
    this.filter = args.filter;
    this.filterspec = args.filterspec;
    this.search_text = args.searchText;
    this.pagesize = args.pagesize;
    this.startwith = args.startwith;
    this.dispname = args.dispname;
    this.special_char = args.specialChar;
    this.#views = views;
    this.#args = args;
    this.#schema = req.db.schema;
    this.#trackerName = String(req.tracker.config.TRACKER_NAME ?? '');
    this.#batch = model.batch;
  }

  /** The current user's item view. */
  get user(): ItemView | null {
    return this.#views.item('user', this.#views.data.userid);
  }

  /**
   * The index rows of this page.
   * @throws RupError RUP_ERR_TEMPLATE when the page did not load them.
   */
  batch(): BatchView {
    if (!this.#batchView) {
      const b = this.#batch;
      if (!b || this.classname === null) {
        throw new RupError('RUP_ERR_TEMPLATE', 'the index rows were not loaded: request.batch() works on class pages, with {# load: batch #} when the template reaches it through a variable');
      }
      const items = b.ids.map((id) => this.#views.item(this.classname!, id)).filter((v): v is ItemView => v !== null);
      this.#batchView = new BatchView(items, b.first, b.size, b.total);
    }
    return this.#batchView;
  }

  /** A page title: `Tracker - issue42`, `Tracker - new issue`, `Tracker - issue index`, `Tracker - home`. */
  description(): string {
    const parts = [this.#trackerName];
    if (this.classname) {
      if (this.nodeid) parts.push(`- ${this.classname}${this.nodeid}`);
      else if (this.template === 'item') parts.push(`- new ${this.classname}`);
      else if (this.template === 'index') parts.push(`- ${this.classname} index`);
      else parts.push(`- ${this.classname} ${this.template ?? ''}`.trimEnd());
    } else {
      parts.push('- home');
    }
    return parts.join(' ');
  }

  /**
   * `url` with the current index parameters (Roundup's indexargs_url):
   * entries of `args` come first and replace the request's own; null
   * values are left out.
   */
  indexargs_url(...params: unknown[]): string {
    const opts = helperArgs(params, ['url', 'args']);
    const extra: Record<string, string | null> = {};
    for (const [k, v] of Object.entries((opts.args ?? {}) as Record<string, unknown>)) extra[k] = v === null || v === undefined ? null : String(v);
    return `${String(opts.url ?? '')}?${indexArgsQuery(this.#schema, this.classname, this.#args, extra)}`;
  }

  /**
   * The current index parameters as hidden inputs (Roundup's
   * indexargs_form); pass `columns=false` (or sort, group, filter,
   * filterspec, search_text) to leave a part out.
   */
  indexargs_form(...params: unknown[]): SafeHtml {
    const opts = helperArgs(params, ['columns', 'sort', 'group', 'filter', 'filterspec', 'search_text']);
    const on = (name: string) => opts[name] === undefined || Boolean(opts[name]);
    const sc = this.special_char;
    const inputs: Array<[string, string]> = [];
    const sortText = (keys: ReadonlyArray<readonly [string, string]>) => keys.map(([d, p]) => (d === '-' ? `-${p}` : p)).join(',');
    if (on('columns') && this.columns.length) inputs.push([`${sc}columns`, this.columns.join(',')]);
    if (on('sort')) inputs.push([`${sc}sort`, sortText(this.sort)]);
    if (on('group')) inputs.push([`${sc}group`, sortText(this.group)]);
    if (on('filter') && this.filter.length) inputs.push([`${sc}filter`, this.filter.join(',')]);
    if (on('filterspec') && this.classname) {
      const def = this.#schema.getClass(this.classname);
      for (const [k, v] of Object.entries(this.filterspec)) {
        const isString = def.getprops().get(k)?.kind === 'String';
        inputs.push([k, Array.isArray(v) ? v.join(isString ? ' ' : ',') : v]);
      }
    }
    if (on('search_text') && this.search_text) inputs.push([`${sc}search_text`, this.search_text]);
    inputs.push([`${sc}pagesize`, String(this.pagesize)], [`${sc}startwith`, String(this.startwith)]);
    return safe(inputs.map(([name, value]) => `<input${attributes({ type: 'hidden', name, value })}>`).join('\n'));
  }

  /** The address of this page with its index parameters (Roundup's current_url). */
  current_url(): string {
    const url = `${this.base}${this.classname ?? ''}${this.classname && this.nodeid ? this.nodeid : ''}`;
    return this.indexargs_url(url, this.template ? { '@template': this.template } : {});
  }
}
