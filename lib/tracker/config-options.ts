/**
 * The table of every config.ini section and option Roundup 2.6 defines,
 * and the names code uses to reach them. Each option is known by its
 * section and lower-case setting (`[web] http_auth`), by Roundup's
 * upper-case name (`WEB_HTTP_AUTH`; options of `[main]` have no section
 * prefix, e.g. `ADMIN_EMAIL`) and by the legacy aliases Roundup keeps for
 * old names (`MAILHOST`, `DEFAULT_TIMEZONE`, ...), because detectors written
 * for Roundup read `db.config.MAIL_DOMAIN` style names.
 */

import type { OptionType } from './config-types.js';
import { MAIN_SECTION, TRACKER_SECTION, WEB_SECTION } from './config-options-web.js';
import {
  LOGGING_SECTION,
  MAIL_SECTION,
  MAILGW_SECTION,
  MARKDOWN_SECTION,
  NOSY_SECTION,
  PGP_SECTION,
  RDBMS_SECTION,
  SESSIONDB_SECTION,
} from './config-options-services.js';

/** One option as declared in a section table. */
export interface OptionDeclaration {
  /** Setting name as written in the file (lower case). */
  readonly name: string;
  /** Value type; the table mixes types, each consistent with itself. */
  readonly type: OptionType<any>;
  /** Default text, a generator for it (random secrets), or undefined for "NO DEFAULT". */
  readonly default?: string | (() => string);
  /** Comment written above the option; lines separated by `\n`. */
  readonly description: string;
  /** Legacy upper-case names, as Roundup keeps them. */
  readonly aliases?: readonly string[];
  /**
   * True for an option without default that may stay unset (`[mail]
   * password` when no SMTP user name is configured).
   */
  readonly unsetAllowed?: boolean;
}

/** A section as declared in the tables. */
export interface SectionSpec {
  readonly name: string;
  /** Comment written above the `[section]` line. */
  readonly description?: string;
  readonly options: readonly OptionDeclaration[];
}

/** An option with its section and names resolved. */
export interface OptionSpec extends OptionDeclaration {
  readonly section: string;
  /** Roundup's canonical upper-case name, e.g. `WEB_HTTP_AUTH` or `ADMIN_EMAIL`. */
  readonly key: string;
}

/** Sections in the order Roundup writes them. */
export const CONFIG_SECTIONS: readonly SectionSpec[] = [
  MAIN_SECTION,
  TRACKER_SECTION,
  WEB_SECTION,
  RDBMS_SECTION,
  SESSIONDB_SECTION,
  LOGGING_SECTION,
  MAIL_SECTION,
  MAILGW_SECTION,
  PGP_SECTION,
  NOSY_SECTION,
  MARKDOWN_SECTION,
];

/**
 * Roundup's canonical name of a setting: upper case, prefixed with the
 * section name except in `[main]` (same rule as Roundup's `Option.name`).
 */
export function optionKey(section: string, name: string): string {
  return section === 'main' ? name.toUpperCase() : `${section.toUpperCase()}_${name.toUpperCase()}`;
}

/** Every option, in file order. */
export const CONFIG_OPTIONS: readonly OptionSpec[] = CONFIG_SECTIONS.flatMap((section) =>
  section.options.map((option) => ({ ...option, section: section.name, key: optionKey(section.name, option.name) })),
);

const byKey = new Map<string, OptionSpec>();
const bySetting = new Map<string, OptionSpec>();
for (const spec of CONFIG_OPTIONS) {
  byKey.set(spec.key, spec);
  for (const alias of spec.aliases ?? []) byKey.set(alias, spec);
  bySetting.set(`${spec.section}\0${spec.name}`, spec);
}

/** The option named by a canonical name or alias (`WEB_HTTP_AUTH`, `MAILHOST`), or undefined. */
export function findOptionByKey(key: string): OptionSpec | undefined {
  return byKey.get(key);
}

/** The option `[section] name`, or undefined. */
export function findOption(section: string, name: string): OptionSpec | undefined {
  return bySetting.get(`${section}\0${name.toLowerCase()}`);
}

/** Every name (canonical and aliases) that reaches an option. */
export function allOptionKeys(): string[] {
  return [...byKey.keys()];
}

/** The default text of an option; undefined when it has none. */
export function defaultText(spec: OptionDeclaration): string | undefined {
  return typeof spec.default === 'function' ? spec.default() : spec.default;
}
