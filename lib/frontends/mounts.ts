import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, resolve } from 'node:path';
import { RupError } from '../errors.js';
import type { ServerLogger } from '../server/server-logger.js';
import { createServerHandler, normaliseTrackers } from '../server/tracker-router.js';
import { TrackerSlot } from '../server/tracker-slot.js';
import { InProcessHttp, webServerEnvironment } from './in-process-http.js';

/**
 * What a FastCGI responder serves, mounted where the web server says:
 * the path in `SCRIPT_NAME`. One tracker home is served right at that
 * path (like Roundup's WSGI `RequestDispatcher(home)`); a tracker map
 * puts each tracker at `SCRIPT_NAME/<name>/`, with the multi-tracker
 * router's index page, redirects and 404s (the same code roundup-server
 * runs).
 *
 * A web server gives one `SCRIPT_NAME` per location, so a handful of
 * mount points is all a sound configuration produces; a `SCRIPT_NAME`
 * that changes with every URL means the web server hands over the whole
 * path as the script name, and is refused with a message saying so
 * rather than opening the trackers again for each URL.
 */

/** One tracker home, or a map of tracker names to homes. */
export type Served = { readonly home: string } | { readonly trackers: ReadonlyMap<string, string> };

/** The user the web server authenticated reaches the trackers (with `[web] http_auth`). */
const APP_OPTIONS = { environment: (ctx: { req: IncomingMessage }) => webServerEnvironment(ctx.req) };

/** More distinct mount points than this is a misconfigured web server. */
const MAX_MOUNTS = 16;

interface Mount {
  http: InProcessHttp;
  close(): Promise<void>;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A tracker at the mount point itself. */
function singleTracker(home: string, basePath: string, logger: ServerLogger): Mount {
  const slot = new TrackerSlot({ name: basename(resolve(home)), home, basePath, reloadEachRequest: false, logger, appOptions: APP_OPTIONS });
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    slot.handle(req, res).catch((err: unknown) => {
      // A tracker that cannot load has been logged by its slot with the file and line at fault.
      if (!(err instanceof RupError && err.code === 'RUP_ERR_TRACKER')) logger.error(`${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = `<html><head><title>Tracker unavailable</title></head>\n<body><h1>Tracker unavailable</h1>\n<p>${escapeHtml(
        'The tracker cannot be loaded. The server log has the details.',
      )}</p></body></html>\n`;
      res.writeHead(500, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  };
  return { http: new InProcessHttp(listener), close: () => slot.close() };
}

export class Mounts {
  readonly #served: Served;
  readonly #logger: ServerLogger;
  readonly #mounts = new Map<string, Mount>();

  /** @throws RupError RUP_ERR_CONFIG for a tracker map the router refuses (bad or repeated names). */
  constructor(served: Served, logger: ServerLogger) {
    this.#served = served;
    this.#logger = logger;
    // Checked now, so a bad map stops the program at start rather than at the first request.
    if ('trackers' in served) normaliseTrackers(served.trackers);
  }

  /**
   * The handler of the mount point `scriptName` (no trailing slash).
   * @throws RupError RUP_ERR_CONFIG when the web server has used more
   *   than 16 different `SCRIPT_NAME`s.
   */
  httpFor(scriptName: string): InProcessHttp {
    let mount = this.#mounts.get(scriptName);
    if (mount) return mount.http;
    if (this.#mounts.size >= MAX_MOUNTS) {
      throw new RupError(
        'RUP_ERR_CONFIG',
        `requests came with more than ${MAX_MOUNTS} different SCRIPT_NAMEs (the latest "${scriptName}"): the web server must pass the mount point as SCRIPT_NAME and the rest of the path as PATH_INFO (nginx: fastcgi_split_path_info)`,
      );
    }
    const basePath = `${scriptName}/`;
    if ('home' in this.#served) {
      mount = singleTracker(this.#served.home, basePath, this.#logger);
    } else {
      const handler = createServerHandler({ trackers: this.#served.trackers, basePath, logger: this.#logger, appOptions: APP_OPTIONS });
      mount = { http: new InProcessHttp(handler), close: () => handler.close() };
    }
    this.#mounts.set(scriptName, mount);
    return mount.http;
  }

  /** Closes every tracker opened (after their requests in flight). */
  async close(): Promise<void> {
    await Promise.all([...this.#mounts.values()].map((mount) => mount.close()));
    this.#mounts.clear();
  }
}
