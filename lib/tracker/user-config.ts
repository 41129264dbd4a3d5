/**
 * Free-form settings of a tracker's `detectors/config.ini` and
 * `extensions/config.ini` (Roundup's `UserConfig`). Any section and option
 * is accepted; values are strings. Option `opt` of section `[sec]` is read
 * as `SEC_OPT` (upper case; options of `[main]` as plain `OPT`), so a
 * detector reads `db.config.detectors.STATUSAUDITOR_CHATTING_REQUIRES_TWO_USERS`
 * as it does under Roundup. Values are interpolated like config.ini values,
 * with `%(HOME)s` naming the directory holding the file.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigProblem } from './config-errors.js';
import { interpolate, parseIni } from './ini-file.js';
import { optionKey } from './config-options.js';
import { RupError } from '../errors.js';

/** Settings of one free-form config file; `config.SEC_OPT` reads a value. */
export class UserConfig {
  /** Values by upper-case name, also readable as properties. */
  [name: string]: unknown;

  /** The file the settings came from (it need not exist). */
  readonly file: string;
  readonly #values: Map<string, string>;
  readonly #bySetting: Map<string, string>;

  constructor(file: string, settings: readonly { section: string; option: string; value: string }[] = []) {
    this.file = file;
    this.#values = new Map();
    this.#bySetting = new Map();
    for (const { section, option, value } of settings) {
      const key = optionKey(section, option);
      this.#values.set(key, value);
      this.#bySetting.set(`${section}\0${option.toLowerCase()}`, key);
      Object.defineProperty(this, key, { get: () => this.#values.get(key), enumerable: true });
    }
  }

  /** Value of `[section] option`; RUP_ERR_CONFIG when the file does not define it. */
  get(section: string, option: string): string {
    const key = this.#bySetting.get(`${section}\0${option.toLowerCase()}`);
    if (key === undefined) throw new RupError('RUP_ERR_CONFIG', `Unsupported configuration option: ${optionKey(section, option)}`);
    return this.#values.get(key) as string;
  }

  /** True when `[section] option` is defined. */
  has(section: string, option: string): boolean {
    return this.#bySetting.has(`${section}\0${option.toLowerCase()}`);
  }

  /** Upper-case names of every setting, in file order. */
  keys(): string[] {
    return [...this.#values.keys()];
  }
}

/**
 * Read `<dir>/config.ini` as free-form settings. A missing file gives an
 * empty config (as in Roundup); syntax and interpolation problems are
 * returned, not thrown, so the caller can report them with the others.
 */
export function loadUserConfig(dir: string): { config: UserConfig; problems: ConfigProblem[] } {
  const file = join(dir, 'config.ini');
  if (!existsSync(file)) return { config: new UserConfig(file), problems: [] };
  const doc = parseIni(readFileSync(file, 'utf8'));
  const problems: ConfigProblem[] = doc.problems.map((p) => ({ file, line: p.line, message: p.message }));
  const settings: { section: string; option: string; value: string }[] = [];
  const vars = { HOME: dir };
  for (const section of doc.sections.values()) {
    for (const entry of section.entries.values()) {
      const result = interpolate(doc, section.name, entry.name, entry.value, vars);
      if (result.ok) settings.push({ section: section.name, option: entry.name, value: result.value });
      else problems.push({ file, line: entry.line, section: section.name, option: entry.name, message: result.message });
    }
  }
  return { config: new UserConfig(file, settings), problems };
}
