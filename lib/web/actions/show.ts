import type { ActionOutcome, WebAction, WebRequest } from '../web-types.js';
import { addError, renderAgain } from './action-support.js';
import { pyQuote } from './url-tools.js';

/**
 * `@action=show` (Roundup's ShowAction): `@type=issue&@number=42` jumps
 * to `issue42`. Without a type: "No type specified"; without a number:
 * "No ID entered"; a number that is not one: `"x" is not an ID (issue ID
 * required)` (each re-renders the page, 400).
 */
export const showAction: WebAction = {
  name: 'show',
  changesData: false,
  async run(req: WebRequest): Promise<ActionOutcome> {
    const type = (req.form.get('@type') ?? '').trim();
    const number = (req.form.get('@number') ?? '').trim();
    let problem: string | null = null;
    if (!type) problem = 'No type specified';
    else if (!number) problem = 'No ID entered';
    else if (!/^\d+$/.test(number)) problem = `"${number}" is not an ID (${type} ID required)`;
    if (problem) {
      addError(req, problem);
      return renderAgain();
    }
    return { kind: 'redirect', location: `${req.baseUrl}${pyQuote(type)}${number}` };
  },
};
