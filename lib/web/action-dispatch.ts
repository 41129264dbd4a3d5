import { RejectRaw, RupError } from '../errors.js';
import { isUserError } from './actions/action-support.js';
import type { ActionRegistry } from './action-registry.js';
import type { ActionOutcome, FormData, WebAction, WebRequest } from './web-types.js';

/**
 * `@action` dispatch (Roundup's handle_action): which action a request
 * names, whether it may run, and running it. The caller turns the
 * outcome into a response.
 */

/**
 * The action name a form gives (`:action` wins over `@action`, as in
 * Roundup), lower-cased; null when there is none (an empty value is none).
 * @throws RupError RUP_ERR_VALUE "broken form: multiple @action values submitted".
 */
export function requestedAction(form: FormData): string | null {
  const values = form.fields.get(':action') ?? form.fields.get('@action');
  if (!values) return null;
  if (values.length > 1) throw new RupError('RUP_ERR_VALUE', 'broken form: multiple @action values submitted');
  const name = values[0]!.trim().toLowerCase();
  return name === '' ? null : name;
}

/** An outcome re-rendering the page with an error message (400 unless told). */
function renderError(req: WebRequest, message: string, status = 400, trusted = false): ActionOutcome {
  req.messages.error.push(message);
  if (trusted) (req.messages.trusted ??= new Set()).add(message);
  return { kind: 'render', status };
}

/**
 * Runs the named action. Unknown names re-render the page with `No such
 * action "x"` (400); an action that changes data, sent other than by
 * POST, re-renders with `Invalid request` (400) without running. Errors a
 * person can fix (bad values, detector refusals) roll back and re-render
 * with their message (400); anything else (permission, faults) is thrown
 * on to the error funnel.
 */
export async function runAction(registry: ActionRegistry, name: string, req: WebRequest): Promise<{ action: WebAction | null; outcome: ActionOutcome }> {
  const action = registry.get(name) ?? null;
  if (!action) return { action, outcome: renderError(req, `No such action "${name}"`) };
  if (action.changesData && req.method !== 'POST') return { action, outcome: renderError(req, 'Invalid request') };
  try {
    return { action, outcome: await action.run(req) };
  } catch (err) {
    if (!isUserError(err)) throw err;
    await req.db.rollback();
    return { action, outcome: renderError(req, err.message, 400, err instanceof RejectRaw) };
  }
}

/**
 * A redirect target kept inside the tracker: absolute URLs must start
 * with the tracker's base URL, relative ones (not `//host`, no scheme)
 * are resolved against it. Anything else is null: the caller sends the
 * user to the tracker's home instead (no open redirect).
 */
export function insideTracker(location: string, baseUrl: string): string | null {
  const text = location.trim();
  if (/[\r\n]/.test(text)) return null;
  if (text.startsWith(baseUrl)) return text;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(text) || text.startsWith('//') || text.startsWith('\\') || text.startsWith('/\\')) return null;
  let resolved: URL;
  try {
    resolved = new URL(text, baseUrl);
  } catch {
    return null;
  }
  return resolved.href.startsWith(baseUrl) ? resolved.href : null;
}
