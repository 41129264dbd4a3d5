/**
 * The web server a demo runs: one tracker mounted at `/demo/` on a plain
 * `http.createServer`, around the tracker's request listener (the Koa
 * app's `callback()`), as Roundup's demo runs one tracker in its
 * standalone server.
 */

import { type IncomingMessage, type RequestListener, type Server, type ServerResponse, createServer } from 'node:http';
import { RupError } from '../errors.js';
import type { Tracker } from '../tracker/tracker.js';
import { createTrackerApp } from '../web/app.js';

/** Makes a tracker's web application (lib/web/app's createTrackerApp; tests may give their own). */
export type TrackerAppFactory = (tracker: Tracker) => { callback(): RequestListener } | Promise<{ callback(): RequestListener }>;

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
  const app = await (factory ?? createTrackerApp)(tracker);
  const server = createServer(mountedListener('demo', app.callback()));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new RupError('RUP_ERR_TRACKER', `Cannot listen on ${bindAddress}:${port}: ${err.message}`, { cause: err })),
    );
    server.listen(port, bindAddress, () => resolve());
  });
  return server;
}
