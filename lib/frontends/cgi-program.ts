import { appendFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { once } from 'node:events';
import { RupError } from '../errors.js';
import { createServerHandler } from '../server/tracker-router.js';
import { type ServerLogger, lineLogger } from '../server/server-logger.js';
import { type CgiVariables, requestFromCgi } from './cgi-request.js';
import { cgiHeaderBlock, cgiPlainAnswer } from './cgi-response.js';
import { InProcessHttp, webServerEnvironment } from './in-process-http.js';

/**
 * Roundup's `roundup.cgi`: one request per process, its trackers named by
 * the environment.
 *
 * - `TRACKER_HOMES` (or the older `ROUNDUP_INSTANCE_HOMES`, which wins
 *   when both are set, as in Roundup): `name=home` pairs separated by the
 *   path separator (`:`, or `;` on Windows). Pairs that are not
 *   `name=home` are skipped, as Roundup does, but logged.
 * - `ROUNDUP_LOG`: a file the errors are appended to instead of standard
 *   error (which web servers put in their error log).
 *
 * The first `PATH_INFO` segment picks the tracker; the rest goes to it.
 * `SCRIPT_NAME` (and `SCRIPT_NAME/`) is the trackers' index page; a
 * tracker name without its slash is a 301 to the same URL with it, on
 * https when the web server says `HTTPS=on`. Those rules, the 404 for an
 * unknown name and the trackers' own error statuses come from the
 * multi-tracker router (lib/server/tracker-router.ts), the same code
 * roundup-server runs; this module only moves the request in and the
 * answer out.
 */

/** The trackers of a `TRACKER_HOMES` value, and the pairs that were skipped. */
export function parseTrackerHomes(text: string, separator: string = delimiter): { trackers: Map<string, string>; skipped: string[] } {
  const trackers = new Map<string, string>();
  const skipped: string[] = [];
  for (const entry of text.split(separator)) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    const name = eq < 0 ? '' : entry.slice(0, eq).trim();
    const home = eq < 0 ? '' : entry.slice(eq + 1).trim();
    if (name && home) trackers.set(name, home);
    else skipped.push(entry);
  }
  return { trackers, skipped };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function errorPage(title: string, message: string): string {
  return `<html><head><title>${escapeHtml(title)}</title></head>\n<body><h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>\n</body></html>\n`;
}

/** Where the program's errors go: `ROUNDUP_LOG` when set, else standard error. */
function cgiLogger(env: CgiVariables): ServerLogger {
  const file = env.ROUNDUP_LOG;
  if (!file) return lineLogger();
  return lineLogger((line) => {
    try {
      appendFileSync(file, `${new Date().toISOString()} ${line}`);
    } catch {
      process.stderr.write(line);
    }
  });
}

async function writeAll(out: Writable, chunk: Buffer): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/**
 * Answers the one request the environment describes, reading its body
 * from `stdin` and writing the CGI response to `stdout`. Resolves with
 * the process exit status: 0 once an answer has been written (whatever
 * its HTTP status), 1 when not even an error page could be.
 */
export async function runCgi(env: CgiVariables, stdin: Readable, stdout: Writable): Promise<number> {
  const logger = cgiLogger(env);
  const homesVariable = env.ROUNDUP_INSTANCE_HOMES !== undefined ? 'ROUNDUP_INSTANCE_HOMES' : 'TRACKER_HOMES';
  const { trackers, skipped } = parseTrackerHomes(env[homesVariable] ?? '');
  for (const entry of skipped) logger.warn(`${homesVariable}: "${entry}" is not a name=home pair; skipped`);

  let request;
  try {
    request = requestFromCgi(env);
  } catch (err) {
    if (!(err instanceof RupError)) throw err;
    logger.error(err.message);
    await writeAll(stdout, cgiPlainAnswer(400, 'Bad Request', errorPage('Bad Request', err.message)));
    return 0;
  }
  if (trackers.size === 0) {
    const message = `No trackers are configured: set ${homesVariable} to name=home pairs separated by "${delimiter}".`;
    logger.error(message);
    await writeAll(stdout, cgiPlainAnswer(500, 'Internal Server Error', errorPage('No trackers', message)));
    return 0;
  }

  let handler;
  try {
    handler = createServerHandler({ trackers, basePath: `${request.scriptName}/`, logger, appOptions: { environment: (ctx) => webServerEnvironment(ctx.req) } });
  } catch (err) {
    if (!(err instanceof RupError)) throw err;
    logger.error(`${homesVariable}: ${err.message}`);
    await writeAll(stdout, cgiPlainAnswer(500, 'Internal Server Error', errorPage('Bad tracker configuration', `${homesVariable}: ${err.message}`)));
    return 0;
  }
  let answered = false;
  try {
    const response = await new InProcessHttp(handler).exchange(request, env, stdin);
    answered = true;
    await writeAll(stdout, cgiHeaderBlock(response));
    for await (const chunk of response.body as AsyncIterable<Buffer>) await writeAll(stdout, chunk);
    return 0;
  } catch (err) {
    logger.error(`${request.method} ${request.target}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    // Part of the answer is out: all that is left is to cut it short.
    if (answered) return 1;
    // Roundup's answer to the unexpected: a dated pointer to the log, the details only in the log.
    const message = `${new Date().toUTCString()}: An error occurred. Please check the server log for more information.`;
    try {
      await writeAll(stdout, cgiPlainAnswer(500, 'Internal Server Error', errorPage('An error occurred', message)));
      return 0;
    } catch {
      return 1;
    }
  } finally {
    await handler.close();
  }
}
