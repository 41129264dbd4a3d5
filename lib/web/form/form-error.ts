import { RupError } from '../../errors.js';

/**
 * A submitted form that cannot be applied: every problem found, each a
 * sentence for the person who filled the form in (Roundup's FormError
 * messages). The message joins them with newlines, as Roundup shows each
 * on its own line.
 */
export class FormError extends RupError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('RUP_ERR_VALUE', problems.join('\n'));
    this.name = 'FormError';
    this.problems = problems;
  }
}
