import { packTimestamp } from './actions/form-timestamp.js';
import { pyQuote } from './actions/url-tools.js';
import type { ErrorInfo, WebLogger } from './error-funnel.js';
import { funnelError } from './error-funnel.js';
import type { TemplateNeeds } from './render/template-needs.js';
import type { TemplateSet } from './render/template-set.js';
import { DateTime } from '../hyperdb/date.js';
import { type PageCache, type RenderMarks, type RenderedPage, TokenSlots } from './render/page-cache.js';
import { BatchView } from './view/batch.js';
import { type SafeHtml, attributes, escapeHtml, safe } from './view/html.js';
import type { ItemView } from './view/item-view.js';
import { type PageModel, loadPage } from './view/page-loader.js';
import { RequestView } from './view/request-view.js';
import { type ReadCache, RequestCache } from './view/read-cache.js';
import { Views } from './view/views.js';
import type { CsrfGuard } from './web-hooks.js';
import type { WebRequest } from './web-types.js';

/**
 * Rendering of pages: choose the template, load its view model, build
 * what the template sees (docs/templating.md, section 2) and render it
 * synchronously (the CSRF guard is prepared by the caller).
 */

/** What the renderer needs from the tracker's app. */
export interface RenderServices {
  templates: TemplateSet;
  csrf: CsrfGuard;
  /** Template utilities extensions registered (`registerUtil`). */
  extensionUtils: ReadonlyMap<string, unknown>;
  logger: WebLogger;
  /** What pages read, kept until the data changes. */
  readCache: ReadCache;
  /** Rendered pages, kept until the data changes. */
  pageCache: PageCache;
}

/**
 * The messages of a request as template values: escaped (unless the
 * tracker marked one as its own HTML), line breaks as `<br>`, as
 * Roundup's add_message does.
 */
function messageHtml(messages: readonly string[], trusted: ReadonlySet<string> | undefined): SafeHtml[] {
  return messages.map((m) => safe((trusted?.has(m) ? m : escapeHtml(m)).replace(/\r/g, '').replace(/\n/g, '<br>\n')));
}

/** The config a template may read: every option but passwords and secrets. */
function templateConfig(config: Record<string, unknown>): Record<string, unknown> {
  return new Proxy(config, {
    get(target, name) {
      if (typeof name !== 'string' || /PASSWORD|SECRET/.test(name)) return undefined;
      const value = Reflect.get(target, name);
      return typeof value === 'function' ? undefined : value;
    },
  });
}

/** How one rendering hands out CSRF tokens, and what it notes of its dependence on the moment. */
interface RenderHooks {
  issue(lifetimeMinutes?: number): string;
  marks: RenderMarks;
}

function templateUtils(hooks: RenderHooks, services: RenderServices): Record<string, unknown> {
  const { marks } = hooks;
  const utils: Record<string, unknown> = {
    anti_csrf_nonce: (lifetime?: unknown) => hooks.issue(typeof lifetime === 'number' ? lifetime : undefined),
    csrf_field: () => safe(`<input${attributes({ type: 'hidden', name: '@csrf', value: hooks.issue() })}>`),
    timestamp: () => {
      marks.volatile = true;
      return packTimestamp();
    },
    url_quote: (text: unknown) => pyQuote(String(text ?? '')),
    html_quote: (text: unknown) => escapeHtml(text),
    Batch: (items: unknown, size: unknown, start: unknown) => {
      const list = (Array.isArray(items) ? items : []) as ItemView[];
      const first = Math.max(0, Number(start) || 0);
      const pageSize = Math.max(1, Number(size) || 50);
      return new BatchView(list.slice(first, first + pageSize), first, pageSize, list.length);
    },
  };
  // What a tracker's own helper returns may change by the moment: a page using one is not kept.
  for (const [name, fn] of services.extensionUtils) {
    if (name in utils) continue;
    utils[name] =
      typeof fn === 'function'
        ? (...args: unknown[]) => {
            marks.volatile = true;
            return (fn as (...a: unknown[]) => unknown)(...args);
          }
        : fn;
  }
  return utils;
}

/** Renders one template for the request with an already loaded model. */
function renderWithModel(req: WebRequest, services: RenderServices, name: string, model: PageModel, error: ErrorInfo | null, hooks: RenderHooks): string {
  const formWins = req.messages.error.length > 0;
  const { classname, itemid } = req.target;
  const views = new Views(model.data, {
    base: req.baseUrl,
    form: req.form,
    formWins,
    pageItem: classname === null ? null : { classname, itemid },
    csrfToken: () => hooks.issue(),
    now: () => {
      hooks.marks.relativeTime = true;
      return DateTime.now();
    },
    browserDateInput: req.tracker.config.WEB_USE_BROWSER_DATE_INPUT === true,
  });
  const request = new RequestView(req, model, views);
  let context: unknown = null;
  if (classname !== null && req.db.schema.hasClass(classname)) {
    context = itemid !== null ? views.item(classname, itemid) : views.cls(classname);
  }
  return services.templates.render(name, {
    context,
    request,
    db: views.db(),
    user: request.user,
    ok_messages: messageHtml(req.messages.ok, req.messages.trusted),
    error_messages: messageHtml(req.messages.error, req.messages.trusted),
    tracker: { name: req.tracker.name, web: req.baseUrl, base_path: req.basePath },
    config: templateConfig(req.tracker.config as unknown as Record<string, unknown>),
    utils: templateUtils(hooks, services),
    error,
    _: (msgid: unknown) => String(msgid ?? ''),
    ngettext: (singular: unknown, plural: unknown, n: unknown) => String(Number(n) === 1 ? singular : plural),
  });
}

/**
 * Renders the page the request names with template `name`: loads what
 * the template needs, then renders, its CSRF tokens left as slots (the
 * page may be kept and served again, page-cache.ts).
 */
export async function renderPage(req: WebRequest, services: RenderServices, name: string, cache: RequestCache): Promise<RenderedPage> {
  const model = await loadPage(req, services.templates.needs(name), cache);
  const slots = new TokenSlots();
  const marks: RenderMarks = { relativeTime: false, volatile: false };
  const html = renderWithModel(req, services, name, model, null, { issue: (lifetime) => slots.slot(lifetime), marks });
  return { html, slots, marks };
}

/** The page of an error: no item, no rows, no journal (they may be what failed). */
function errorNeeds(needs: TemplateNeeds): TemplateNeeds {
  return { ...needs, batch: false, history: false, content: false };
}

/**
 * Renders an error page: `<class>.404.html` / `_generic.404.html` for 404,
 * the home page with the message for 403 and 401 (Roundup shows the front
 * page, so the login box is there), `_generic.error.html` otherwise or
 * when those fail, and a built-in page when even that fails.
 */
export async function renderErrorPage(req: WebRequest, services: RenderServices, error: ErrorInfo): Promise<string> {
  const known = req.target.classname !== null && req.db.schema.hasClass(req.target.classname);
  const errorRequest: WebRequest = {
    ...req,
    target: { ...req.target, classname: known ? req.target.classname : null, itemid: null, filename: null },
    messages: { ...req.messages, error: [...req.messages.error] },
  };
  const attempts: Array<() => string> = [];
  const templates = services.templates;
  if (error.status === 404) {
    attempts.push(() => templates.select(errorRequest.target.classname, '404', true));
  } else if (error.status === 403 || error.status === 401) {
    attempts.push(() => {
      errorRequest.target.classname = null;
      errorRequest.target.template = 'home';
      if (!errorRequest.messages.error.includes(error.message)) errorRequest.messages.error.push(error.message);
      return templates.select(null, null, true);
    });
  }
  attempts.push(() => templates.select(null, 'error', true));
  for (const attempt of attempts) {
    try {
      const name = attempt();
      const model = await loadPage(errorRequest, errorNeeds(templates.needs(name)), RequestCache.none(req.db));
      const hooks: RenderHooks = { issue: (lifetime) => services.csrf.issue(errorRequest, lifetime), marks: { relativeTime: false, volatile: true } };
      return renderWithModel(errorRequest, services, name, model, error, hooks);
    } catch (err) {
      // A missing template just means the next choice; a broken one is logged, then the next is tried.
      funnelError(err, services.logger, `error page for ${error.status}`);
    }
  }
  return fallbackErrorHtml(error);
}

/** The page sent when no template can show the error. */
export function fallbackErrorHtml(error: ErrorInfo): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(error.title)}</title></head>`,
    `<body><main><h1>${escapeHtml(error.title)}</h1><p>${escapeHtml(error.message)}</p></main></body></html>`,
    '',
  ].join('\n');
}
