import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { RupError } from '../errors.js';
import { interpolate, parseIni } from '../tracker/ini-file.js';
import { asctime } from '../tracker/config-writer.js';
import { type MultiprocessType, MULTIPROCESS_TYPES, SERVER_OPTIONS, type ServerOptionSpec, findServerOption } from './server-options.js';

/**
 * roundup-server's configuration: `roundup-server.ini` (`[main]` options
 * and a `[trackers]` map of `name = home`), command-line options laid
 * over it, and `-S` writing it back. Relative paths in the file are
 * relative to the file's folder; on the command line, to the working
 * directory. Every problem of a file is reported at once, each with its
 * line.
 */

/** A value as given, with the folder its relative paths start from. */
interface Given {
  text: string;
  baseDir: string;
}

/** The settings a server runs with, checked and typed. Paths are absolute; empty ones are null. */
export interface ServerSettings {
  host: string;
  port: number;
  favicon: string | null;
  user: string | null;
  group: string | null;
  maxChildren: number;
  nodaemon: boolean;
  logHostnames: boolean;
  logViaLogger: boolean;
  logProxyHeader: boolean;
  pidfile: string | null;
  logfile: string | null;
  /** As configured; {@link effectiveMode} says what runs. */
  multiprocess: string;
  template: string | null;
  ssl: boolean;
  pem: string | null;
  includeHeaders: string[];
  httpVersion: 'HTTP/1.0' | 'HTTP/1.1';
  trustedProxies: string[];
  /** The URL path the trackers are under, starting and ending with `/`. */
  basePath: string;
  /** Tracker name → absolute home, in the order given. */
  trackers: Map<string, string>;
}

const TRUE_WORDS = ['yes', 'true', 'on', '1'];
const FALSE_WORDS = ['no', 'false', 'off', '0'];

/** Why `text` is not a valid value of `spec`, or null. */
function valueProblem(spec: ServerOptionSpec, text: string): string | null {
  const value = text.trim();
  if (spec.kind === 'integer') {
    if (!/^\d+$/.test(value)) return `"${text}" is not a number`;
    if (spec.name === 'port' && Number(value) > 65535) return `port ${value} is out of range (0-65535)`;
  }
  if (spec.kind === 'boolean' && !TRUE_WORDS.includes(value.toLowerCase()) && !FALSE_WORDS.includes(value.toLowerCase())) {
    return `"${text}" is not a boolean (yes or no)`;
  }
  if (spec.name === 'http_version' && value !== 'HTTP/1.0' && value !== 'HTTP/1.1') return `"${text}" is not HTTP/1.0 or HTTP/1.1`;
  if (spec.name === 'base_path' && (!value.startsWith('/') || /[?#\s]/.test(value))) return `"${text}" is not a URL path starting with /`;
  return null;
}

function configError(message: string, file?: string, line?: number): RupError {
  return new RupError('RUP_ERR_CONFIG', message, { location: { ...(file ? { file } : {}), ...(line ? { line } : {}) } });
}

export class ServerConfig {
  private readonly values = new Map<string, Given>();
  private readonly trackerHomes = new Map<string, Given>();

  private constructor(
    /** The configuration file (`-C`), or null. */
    readonly file: string | null,
  ) {}

  /** A configuration of defaults, tied to `file` (a file `-S` is to create) or to none. */
  static empty(file: string | null = null): ServerConfig {
    return new ServerConfig(file === null ? null : resolve(file));
  }

  /**
   * Reads `file`. RUP_ERR_CONFIG lists every problem (syntax, unknown
   * section or option, bad value), each as `file:line: problem`.
   */
  static load(file: string): ServerConfig {
    const path = resolve(file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw configError(`Cannot read the configuration file ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, path);
    }
    const config = new ServerConfig(path);
    const baseDir = dirname(path);
    const doc = parseIni(text);
    const problems = doc.problems.map((p) => ({ line: p.line, message: p.message }));
    const read = (section: string, name: string, raw: string, line: number): string | null => {
      const result = interpolate(doc, section, name, raw);
      if (result.ok) return result.value;
      problems.push({ line, message: result.message });
      return null;
    };
    for (const section of doc.sections.values()) {
      if (section.name === 'main') {
        for (const entry of section.entries.values()) {
          const spec = findServerOption(entry.name);
          if (!spec) {
            problems.push({ line: entry.line, message: `unknown option "${entry.name}" in section [main]` });
            continue;
          }
          const value = read('main', entry.name, entry.value, entry.line);
          if (value === null) continue;
          const problem = valueProblem(spec, value);
          if (problem) problems.push({ line: entry.line, message: `[main] ${entry.name}: ${problem}` });
          else config.values.set(spec.name, { text: value, baseDir });
        }
      } else if (section.name === 'trackers') {
        for (const entry of section.entries.values()) {
          const value = read('trackers', entry.name, entry.value, entry.line);
          if (value === null) continue;
          if (value.trim() === '') problems.push({ line: entry.line, message: `[trackers] ${entry.name}: no tracker home given` });
          else config.trackerHomes.set(entry.name, { text: value.trim(), baseDir });
        }
      } else {
        problems.push({ line: section.line, message: `unknown section [${section.name}] (roundup-server reads [main] and [trackers])` });
      }
    }
    if (problems.length > 0) {
      problems.sort((a, b) => a.line - b.line);
      throw configError(problems.map((p) => `${path}:${p.line}: ${p.message}`).join('\n'), path, problems[0]!.line);
    }
    return config;
  }

  /** Sets `[main]` option `name` from the command line (relative paths from `baseDir`); RUP_ERR_CONFIG when unknown or invalid. */
  set(name: string, text: string, baseDir: string = process.cwd()): void {
    const spec = findServerOption(name);
    if (!spec) throw configError(`unknown option "--${name}"`);
    const problem = valueProblem(spec, text);
    if (problem) throw configError(`option ${name}: ${problem}`);
    this.values.set(name, { text, baseDir });
  }

  /** Adds (or replaces) a tracker from a `name=home` argument. */
  addTracker(name: string, home: string, baseDir: string = process.cwd()): void {
    this.trackerHomes.set(name, { text: home, baseDir });
  }

  /** The text of option `name`: as given, else its default. */
  text(name: string): string {
    return this.values.get(name)?.text ?? findServerOption(name)!.default;
  }

  private path(name: string): string | null {
    const given = this.values.get(name);
    const text = (given?.text ?? findServerOption(name)!.default).trim();
    if (!text) return null;
    return isAbsolute(text) ? text : resolve(given?.baseDir ?? (this.file ? dirname(this.file) : process.cwd()), text);
  }

  private flag(name: string): boolean {
    return TRUE_WORDS.includes(this.text(name).trim().toLowerCase());
  }

  private list(name: string): string[] {
    return this.text(name)
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /** The typed settings. */
  settings(): ServerSettings {
    const trackers = new Map<string, string>();
    for (const [name, home] of this.trackerHomes) trackers.set(name, isAbsolute(home.text) ? home.text : resolve(home.baseDir, home.text));
    const nullable = (name: string): string | null => this.text(name).trim() || null;
    return {
      host: this.text('host').trim(),
      port: Number(this.text('port')),
      favicon: this.path('favicon'),
      user: nullable('user'),
      group: nullable('group'),
      maxChildren: Number(this.text('max_children')),
      nodaemon: this.flag('nodaemon'),
      logHostnames: this.flag('log_hostnames'),
      logViaLogger: this.flag('loghttpvialogger'),
      logProxyHeader: this.flag('log_proxy_header'),
      pidfile: this.path('pidfile'),
      logfile: this.path('logfile'),
      multiprocess: this.text('multiprocess').trim(),
      template: this.path('template'),
      ssl: this.flag('ssl'),
      pem: this.path('pem'),
      includeHeaders: this.list('include_headers'),
      httpVersion: this.text('http_version').trim() as 'HTTP/1.0' | 'HTTP/1.1',
      trustedProxies: this.list('trusted_proxies'),
      basePath: this.text('base_path').trim().replace(/\/?$/, '/'),
      trackers,
    };
  }

  /**
   * The file text `-S` writes: every `[main]` option with its description
   * and default, then `[trackers]`. Command-line paths are written
   * absolute, since the file's folder may not be the working directory.
   */
  render(now: Date = new Date()): string {
    const fileDir = this.file ? dirname(this.file) : process.cwd();
    const written = (given: Given | undefined, spec?: ServerOptionSpec): string => {
      if (!given) return spec!.default;
      const asPath = !spec || spec.kind === 'path';
      if (asPath && given.text.trim() && !isAbsolute(given.text) && given.baseDir !== fileDir) return resolve(given.baseDir, given.text);
      return given.text;
    };
    const escape = (text: string): string => text.replace(/%/g, '%%');
    let out = `# Roundup server configuration file\n# Autogenerated at ${asctime(now)}\n\n[main]\n`;
    for (const spec of SERVER_OPTIONS) {
      const comment = spec.description.replace(/\n$/, '').split('\n');
      if (spec.kind === 'boolean') comment.push('Allowed values: yes, no');
      if (spec.kind === 'path') comment.push('The path may be either absolute or relative', 'to the directory containing this config file.');
      out += `\n# ${comment.join('\n# ')}\n# Default: ${escape(spec.default)}\n${spec.name} = ${escape(written(this.values.get(spec.name), spec))}\n`;
    }
    out +=
      '\n# Roundup trackers to serve.\n' +
      '# Each option in this section defines single Roundup tracker.\n' +
      '# Option name identifies the tracker and will appear in the URL.\n' +
      '# Option value is tracker home directory path.\n' +
      '# The path may be either absolute or relative\n' +
      '# to the directory containing this config file.\n' +
      '[trackers]\n\n';
    for (const [name, home] of this.trackerHomes) out += `${name} = ${escape(written(home))}\n`;
    return out;
  }

  /**
   * Writes the configuration to `file` (default: the `-C` file, else
   * `config.ini` in the working directory). An existing file is kept as
   * `<base>.bak`. Returns the absolute path written.
   */
  save(file: string | null = this.file, now: Date = new Date()): string {
    const path = resolve(file ?? 'config.ini');
    const target = new ServerConfig(path);
    for (const [name, given] of this.values) target.values.set(name, given);
    for (const [name, given] of this.trackerHomes) target.trackerHomes.set(name, given);
    const text = target.render(now);
    const base = path.slice(0, path.length - extname(path).length);
    const tmp = `${base}.tmp`;
    writeFileSync(tmp, text, 'utf8');
    if (existsSync(path)) {
      rmSync(`${base}.bak`, { force: true });
      renameSync(path, `${base}.bak`);
    }
    renameSync(tmp, path);
    return path;
  }
}

/** The mode that runs for a configured `multiprocess` value: unknown ones fall back to `none`, as in Roundup. */
export function effectiveMode(multiprocess: string): { mode: MultiprocessType; warning: string | null } {
  if ((MULTIPROCESS_TYPES as readonly string[]).includes(multiprocess)) return { mode: multiprocess as MultiprocessType, warning: null };
  return { mode: 'none', warning: `Multiprocess mode "${multiprocess}" is not available, switching to single-process` };
}
