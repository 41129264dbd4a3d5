import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { RupError } from '../errors.js';
import { loadTrackerConfig } from '../tracker/config.js';
import { Tracker } from '../tracker/tracker.js';
import { type TrackerAppFactory, startDemoServer } from './demo-server.js';

export interface RunDemoOptions {
  /** Address to listen on; the host of the tracker URL when not given. */
  bindAddress?: string;
  /** Port to listen on; the port of the tracker URL when not given. */
  port?: number;
  /** How the command was started, for the instructions ("roundup-demo", "npm start"). */
  script: string;
  out: (line: string) => void;
  /** The web application factory (lib/web/app's createTrackerApp when not given). */
  appFactory?: TrackerAppFactory;
}

/** A running demo. */
export interface RunningDemo {
  url: string;
  server: Server;
  tracker: Tracker;
  /** Stops the server and closes the tracker. */
  close(): Promise<void>;
}

/** The host and port of a tracker URL; RUP_ERR_TRACKER when it names no port (the demo needs one). */
export function demoUrlParts(url: string): { hostname: string; port: number } {
  const parsed = new URL(url);
  if (!parsed.port) {
    throw new RupError('RUP_ERR_TRACKER', `ERROR: Port not defined in Tracker Web URL: ${url}\nSet the "web" option in section "[tracker]" to a URL with a port, or use "nuke".`);
  }
  return { hostname: parsed.hostname, port: Number(parsed.port) };
}

/** Roundup's instructions, printed once the server runs. */
export function demoInstructions(url: string, script: string, home: string): string {
  return (
    `Server running - connect to:\n    ${url}\n` +
    `1. Log in as "demo"/"demo" or "admin"/"admin".\n` +
    `2. Hit Control-C to stop the server.\n` +
    `3. Re-start the server by running "${script}" again.\n` +
    `4. Reset the tracker by running "${script} nuke".\n\n` +
    `By default the demo tracker is set up to be accessed from "localhost".\n` +
    `If you want to run it on a server,\nedit "${home}/config.ini"\n` +
    `and set the "web" option in section "[tracker]" to your host name,\n` +
    `then restart demo. If you want to change backend types, you must use "nuke".\n`
  );
}

/**
 * Roundup's `run_demo`: serves the demo tracker in `home` at its
 * `[tracker] web` URL (`/demo/` on the URL's port, unless told to listen
 * elsewhere) and prints the URL and instructions. A URL without a port is
 * refused. Resolves once the server listens.
 */
export async function runDemo(home: string, options: RunDemoOptions): Promise<RunningDemo> {
  const dir = resolve(home);
  options.out(`Demo Tracker Home: ${dir}`);
  const url = loadTrackerConfig(dir).TRACKER_WEB as string;
  const { hostname, port } = demoUrlParts(url);
  const tracker = await Tracker.open(dir);
  let server: Server;
  try {
    server = await startDemoServer(tracker, options.bindAddress ?? hostname, options.port ?? port, options.appFactory);
  } catch (err) {
    await tracker.close();
    throw err;
  }
  options.out(demoInstructions(url, options.script, dir));
  return {
    url,
    server,
    tracker,
    async close() {
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
      await tracker.close();
    },
  };
}
