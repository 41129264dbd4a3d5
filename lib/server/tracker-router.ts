import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { RupError } from '../errors.js';
import type { TrackerAppOptions } from '../web/app.js';
import { FAVICON_HEADERS, faviconBytes } from './favicon.js';
import { type IndexRenderer, builtinIndex, templateIndex } from './index-page.js';
import { ProxyTrust, firstHeaderValue } from './proxy-trust.js';
import { type ServerLogger, lineLogger } from './server-logger.js';
import { TrackerSlot } from './tracker-slot.js';

/**
 * The multi-tracker request handler of roundup-server, usable by any
 * transport (the standalone server, CGI, FastCGI, a proxy's backend, or
 * someone's own Node server). Roundup's routing:
 *
 * - `<base>`: the trackers' index page; with one tracker, a 302 to
 *   `<base><name>/index` instead. An index template replaces the page.
 * - `<base>favicon.ico`: the favicon.
 * - `<base><name>` without its slash: 301 to `<scheme>://<host><base><name>/`
 *   (query kept). Tracker names match case-insensitively.
 * - `<base><name>/...`: the tracker's own web app (every HTTP method),
 *   which sees its canonical name in the path.
 * - anything else: 404.
 *
 * Trackers load on their first request, each on its own: one that fails
 * to load answers 500 and is logged with the file and line at fault,
 * while the others keep serving. `X-Forwarded-For`, `-Proto` and `-Host`
 * reach a tracker only from the configured trusted proxies.
 */

/** A tracker map: name → tracker home (absolute, or relative to the working directory). */
export type TrackerMap = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

/** What {@link createServerHandler} serves and how. */
export interface ServerHandlerConfig {
  trackers: TrackerMap;
  /**
   * Where the transport mounts the handler (CGI's `SCRIPT_NAME`, a proxy
   * prefix), e.g. `/roundup/`; `/` by default. Request URLs must include it.
   */
  basePath?: string;
  /** A Nunjucks file replacing the index page (`-i`); compiled at once, RUP_ERR_TEMPLATE when broken. */
  indexTemplate?: string | null;
  /** The favicon file; the built-in icon when unset or unreadable. */
  favicon?: string | null;
  /** Addresses or networks (`10.0.0.0/8`) whose X-Forwarded-* headers are honoured; none by default. */
  trustedProxies?: readonly string[];
  /** Whether a request came over TLS, for redirects; by default the socket's own `encrypted` flag. */
  isSecure?: (req: IncomingMessage) => boolean;
  /**
   * Request headers handed to the trackers as transport variables (`-I`,
   * e.g. `REMOTE_USER` set by an authenticating proxy): each variable is
   * named as listed and holds the header's value. Only list headers a
   * trusted front server sets (and strips from what clients send).
   */
  includeHeaders?: readonly string[];
  /** Open each tracker afresh for every request (`-t debug`). */
  reloadEachRequest?: boolean;
  /** Where load failures and tracker errors are logged; standard error by default. */
  logger?: ServerLogger;
  /** Further options every tracker's web app is created with (authentication, CSRF, APIs). */
  appOptions?: Omit<TrackerAppOptions, 'basePath' | 'logger' | 'proxy'>;
}

/** The Node listener, with what a long-running server needs besides. */
export interface ServerHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** The served tracker names (lower case, sorted). */
  readonly trackerNames: readonly string[];
  /**
   * Switches to a new tracker map (and index template, favicon) without
   * dropping a request: requests in flight finish on the trackers they
   * started on, which are then closed; new requests load the trackers
   * afresh. Throws, changing nothing, when the new settings are invalid.
   */
  reconfigure(config: Pick<ServerHandlerConfig, 'trackers' | 'indexTemplate' | 'favicon'>): void;
  /** Loads every tracker now; resolves to the names of those that failed (already logged). */
  preload(): Promise<string[]>;
  /** Closes every tracker once its requests in flight are done. */
  close(): Promise<void>;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

function withSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** The tracker map as [lower-case name, home] pairs; RUP_ERR_CONFIG for an unusable or repeated name. */
export function normaliseTrackers(trackers: TrackerMap): Map<string, string> {
  const entries = trackers instanceof Map ? [...trackers.entries()] : Object.entries(trackers as Record<string, string>);
  const out = new Map<string, string>();
  for (const [rawName, home] of entries) {
    const name = rawName.toLowerCase();
    if (name === '' || /[/\\?#%\s]/.test(name) || name === '.' || name === '..') {
      throw new RupError('RUP_ERR_CONFIG', `"${rawName}" cannot be a tracker name in a URL (use letters, digits, "-", "_" or ".")`);
    }
    if (out.has(name)) throw new RupError('RUP_ERR_CONFIG', `the tracker name "${rawName}" is given twice (names are not case-sensitive)`);
    if (!home) throw new RupError('RUP_ERR_CONFIG', `the tracker "${rawName}" has no home directory`);
    out.set(name, home);
  }
  return out;
}

/** The transport variables of a request: the caller's own, plus the included headers. */
function environmentOf(config: ServerHandlerConfig): TrackerAppOptions['environment'] {
  const own = config.appOptions?.environment;
  const included = config.includeHeaders ?? [];
  if (included.length === 0) return own;
  return (ctx) => {
    const env: Record<string, string | undefined> = { ...(own?.(ctx) ?? {}) };
    for (const name of included) {
      const value = ctx.headers[name.toLowerCase()];
      if (value !== undefined) env[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return env;
  };
}

/** A small HTML error page (no tracker, no templates involved). */
function sendError(res: ServerResponse, status: number, title: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `<html><head><title>${status} ${escapeHtml(title)}</title></head>\n<body><h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>\n</body></html>\n`;
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-cache' });
  res.end(body);
}

interface Settings {
  slots: Map<string, TrackerSlot>;
  renderIndex: IndexRenderer;
  favicon: string | null;
}

/**
 * Creates the handler. Throws RUP_ERR_CONFIG for a bad tracker name,
 * base path or proxy address, RUP_ERR_TEMPLATE / RUP_ERR_FILE for an
 * index template that does not compile or cannot be read. Tracker homes
 * are not opened here.
 */
export function createServerHandler(config: ServerHandlerConfig): ServerHandler {
  const basePath = withSlash(config.basePath ?? '/');
  if (!basePath.startsWith('/')) throw new RupError('RUP_ERR_CONFIG', `the base path "${basePath}" must start with /`);
  const logger = config.logger ?? lineLogger();
  const trust = new ProxyTrust(config.trustedProxies ?? []);
  const isSecure = config.isSecure ?? ((req: IncomingMessage) => (req.socket as TLSSocket).encrypted === true);
  const appOptions = { ...config.appOptions, proxy: !trust.empty, environment: environmentOf(config) };

  const build = (update: Pick<ServerHandlerConfig, 'trackers' | 'indexTemplate' | 'favicon'>): Settings => {
    const homes = normaliseTrackers(update.trackers);
    const renderIndex = update.indexTemplate ? templateIndex(update.indexTemplate) : builtinIndex;
    const slots = new Map<string, TrackerSlot>();
    for (const [name, home] of homes) {
      slots.set(
        name,
        new TrackerSlot({
          name,
          home,
          basePath: `${basePath}${encodeURIComponent(name)}/`,
          reloadEachRequest: config.reloadEachRequest ?? false,
          logger,
          appOptions,
        }),
      );
    }
    return { slots, renderIndex, favicon: update.favicon ?? null };
  };
  let settings = build(config);

  const schemeOf = (req: IncomingMessage, trusted: boolean): string => {
    const forwarded = trusted ? firstHeaderValue(req.headers['x-forwarded-proto'])?.toLowerCase() : undefined;
    if (forwarded === 'https' || forwarded === 'http') return forwarded;
    return isSecure(req) ? 'https' : 'http';
  };
  const hostOf = (req: IncomingMessage, trusted: boolean): string =>
    (trusted ? firstHeaderValue(req.headers['x-forwarded-host']) : undefined) ?? req.headers.host ?? 'localhost';

  const serveIndex = (res: ServerResponse, current: Settings): void => {
    const names = [...current.slots.keys()].sort();
    if (names.length === 1) {
      const location = `${basePath}${encodeURIComponent(names[0]!)}/index`;
      res.writeHead(302, { Location: location, 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<html><body><a href="${escapeHtml(location)}">${escapeHtml(location)}</a></body></html>\n`);
      return;
    }
    const body = current.renderIndex(
      names.map((name) => ({ name, url: `${basePath}${encodeURIComponent(name)}/` })),
      basePath,
    );
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const current = settings;
    const trusted = trust.screen(req);
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    const query = queryAt < 0 ? '' : url.slice(queryAt);
    if (path === basePath || `${path}/` === basePath) {
      serveIndex(res, current);
      return;
    }
    if (!path.startsWith(basePath)) {
      sendError(res, 404, 'Not Found', `Not found: ${path}`);
      return;
    }
    const rest = path.slice(basePath.length);
    if (rest === 'favicon.ico') {
      const icon = await faviconBytes(current.favicon);
      res.writeHead(200, { ...FAVICON_HEADERS, 'Content-Length': icon.length });
      res.end(icon);
      return;
    }
    const slash = rest.indexOf('/');
    const segment = slash < 0 ? rest : rest.slice(0, slash);
    let name: string;
    try {
      name = decodeURIComponent(segment).toLowerCase();
    } catch {
      sendError(res, 404, 'Not Found', `Not found: ${path}`);
      return;
    }
    const slot = current.slots.get(name);
    if (!slot) {
      sendError(res, 404, 'Not Found', `Not found: ${path}`);
      return;
    }
    if (slash < 0) {
      const location = `${schemeOf(req, trusted)}://${hostOf(req, trusted)}${path}/${query}`;
      res.writeHead(301, { Location: location, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Moved Permanently');
      return;
    }
    const canonical = encodeURIComponent(name);
    if (segment !== canonical) req.url = `${basePath}${canonical}${rest.slice(slash)}${query}`;
    try {
      await slot.handle(req, res);
    } catch (err) {
      if (err instanceof RupError && err.code === 'RUP_ERR_TRACKER') {
        sendError(res, 500, 'Tracker unavailable', `The tracker "${name}" cannot be loaded. The server log has the details.`);
        return;
      }
      throw err;
    }
  };

  const listener: Listener = (req, res) => {
    route(req, res).catch((err: unknown) => {
      logger.error(`${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      sendError(res, 500, 'An error has occurred', 'An error has occurred. Please check the server log.');
    });
  };

  // A getter must be defined, not assigned: Object.assign would copy its value once.
  Object.defineProperty(listener, 'trackerNames', { get: () => [...settings.slots.keys()].sort(), enumerable: true });
  return Object.assign(listener, {
    reconfigure(update: Pick<ServerHandlerConfig, 'trackers' | 'indexTemplate' | 'favicon'>): void {
      const next = build(update);
      const previous = settings;
      settings = next;
      for (const slot of previous.slots.values()) void slot.retire();
    },
    async preload(): Promise<string[]> {
      const failed: string[] = [];
      for (const [name, slot] of settings.slots) if (!(await slot.preload())) failed.push(name);
      return failed;
    },
    async close(): Promise<void> {
      await Promise.all([...settings.slots.values()].map((slot) => slot.retire()));
    },
  }) as ServerHandler;
}
