import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { register } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type ErrorLocation, RupError, isRupError } from '../errors.js';

/**
 * Loads a tracker's plugin modules (schema.js, initial_data.js,
 * detectors/*.js, extensions/*.js) as plain ES modules.
 *
 * Each load of a tracker gets its own module instances: the import URL
 * carries a load tag, so two trackers (or a reloaded tracker) never share
 * module state. The tag also follows the modules a plugin imports by path
 * (the home's `lib/` helpers and what they import), so those are per load
 * too and a reload sees their current code; packages from node_modules
 * and node: built-ins stay shared. A failure names the file and line and
 * the reason, and fails only the tracker being loaded.
 */

let loadCounter = 0;

/** Our own library (`lib/`): plugins reaching into it must get the shared modules (`instanceof RupError` works). */
const LIBRARY_URL = new URL('../', import.meta.url).href;

/*
 * Module resolve hook (runs in Node's loader thread, so it is registered as
 * source): a file module imported from a tagged module gets the same tag,
 * unless it is a package or part of our library.
 */
const TAG_FOLLOWS_IMPORTS = `
const library = ${JSON.stringify(LIBRARY_URL)};
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const tag = /[?&]tracker-load=([^&#]+)/.exec(context.parentURL ?? '');
  const url = result.url;
  if (tag && url.startsWith('file:') && !url.includes('?') && !url.includes('/node_modules/') && !url.startsWith(library)) {
    return { ...result, url: url + '?tracker-load=' + tag[1] };
  }
  return result;
}`;

let hookRegistered = false;

function registerTagHook(): void {
  if (hookRegistered) return;
  hookRegistered = true;
  register(`data:text/javascript,${encodeURIComponent(TAG_FOLLOWS_IMPORTS)}`);
}

/** A tag unique to one load of one tracker in this process. */
export function newLoadTag(): string {
  return `${process.pid}-${++loadCounter}`;
}

const PLUGIN_FRAME = /(file:\/\/[^\s?)]+)\?tracker-load=[^:\s)]+:(\d+):(\d+)/;

/**
 * Where an error was raised: the innermost frame in any tracker plugin (a
 * detector called from initial_data.js is named, not initial_data.js), or
 * for a syntax error the line Node's syntax checker reports.
 */
function locate(err: unknown, file: string): ErrorLocation {
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  const m = PLUGIN_FRAME.exec(stack);
  if (m) return { file: fileURLToPath(m[1]!), line: Number(m[2]), column: Number(m[3]) };
  if (err instanceof SyntaxError) {
    // Node does not say where a module's syntax error is; its syntax checker does.
    const check = spawnSync(process.execPath, ['--experimental-default-type=module', '--check', file], { encoding: 'utf8' });
    const where = /^(.*):(\d+)\s*$/m.exec(check.stderr ?? '');
    if (where) return { file, line: Number(where[2]) };
  }
  return { file };
}

/** Wraps any error raised by a plugin into RUP_ERR_PLUGIN naming file:line and the reason. */
export function pluginError(err: unknown, file: string): RupError {
  if (isRupError(err, 'RUP_ERR_PLUGIN') && err.location.file) return err;
  const location = locate(err, file);
  const where = location.line ? `${location.file}:${location.line}` : file;
  const reason = err instanceof Error ? `${err instanceof RupError ? '' : `${err.name}: `}${err.message}` : String(err);
  return new RupError('RUP_ERR_PLUGIN', `${where}: ${reason}`, { cause: err, location });
}

/**
 * One error for the plugins that failed to load: the error itself when
 * there is one, else RUP_ERR_PLUGIN listing each (file:line: reason) on its
 * own line, located at the first.
 */
export function combinePluginErrors(errors: readonly RupError[]): RupError {
  if (errors.length === 1) return errors[0]!;
  const lines = errors.map((e) => `  ${e.message}`);
  return new RupError('RUP_ERR_PLUGIN', [`${errors.length} tracker plugins failed to load:`, ...lines].join('\n'), {
    cause: new AggregateError(errors),
    location: errors[0]!.location,
  });
}

/** Imports one plugin module for the given load. */
export async function importPlugin(file: string, loadTag: string): Promise<Record<string, unknown>> {
  registerTagHook();
  try {
    return (await import(`${pathToFileURL(file).href}?tracker-load=${loadTag}`)) as Record<string, unknown>;
  } catch (err) {
    throw pluginError(err, file);
  }
}

/**
 * Calls the function a plugin exports under `name` (or its default
 * export), turning a missing function or any error into RUP_ERR_PLUGIN.
 */
export async function callPlugin(file: string, module: Record<string, unknown>, name: string, args: unknown[]): Promise<unknown> {
  const fn = module[name] ?? (name === 'default' ? undefined : module.default);
  if (typeof fn !== 'function') {
    throw new RupError('RUP_ERR_PLUGIN', `${file}: must export a function "${name}"`, { location: { file } });
  }
  try {
    return await fn(...args);
  } catch (err) {
    throw pluginError(err, file);
  }
}

/** The plugin files of a directory (`*.js`, `*.mjs`), in name order; none if it does not exist. */
export function pluginFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /\.m?js$/.test(name) && !name.startsWith('.'))
    .sort()
    .map((name) => join(dir, name));
}
