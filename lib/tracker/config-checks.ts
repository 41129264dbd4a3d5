/**
 * Checks that involve several config.ini options at once, run after every
 * option has been read on its own (Roundup's `CoreConfig.validator()` and
 * the per-option `validate()` hooks that look at other options).
 */

import type { ConfigProblem } from './config-errors.js';
import { findOption, type OptionSpec } from './config-options.js';
import { SESSION_BACKENDS } from './config-options-services.js';

/** What a check sees of one option: its text (undefined when unset), value and line. */
export interface CheckedOption {
  readonly text: string | undefined;
  readonly value: unknown;
  readonly line?: number;
}

/**
 * Text search configurations PostgreSQL ships; the `native-fts` indexer
 * takes `indexer_language` from this list, as Roundup checks it.
 */
export const NATIVE_FTS_LANGUAGES: readonly string[] = [
  'simple', 'arabic', 'armenian', 'basque', 'catalan', 'danish', 'dutch', 'english', 'finnish', 'french',
  'german', 'greek', 'hindi', 'hungarian', 'indonesian', 'irish', 'italian', 'lithuanian', 'nepali',
  'norwegian', 'portuguese', 'romanian', 'russian', 'serbian', 'spanish', 'swedish', 'tamil', 'turkish',
  'yiddish',
];

/** Shortest JWT secret accepted, in characters (256 bits as Roundup counts them). */
const JWT_SECRET_MIN_LENGTH = 32;

/**
 * Problems between options. `read` returns an option's state, or
 * undefined when the option could not be read (then checks depending on
 * it are skipped: its own problem is already reported).
 */
export function crossOptionProblems(read: (spec: OptionSpec) => CheckedOption | undefined, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const get = (section: string, option: string): CheckedOption | undefined => read(findOption(section, option) as OptionSpec);

  const username = get('mail', 'username');
  const password = get('mail', 'password');
  if (username?.text && password && password.text === undefined) {
    problems.push({
      file,
      line: username.line,
      section: 'mail',
      option: 'password',
      message: 'is not set, but [mail] username is set; an SMTP password is needed with a user name',
    });
  }

  const main = get('rdbms', 'backend');
  const session = get('sessiondb', 'backend');
  if (main?.text && session?.text) {
    const allowed = SESSION_BACKENDS[main.text] ?? [main.text];
    if (!allowed.includes(session.text)) {
      problems.push({
        file,
        line: session.line,
        section: 'sessiondb',
        option: 'backend',
        message: `session store "${session.text}" cannot be used with the ${main.text} backend (allowed: ${allowed.join(', ')})`,
      });
    }
  }

  const jwt = get('web', 'jwt_secret');
  if (typeof jwt?.value === 'string') {
    const short = jwt.value
      .split(',')
      .slice(1)
      .map((s) => s.trim())
      .filter((s) => s.length < JWT_SECRET_MIN_LENGTH);
    if (short.length > 0) {
      problems.push({
        file,
        line: jwt.line,
        section: 'web',
        option: 'jwt_secret',
        message: `every secret after the first must be at least ${JWT_SECRET_MIN_LENGTH} characters long; too short: ${short.join(', ')}`,
      });
    }
  }

  const indexer = get('main', 'indexer');
  const language = get('main', 'indexer_language');
  if (indexer?.text === 'native-fts' && typeof language?.value === 'string' && !NATIVE_FTS_LANGUAGES.includes(language.value)) {
    problems.push({
      file,
      line: language.line,
      section: 'main',
      option: 'indexer_language',
      message: `"${language.value}" is not a language of the native-fts indexer (valid languages: ${NATIVE_FTS_LANGUAGES.join(', ')})`,
    });
  }
  return problems;
}
