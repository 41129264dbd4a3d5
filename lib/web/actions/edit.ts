import { DateTime } from '../../hyperdb/date.js';
import { applyForm } from '../form/apply-form.js';
import { FormError } from '../form/form-error.js';
import { type FormTarget, parseForm } from '../form/parse-form.js';
import type { ActionOutcome, FormData, WebAction, WebRequest } from '../web-types.js';
import { addError, failChange, isUserError, renderAgain, requirePost } from './action-support.js';
import { indexArgsQuery, readIndexArgs } from './index-args.js';
import { pyQuote } from './url-tools.js';

/**
 * The value an item page puts in its hidden `@lastactivity` field: the
 * item's `activity` as Roundup's `str(date)` (`2024-05-01.10:00:00`, UTC).
 */
export function lastActivityValue(activity: DateTime): string {
  return activity.toString();
}

/** Roundup's lastUserActivity: the `@lastactivity` (or `:lastactivity`) the page was rendered with, or null. */
export function readLastActivity(form: FormData): DateTime | null {
  const raw = form.fields.get(':lastactivity')?.[0] ?? form.fields.get('@lastactivity')?.[0];
  return raw === undefined || raw.trim() === '' ? null : DateTime.parse(raw);
}

const wholeSeconds = (d: DateTime) => Math.floor(d.epochMs / 1000);

/**
 * Roundup's detectCollision: when the item changed after the page was
 * rendered (compared in whole seconds), the properties this form would
 * change on it; empty when there is no conflict (a note alone never
 * conflicts).
 */
export async function collidingProperties(req: WebRequest, target: { classname: string; itemid: string }, seen: DateTime): Promise<string[]> {
  const activity = (await req.db.system().getclass(target.classname).get(target.itemid, 'activity')) as DateTime;
  if (wholeSeconds(seen) >= wholeSeconds(activity)) return [];
  const parsed = await parseForm(req.form, req.db, target);
  const own = parsed.items.find((i) => i.classname === target.classname && i.id === target.itemid);
  return own ? Object.keys(own.props) : [];
}

function collisionMessage(classname: string, itemid: string, props: string[]): string {
  return (
    `Edit Error: someone else has edited this ${classname} (${props.join(', ')}). ` +
    `View <a target="_blank" href="${classname}${itemid}">their changes</a> in a new window.`
  );
}

/**
 * `@action=edit` (Roundup's EditItemAction): POST only; applies the form
 * (see parse-form.ts) to the context item and the other items it names,
 * in one unit of work, and redirects to the item with
 * `@ok_message=issue42 title edited ok`. An item changed by someone else
 * since the page was rendered (`@lastactivity`) is a collision: nothing is
 * stored and the page is shown again (409) with a link to the item.
 * Form problems ("Form Error: ..."), bad values and detector refusals
 * ("Edit Error: ...") re-render the page (400) with nothing stored;
 * permission denials are RUP_ERR_PERMISSION (403).
 */
export const editAction: WebAction = {
  name: 'edit',
  changesData: true,
  async run(req: WebRequest): Promise<ActionOutcome> {
    const notPost = requirePost(req);
    if (notPost) return notPost;
    const { classname, itemid } = req.target;
    if (classname === null) {
      addError(req, 'Invalid request');
      return renderAgain();
    }
    const target: FormTarget = { classname, itemid };
    let parsed;
    try {
      if (itemid !== null) {
        const seen = readLastActivity(req.form);
        const conflict = seen ? await collidingProperties(req, { classname, itemid }, seen) : [];
        if (conflict.length) {
          addError(req, collisionMessage(classname, itemid, conflict), true);
          return renderAgain(409);
        }
      }
      parsed = await parseForm(req.form, req.db, target);
    } catch (err) {
      if (!(err instanceof FormError) && !isUserError(err)) throw err;
      addError(req, err instanceof FormError ? `Form Error: ${err.message}` : err.message);
      return renderAgain();
    }

    let message: string;
    try {
      message = (await applyForm(req.db, parsed)).messages.join('\n');
      await req.db.commit();
    } catch (err) {
      return failChange(req, err, 'Edit Error: ');
    }

    let url = `${req.baseUrl}${pyQuote(classname)}${itemid ?? ''}?@ok_message=${pyQuote(message)}&@template=${pyQuote(req.target.template ?? '')}`;
    // Edited from an index page: keep the index view.
    if (itemid === null) url += `&${indexArgsQuery(req.db.schema, classname, await readIndexArgs(req.form, req.db, classname))}`;
    return { kind: 'redirect', location: url };
  },
};
