/**
 * The package entry (`import { ... } from 'rup-tracker'`): what another
 * Node program needs to serve trackers inside its own HTTP server,
 * Express or Koa app. See docs/embedding.md.
 *
 * - `createTrackerHandler(home, options?)`: one tracker as a Node
 *   `(req, res)` listener (its URLs start at `options.basePath`, or the
 *   path of its `[tracker] web`).
 * - `createTrackerApp(tracker, options?)`: the same as a Koa application,
 *   for an already opened `Tracker`.
 * - `createServerHandler(config)`: several trackers under one listener,
 *   routed as roundup-server routes them (index page, `/name/...`,
 *   favicon, trusted proxies).
 */
export { RupError, type ErrorCode } from './errors.js';
export { Tracker } from './tracker/tracker.js';
export { type TrackerAppOptions, createTrackerApp, createTrackerHandler } from './web/app.js';
export { type ServerHandler, type ServerHandlerConfig, type TrackerMap, createServerHandler } from './server/tracker-router.js';
export type { ServerLogger } from './server/server-logger.js';
