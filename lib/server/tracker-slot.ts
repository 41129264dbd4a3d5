import type { IncomingMessage, ServerResponse } from 'node:http';
import { RupError } from '../errors.js';
import { Tracker } from '../tracker/tracker.js';
import { type TrackerAppOptions, createTrackerApp } from '../web/app.js';
import type { WebLogger } from '../web/error-funnel.js';
import type { ServerLogger } from './server-logger.js';

/**
 * One tracker of a multi-tracker server: opened on its first request (or
 * on `preload`), kept open, and closed once retired and idle. A tracker
 * that fails to load fails alone: its error is logged once with the file
 * and line it names, its requests get a 500, and the failure is kept
 * until the slot is replaced (SIGHUP re-reads the tracker map), so a
 * broken tracker is not re-imported on every request. In debug mode
 * (`-t debug`) every request opens the tracker afresh and closes it
 * afterwards, so changed schema, detectors and templates show at once.
 */

type Listener = (req: IncomingMessage, res: ServerResponse) => unknown;

interface Loaded {
  tracker: Tracker;
  listener: Listener;
}

/** How a slot builds its tracker's web app. */
export interface SlotOptions {
  name: string;
  home: string;
  /** The path the tracker is mounted at, ending in `/`. */
  basePath: string;
  reloadEachRequest: boolean;
  logger: ServerLogger;
  /** Extra options for createTrackerApp (proxy trust, authentication, ...). */
  appOptions: Omit<TrackerAppOptions, 'basePath' | 'logger'>;
}

/** Where a tracker's load failure points: `file:line`, when the error knows. */
function whereOf(err: unknown): string {
  if (!(err instanceof RupError) || !err.location.file) return '';
  const { file, line } = err.location;
  const place = line === undefined ? file : `${file}:${line}`;
  return err.message.includes(place) ? '' : ` (at ${place})`;
}

export class TrackerSlot {
  private loaded: Promise<Loaded> | null = null;
  private inflight = 0;
  private retired = false;
  private closing: Promise<void> | null = null;

  constructor(readonly options: SlotOptions) {}

  /** The tracker's web logger: its errors go to the server log, named by tracker. */
  private webLogger(): WebLogger {
    const { logger, name } = this.options;
    return { error: (message) => logger.error(`[${name}] ${message}`), warn: (message) => logger.warn(`[${name}] ${message}`) };
  }

  private async open(): Promise<Loaded> {
    const { home, basePath, appOptions } = this.options;
    let tracker: Tracker;
    try {
      tracker = await Tracker.open(home);
    } catch (err) {
      throw this.loadFailure(err);
    }
    try {
      const app = createTrackerApp(tracker, { ...appOptions, basePath, logger: this.webLogger() });
      // In the background: requests are served meanwhile (a search waits for the index it needs).
      if (!this.options.reloadEachRequest) {
        tracker.warm().catch((err: unknown) => this.webLogger().warn(`loading the full-text index at start failed: ${(err as Error).message}`));
      }
      return { tracker, listener: app.callback() };
    } catch (err) {
      await tracker.close().catch(() => undefined);
      throw this.loadFailure(err);
    }
  }

  private loadFailure(err: unknown): RupError {
    const { name, home, logger } = this.options;
    const message = err instanceof Error ? err.message : String(err);
    logger.error(`tracker "${name}" (${home}) cannot be loaded: ${message}${whereOf(err)}`);
    return new RupError('RUP_ERR_TRACKER', `the tracker "${name}" cannot be loaded`, { cause: err });
  }

  /** Opens the tracker now (errors are logged and kept, not thrown). */
  async preload(): Promise<boolean> {
    if (this.options.reloadEachRequest) return true;
    try {
      await this.current();
      return true;
    } catch {
      return false;
    }
  }

  private current(): Promise<Loaded> {
    this.loaded ??= this.open();
    return this.loaded;
  }

  /**
   * Hands the request to the tracker. Rejects with RUP_ERR_TRACKER when
   * the tracker cannot be loaded (nothing has been sent yet then).
   */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inflight++;
    let fresh: Loaded | null = null;
    const done = new Promise<void>((resolve) => res.once('close', resolve));
    try {
      const target = this.options.reloadEachRequest ? (fresh = await this.open()) : await this.current();
      await target.listener(req, res);
      await done;
    } finally {
      if (fresh) await fresh.tracker.close().catch(() => undefined);
      this.inflight--;
      if (this.retired && this.inflight === 0) void this.close();
    }
  }

  /** No new requests come here; the tracker closes once its requests in flight have finished. */
  retire(): Promise<void> {
    this.retired = true;
    return this.inflight === 0 ? this.close() : Promise.resolve();
  }

  /** Closes the tracker (if it was opened). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const loaded = this.loaded;
      this.loaded = null;
      if (!loaded) return;
      try {
        await (await loaded).tracker.close();
      } catch {
        // It never opened: nothing to close, and its failure has been logged.
      }
    })();
    return this.closing;
  }
}
