import { RejectRaw, RupError, isRupError } from '../../errors.js';
import type { ActionOutcome, WebRequest } from '../web-types.js';

/**
 * Errors an action turns into a message on the page (Roundup's actions
 * catch ValueError, KeyError, IndexError and Reject): bad values, unknown
 * or retired items, duplicate keys, detector refusals. Anything else
 * (permission, a broken tracker) goes on to the request's error funnel.
 */
const USER_ERROR_CODES = new Set([
  'RUP_ERR_VALUE',
  'RUP_ERR_DATE',
  'RUP_ERR_NO_SUCH_PROPERTY',
  'RUP_ERR_NO_SUCH_ITEM',
  'RUP_ERR_KEY_NOT_FOUND',
  'RUP_ERR_DUPLICATE_KEY',
  'RUP_ERR_DESIGNATOR',
  'RUP_ERR_FILTER',
  'RUP_ERR_REJECT',
]);

/** True for errors the person can fix by changing the form. */
export function isUserError(err: unknown): err is RupError {
  return isRupError(err) && USER_ERROR_CODES.has(err.code);
}

/**
 * Adds an error message for the next page. `trusted` marks text the
 * tracker wrote itself as HTML (Roundup's add_error_message(escape=False):
 * the edit collision link, RejectRaw); everything else is escaped by the
 * templates.
 */
export function addError(req: WebRequest, message: string, trusted = false): void {
  req.messages.error.push(message);
  if (trusted) (req.messages.trusted ??= new Set()).add(message);
}

/** Re-render the page with the messages added; 400 unless told otherwise. */
export function renderAgain(status = 400): ActionOutcome {
  return { kind: 'render', status };
}

/** Roundup's answer to a data-changing action sent with GET: `Invalid request`, nothing done. */
export function requirePost(req: WebRequest): ActionOutcome | null {
  if (req.method === 'POST') return null;
  addError(req, 'Invalid request');
  return renderAgain();
}

/**
 * Rolls the unit of work back after a failed change, then shows a user
 * error as `<prefix><message>` on the page again; other errors are
 * rethrown for the error funnel (RUP_ERR_PERMISSION becomes 403).
 */
export async function failChange(req: WebRequest, err: unknown, prefix: string): Promise<ActionOutcome> {
  await req.db.rollback();
  if (!isUserError(err)) throw err;
  addError(req, `${prefix}${err.message}`, err instanceof RejectRaw);
  return renderAgain();
}

/** Roundup's Action.permission(): the class-wide permission an action needs. */
export async function requireClassPermission(req: WebRequest, permission: string, action: string, classname: string): Promise<void> {
  if (!(await req.db.hasPermission(permission, classname))) {
    throw new RupError('RUP_ERR_PERMISSION', `You do not have permission to ${action} the ${classname} class.`);
  }
}
