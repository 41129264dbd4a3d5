/**
 * How configuration problems are recorded and reported: every problem of
 * a tracker's config files is collected (file, line, section, option,
 * what is wrong) and raised together as one `RUP_ERR_CONFIG` error, so a
 * tracker owner fixes them all in one go.
 */

import { RupError } from '../errors.js';

/** One problem found in a configuration file or setting. */
export interface ConfigProblem {
  /** File the problem is in; absent for settings given in code (overrides). */
  readonly file?: string;
  /** 1-based line, when known. */
  readonly line?: number;
  readonly section?: string;
  readonly option?: string;
  /** What is wrong, without the location. */
  readonly message: string;
}

/**
 * One line naming the place and the fault, e.g.
 * `/trackers/t/config.ini:12: [web] http_auth: "maybe" is not a valid boolean (yes/no)`.
 */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.file === undefined ? '' : `${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}: `;
  const what =
    problem.section === undefined ? '' : `[${problem.section}]${problem.option === undefined ? '' : ` ${problem.option}`}: `;
  return `${where}${what}${problem.message}`;
}

/** Problems of one file in line order, those without a line last. */
export function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const files: (string | undefined)[] = [];
  for (const p of problems) if (!files.includes(p.file)) files.push(p.file);
  return [...problems].sort(
    (a, b) =>
      files.indexOf(a.file) - files.indexOf(b.file) || (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER),
  );
}

/**
 * Raised when configuration is invalid: `code` is `RUP_ERR_CONFIG`, the
 * message lists every problem on its own line and `problems` keeps them
 * for callers that present them differently.
 */
export class TrackerConfigError extends RupError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const sorted = sortProblems(problems);
    const first = sorted[0];
    const heading =
      sorted.length === 1 ? 'Invalid tracker configuration:' : `Invalid tracker configuration (${sorted.length} problems):`;
    super('RUP_ERR_CONFIG', [heading, ...sorted.map((p) => `  ${formatProblem(p)}`)].join('\n'), {
      location: { file: first?.file, line: first?.line, section: first?.section, option: first?.option },
    });
    this.name = 'TrackerConfigError';
    this.problems = sorted;
  }
}
