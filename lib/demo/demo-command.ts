/**
 * What `roundup-demo` does once its arguments are read (Roundup's
 * `roundup/scripts/roundup_demo.py`): pick the home (asking for it when
 * not given), create the demo tracker when there is none or `nuke` was
 * asked for (asking for the template when not given), refuse creation-only
 * options for an existing demo, then run it.
 */

import { resolve } from 'node:path';
import { RupError } from '../errors.js';
import { findTemplates } from '../tracker/install.js';
import type { TrackerAppFactory } from './demo-server.js';
import { type DemoBackend, RefusedNuke, installDemo, isTrackerHome } from './install-demo.js';
import { type RunningDemo, runDemo } from './run-demo.js';

export const DEFAULT_HOME = './demo';
export const DEFAULT_TEMPLATE = 'classic';
export const DEFAULT_BACKEND: DemoBackend = 'sqlite';

/** The choices of the command line, after parsing. */
export interface DemoOptions {
  /** Tracker home; asked for (default ./demo) when not given. */
  directory?: string;
  /** Backend given with -b or as the second argument; only allowed when creating. */
  backend?: DemoBackend;
  /** Template given with -t; only allowed when creating. Asked for when creating without it. */
  template?: string;
  hostname: string;
  bindAddress: string;
  port?: number;
  urlport?: number;
  nuke: boolean;
}

/** How the command talks to the person running it. */
export interface DemoIO {
  out(line: string): void;
  /** Asks a question; resolves with the answer, or null when there is no one to ask (end of input). */
  ask(question: string): Promise<string | null>;
  /** The command name used in the printed instructions. */
  script: string;
  /** The usage text, printed before some errors. */
  usage: string;
}

/** An error the command reports with a message and an exit status, without a stack trace. */
export class DemoExit extends RupError {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super('RUP_ERR_TRACKER', message);
    this.name = 'DemoExit';
  }
}

/**
 * Runs the demo command. Resolves with the running demo (the caller stops
 * it on Ctrl-C). Throws {@link DemoExit} for the refusals Roundup exits
 * on: an unknown template answer ("Unknown template: x. Exiting."), a
 * non-tracker directory to nuke, and creation options given for an
 * existing demo.
 */
export async function demoMain(options: DemoOptions, io: DemoIO, appFactory?: TrackerAppFactory): Promise<RunningDemo> {
  let directory = options.directory;
  if (!directory) {
    const answer = (await io.ask(`Enter directory path to create demo tracker [${DEFAULT_HOME}]: `))?.trim();
    directory = answer || DEFAULT_HOME;
  }
  const home = resolve(directory);
  // With no tracker there yet, the demo is created whatever was asked.
  const create = options.nuke || !isTrackerHome(home);
  if (create) {
    const templates = findTemplates();
    let template = options.template;
    if (template === undefined || !templates.has(template)) {
      const names = [...templates.keys()].join(',');
      const answer = (await io.ask(`Enter tracker template to use (one of (${names})) [${DEFAULT_TEMPLATE}]: `))?.trim();
      template = answer || DEFAULT_TEMPLATE;
      if (!templates.has(template)) throw new DemoExit(`Unknown template: ${template}. Exiting.`, 1);
    }
    const urlPort = options.urlport ?? options.port;
    try {
      await installDemo({ home, template, backend: options.backend ?? DEFAULT_BACKEND, hostname: options.hostname, port: urlPort, log: io.out });
    } catch (err) {
      if (err instanceof RefusedNuke) throw new DemoExit(err.message, 1);
      throw err;
    }
  } else if (options.backend !== undefined || options.template !== undefined) {
    throw new DemoExit(`${io.usage}\nSpecifying backend or template is only allowed when\ncreating a tracker or with nuke.\n`, 1);
  }
  return runDemo(home, { bindAddress: options.bindAddress, port: options.port, script: io.script, out: io.out, appFactory });
}
