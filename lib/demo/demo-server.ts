/**
 * The web server a demo runs: one tracker mounted at `/demo/` on a plain
 * `http.createServer`, around the tracker's request listener (the Koa
 * app's `callback()`). This stands in for roundup-server until the
 * multi-tracker server exists; `startDemoServer` is the one place to
 * swap it in.
 */

import { type IncomingMessage, type RequestListener, type Server, type ServerResponse, createServer } from 'node:http';
import { RupError } from '../errors.js';
import type { Tracker } from '../tracker/tracker.js';

/** What lib/web/app.ts provides: a tracker's web application (a Koa app or anything with `callback()`). */
export type TrackerAppFactory = (tracker: Tracker) => { callback(): RequestListener } | Promise<{ callback(): RequestListener }>;

/** Where the web application lives, relative to this module (compiled side by side in lib/). */
const WEB_APP_MODULE = '../web/app.js';

/**
 * The web application factory, `createTrackerApp` of lib/web/app. Loaded
 * when a demo starts, so the demo's install and nuke work on their own;
 * RUP_ERR_TRACKER when the module or its export is missing.
 */
export async function loadTrackerAppFactory(): Promise<TrackerAppFactory> {
  let mod: { createTrackerApp?: unknown };
  try {
    mod = (await import(WEB_APP_MODULE)) as { createTrackerApp?: unknown };
  } catch (err) {
    throw new RupError('RUP_ERR_TRACKER', `The web interface cannot be loaded (${WEB_APP_MODULE}): ${(err as Error).message}`, { cause: err });
  }
  if (typeof mod.createTrackerApp !== 'function') {
    throw new RupError('RUP_ERR_TRACKER', `The web interface module ${WEB_APP_MODULE} does not export createTrackerApp`);
  }
  return mod.createTrackerApp as TrackerAppFactory;
}

/**
 * A listener that hands `/<mount>/...` to the tracker and answers the
 * rest: `/<mount>` without its slash and `/` are redirected to
 * `/<mount>/` (as roundup-server does for a tracker named in the path),
 * anything else is 404. The tracker sees the request URL unchanged and
 * finds its base path in `[tracker] web`.
 */
export function mountedListener(mount: string, listener: RequestListener): RequestListener {
  const prefix = `/${mount}/`;
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path.startsWith(prefix)) {
      listener(req, res);
      return;
    }
    if (path === `/${mount}` || path === '/') {
      res.writeHead(301, { Location: prefix, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`Moved to ${prefix}\n`);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`Not found: ${path}\n`);
  };
}

/** Starts the demo's HTTP server for `tracker` on `bindAddress:port`; resolves once it listens. */
export async function startDemoServer(tracker: Tracker, bindAddress: string, port: number, factory?: TrackerAppFactory): Promise<Server> {
  const app = await (factory ?? (await loadTrackerAppFactory()))(tracker);
  const server = createServer(mountedListener('demo', app.callback()));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new RupError('RUP_ERR_TRACKER', `Cannot listen on ${bindAddress}:${port}: ${err.message}`, { cause: err })),
    );
    server.listen(port, bindAddress, () => resolve());
  });
  return server;
}
