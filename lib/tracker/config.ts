/**
 * A tracker's configuration: `<home>/config.ini` checked against the
 * table of Roundup's options, plus the free-form `detectors/config.ini`
 * and `extensions/config.ini`.
 *
 * Loading follows Roundup's `CoreConfig.load()`: options missing from the
 * file take their defaults, options without a default must be set, and
 * values are converted by their type. Where Roundup stops at the first bad
 * value, every problem is collected and raised at once (RUP_ERR_CONFIG).
 * Unknown sections and options are ignored, as Roundup ignores them, and
 * listed in `warnings` so the caller can log them.
 *
 * Values are read as `config.get('mail', 'domain')`, or with Roundup's
 * upper-case names as detectors do: `config.MAIL_DOMAIN`,
 * `config.TRACKER_WEB`, `config.ADMIN_EMAIL` (aliases such as `MAILHOST`
 * work too). Relative paths come back joined to the tracker home and bare
 * mail addresses with the `[mail] domain` appended, as Roundup returns them.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RupError } from '../errors.js';
import { TrackerConfigError, type ConfigProblem } from './config-errors.js';
import {
  CONFIG_OPTIONS,
  CONFIG_SECTIONS,
  allOptionKeys,
  defaultText,
  findOption,
  findOptionByKey,
  type OptionSpec,
} from './config-options.js';
import { OptionValueProblem, type ParseContext } from './config-types.js';
import { interpolate, lookupEntry, parseIni, type IniDocument } from './ini-file.js';
import { loadUserConfig, UserConfig } from './user-config.js';
import { crossOptionProblems } from './config-checks.js';

/** Name of the tracker configuration file inside a tracker home. */
export const CONFIG_FILE = 'config.ini';

/** Current state of one option. */
interface OptionState {
  /** Canonical text; undefined while the option has no value ("NO DEFAULT"). */
  text: string | undefined;
  /** Parsed value (before access-time resolution). */
  value: unknown;
  /** Line of the file the value came from. */
  line?: number;
}

function parseOption(spec: OptionSpec, text: string, ctx: ParseContext): { text: string; value: unknown } {
  const parsed = spec.type.parse(text, ctx);
  return { text: parsed.text, value: parsed.value };
}

/**
 * The configuration of one tracker. Besides the methods, every option is
 * a property under its upper-case name and aliases (`config.WEB_HTTP_AUTH`);
 * assigning to one checks and sets the value like {@link set}.
 */
export class TrackerConfig {
  /** Values by Roundup's upper-case option names and aliases. */
  [name: string]: unknown;

  /** Directory holding config.ini (Roundup's HOME / TRACKER_HOME). */
  readonly home: string;
  /** Path of config.ini. */
  readonly file: string;
  /** Unknown sections and options found in the file (ignored, as Roundup does). */
  readonly warnings: readonly string[];
  /** `detectors/config.ini` settings, read as `SEC_OPT`. */
  readonly detectors: UserConfig;
  /** `extensions/config.ini` settings, read as `SEC_OPT`. */
  readonly ext: UserConfig;
  readonly #state = new Map<OptionSpec, OptionState>();
  readonly #defaults = new Map<OptionSpec, string | undefined>();

  /** @internal Use {@link loadTrackerConfig} or {@link createTrackerConfig}. */
  constructor(init: {
    home: string;
    file?: string;
    warnings?: readonly string[];
    detectors?: UserConfig;
    ext?: UserConfig;
    defaults: Map<OptionSpec, string | undefined>;
    state: Map<OptionSpec, OptionState>;
  }) {
    this.home = init.home;
    this.file = init.file ?? join(init.home, CONFIG_FILE);
    this.warnings = init.warnings ?? [];
    this.detectors = init.detectors ?? new UserConfig(join(init.home, 'detectors', CONFIG_FILE));
    this.ext = init.ext ?? new UserConfig(join(init.home, 'extensions', CONFIG_FILE));
    for (const [spec, text] of init.defaults) this.#defaults.set(spec, text);
    for (const [spec, state] of init.state) this.#state.set(spec, state);
    for (const key of [...allOptionKeys(), 'HOME', 'TRACKER_HOME']) {
      Object.defineProperty(this, key, {
        get: () => this.getByKey(key),
        set: (value: unknown) => this.setByKey(key, value),
        enumerable: false,
      });
    }
  }

  /**
   * Value of `[section] option`, converted by its type and resolved as
   * Roundup's `Option.get()` does. Throws RUP_ERR_CONFIG for an unknown
   * option or one that is not set and has no default.
   */
  get(section: string, option: string): unknown {
    return this.#read(this.#spec(section, option));
  }

  /** Value by upper-case name or alias (`MAIL_DOMAIN`, `MAILHOST`, `HOME`). */
  getByKey(key: string): unknown {
    if (key === 'HOME' || key === 'TRACKER_HOME') return this.home;
    const spec = findOptionByKey(key);
    if (!spec) throw new RupError('RUP_ERR_CONFIG', `Unsupported configuration option: ${key}`);
    return this.#read(spec);
  }

  /** Canonical text of `[section] option` as written to config.ini; undefined when unset. */
  text(section: string, option: string): string | undefined {
    return this.#state.get(this.#spec(section, option))?.text;
  }

  /** Default text of `[section] option`; undefined when it has none. */
  defaultText(section: string, option: string): string | undefined {
    return this.#defaults.get(this.#spec(section, option));
  }

  /** Line of config.ini the value came from; undefined for defaults and values set in code. */
  line(section: string, option: string): number | undefined {
    return this.#state.get(this.#spec(section, option))?.line;
  }

  /** True when `[section] option` has a value (its own or a default). */
  isSet(section: string, option: string): boolean {
    return this.text(section, option) !== undefined;
  }

  /**
   * Check and set `[section] option` from its text form (what config.ini
   * would hold, e.g. `"yes"`). Throws RUP_ERR_CONFIG naming the problem.
   */
  set(section: string, option: string, text: string): void {
    const spec = this.#spec(section, option);
    this.#state.set(spec, { ...this.#parseOrThrow(spec, text) });
  }

  /** {@link set} by upper-case name or alias; booleans and numbers are turned into text first. */
  setByKey(key: string, value: unknown): void {
    const spec = findOptionByKey(key);
    if (!spec) throw new RupError('RUP_ERR_CONFIG', `Unsupported configuration option: ${key}`);
    this.set(spec.section, spec.name, valueToText(value));
  }

  /**
   * Options that have no value and need one, by section, as Roundup lists
   * them under "WARNING! Following options need adjustments" (`[mail]
   * password` only while an SMTP user name is set).
   */
  unsetOptions(): { section: string; options: string[] }[] {
    const result: { section: string; options: string[] }[] = [];
    for (const spec of CONFIG_OPTIONS) {
      if (this.#state.get(spec)?.text !== undefined) continue;
      if (spec.unsetAllowed && !this.#needsValue(spec)) continue;
      let entry = result.find((r) => r.section === spec.section);
      if (!entry) result.push((entry = { section: spec.section, options: [] }));
      entry.options.push(spec.name);
    }
    return result;
  }

  /** @internal Used by {@link applyOverrides} to check a value without setting it. */
  parseFor(spec: OptionSpec, text: string): { text: string; value: unknown } {
    return parseOption(spec, text, { home: this.home });
  }

  /** @internal Used by {@link applyOverrides} to store checked values. */
  store(spec: OptionSpec, parsed: { text: string; value: unknown }): void {
    this.#state.set(spec, { text: parsed.text, value: parsed.value });
  }

  #needsValue(spec: OptionSpec): boolean {
    // Roundup: the SMTP password is only wanted when a user name is set.
    return !(spec.section === 'mail' && spec.name === 'password') || this.text('mail', 'username') !== '';
  }

  #spec(section: string, option: string): OptionSpec {
    const spec = findOption(section, option);
    if (!spec) throw new RupError('RUP_ERR_CONFIG', `Unsupported configuration option: [${section}] ${option}`);
    return spec;
  }

  #parseOrThrow(spec: OptionSpec, text: string): { text: string; value: unknown } {
    try {
      return this.parseFor(spec, text);
    } catch (err) {
      if (err instanceof OptionValueProblem) {
        throw new TrackerConfigError([{ section: spec.section, option: spec.name, message: err.message }]);
      }
      throw err;
    }
  }

  #read(spec: OptionSpec): unknown {
    const state = this.#state.get(spec);
    if (state === undefined || state.text === undefined) {
      throw new RupError('RUP_ERR_CONFIG', `${spec.key} is not set and has no default`, {
        location: { section: spec.section, option: spec.name },
      });
    }
    if (!spec.type.resolve) return state.value;
    const domain = this.#state.get(findOption('mail', 'domain') as OptionSpec);
    return spec.type.resolve(state.value, {
      home: this.home,
      mailDomain: domain?.text === undefined ? undefined : (domain.value as string),
    });
  }
}

/** config.ini text for a value given in code (`true` becomes `yes`). */
function valueToText(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return value;
  throw new RupError('RUP_ERR_CONFIG', `configuration values must be strings, numbers or booleans, not ${typeof value}`);
}

/** Canonical default texts (Roundup writes `0o2` for the `0o002` umask default). */
function defaultsFor(home: string): Map<OptionSpec, string | undefined> {
  return new Map(
    CONFIG_OPTIONS.map((spec) => {
      const text = defaultText(spec);
      return [spec, text === undefined ? undefined : spec.type.parse(text, { home }).text];
    }),
  );
}

/**
 * A configuration holding only defaults, for a new tracker in `homeDir`
 * (what `roundup-admin install` and `genconfig` start from). `[web]
 * secret_key` gets a fresh random value, as Roundup's install does; the
 * options without default stay unset until given.
 */
export function createTrackerConfig(homeDir: string): TrackerConfig {
  const defaults = defaultsFor(homeDir);
  const state = new Map<OptionSpec, OptionState>();
  for (const spec of CONFIG_OPTIONS) {
    const text = defaults.get(spec);
    state.set(spec, text === undefined ? { text: undefined, value: undefined } : parseOption(spec, text, { home: homeDir }));
  }
  return new TrackerConfig({ home: homeDir, defaults, state });
}

function readOptions(
  doc: IniDocument,
  file: string,
  home: string,
  defaults: Map<OptionSpec, string | undefined>,
  problems: ConfigProblem[],
): Map<OptionSpec, OptionState> {
  const state = new Map<OptionSpec, OptionState>();
  // Roundup passes these to configparser as defaults, so %(TRACKER_HOME)s works.
  const vars = { HOME: home, TRACKER_HOME: home };
  for (const spec of CONFIG_OPTIONS) {
    const entry = lookupEntry(doc, spec.section, spec.name);
    const where = { file, line: entry?.line, section: spec.section, option: spec.name };
    if (!entry) {
      const text = defaults.get(spec);
      if (text !== undefined) state.set(spec, parseOption(spec, text, { home }));
      else {
        state.set(spec, { text: undefined, value: undefined });
        if (!spec.unsetAllowed) problems.push({ ...where, message: 'is not set and has no default' });
      }
      continue;
    }
    const result = interpolate(doc, spec.section, spec.name, entry.value, vars);
    if (!result.ok) {
      problems.push({ ...where, message: result.message });
      continue;
    }
    try {
      state.set(spec, { ...parseOption(spec, result.value, { home }), line: entry.line });
    } catch (err) {
      if (!(err instanceof OptionValueProblem)) throw err;
      problems.push({ ...where, message: err.message });
    }
  }
  return state;
}

function unknownSettings(doc: IniDocument, file: string): string[] {
  const warnings: string[] = [];
  const known = new Set(CONFIG_SECTIONS.map((s) => s.name));
  for (const section of doc.sections.values()) {
    if (!known.has(section.name)) {
      warnings.push(`${file}:${section.line}: unknown section [${section.name}] ignored`);
      continue;
    }
    for (const entry of section.entries.values()) {
      if (!findOption(section.name, entry.name)) {
        warnings.push(`${file}:${entry.line}: [${section.name}] ${entry.name}: unknown option ignored`);
      }
    }
  }
  return warnings;
}

/**
 * Load and check `<homeDir>/config.ini` plus `detectors/config.ini` and
 * `extensions/config.ini`. Throws a {@link TrackerConfigError}
 * (RUP_ERR_CONFIG) listing every problem when anything is wrong, or a
 * RUP_ERR_CONFIG error when config.ini does not exist. Relative paths and
 * `file://` secrets are resolved against `homeDir`; secrets are read once,
 * here.
 */
export function loadTrackerConfig(homeDir: string): TrackerConfig {
  const file = join(homeDir, CONFIG_FILE);
  if (!existsSync(file)) {
    throw new RupError('RUP_ERR_CONFIG', `No valid configuration files found in directory ${homeDir}`, {
      location: { file },
    });
  }
  const doc = parseIni(readFileSync(file, 'utf8'));
  const problems: ConfigProblem[] = doc.problems.map((p) => ({ file, line: p.line, message: p.message }));
  const defaults = defaultsFor(homeDir);
  const state = readOptions(doc, file, homeDir, defaults, problems);
  problems.push(...crossOptionProblems((spec) => state.get(spec), file));
  const detectors = loadUserConfig(join(homeDir, 'detectors'));
  const ext = loadUserConfig(join(homeDir, 'extensions'));
  problems.push(...detectors.problems, ...ext.problems);
  if (problems.length > 0) throw new TrackerConfigError(problems);
  return new TrackerConfig({
    home: homeDir,
    file,
    warnings: unknownSettings(doc, file),
    detectors: detectors.config,
    ext: ext.config,
    defaults,
    state,
  });
}

/**
 * Apply settings given as `<section>_<option>=value` pairs, the form of
 * `roundup-admin install`'s `key=val` argument (`web_http_auth`,
 * `tracker_web`, `rdbms_user`; `[main]` options without prefix, e.g.
 * `admin_email`; legacy aliases such as `mailhost` too). Names are case
 * insensitive. Either every value is valid and all are applied, or a
 * {@link TrackerConfigError} lists every bad name and value and nothing
 * changes. Returns `config`.
 */
export function applyOverrides(config: TrackerConfig, overrides: Readonly<Record<string, string>>): TrackerConfig {
  const problems: ConfigProblem[] = [];
  const checked: [OptionSpec, { text: string; value: unknown }][] = [];
  for (const [name, text] of Object.entries(overrides)) {
    const spec = findOptionByKey(name.toUpperCase());
    if (!spec) {
      problems.push({ message: `Unsupported configuration option: ${name}` });
      continue;
    }
    try {
      checked.push([spec, config.parseFor(spec, text)]);
    } catch (err) {
      if (!(err instanceof OptionValueProblem)) throw err;
      problems.push({ section: spec.section, option: spec.name, message: err.message });
    }
  }
  if (problems.length > 0) throw new TrackerConfigError(problems);
  for (const [spec, parsed] of checked) config.store(spec, parsed);
  return config;
}
