import { applyForm } from '../form/apply-form.js';
import { FormError } from '../form/form-error.js';
import { parseForm } from '../form/parse-form.js';
import type { ActionOutcome, WebAction, WebRequest } from '../web-types.js';
import { addError, failChange, isUserError, renderAgain, requirePost } from './action-support.js';
import { examineUrl, pyQuote } from './url-tools.js';

/**
 * `@action=new` (Roundup's NewItemAction): POST only; creates the context
 * item from the form, with the other items the form describes (`@note`,
 * `@file`, `msg-1@...`), in one unit of work, then redirects to the new
 * item: `issue43?@ok_message=msg 7 created%0Aissue 43 created&@template=item`.
 * `__redirect_to` (which must stay inside the tracker) replaces the
 * target, the message appended. Problems re-render the form page (400)
 * with "Error: ..." and nothing stored; permission denials are
 * RUP_ERR_PERMISSION (403).
 */
export const newAction: WebAction = {
  name: 'new',
  changesData: true,
  async run(req: WebRequest): Promise<ActionOutcome> {
    const notPost = requirePost(req);
    if (notPost) return notPost;
    const { classname } = req.target;
    if (classname === null) {
      addError(req, 'Invalid request');
      return renderAgain();
    }
    let redirectTo: string | null = null;
    let parsed;
    try {
      // Checked before anything is stored: Roundup checks it after committing, which leaves an item created behind an error.
      const requested = req.form.fields.get('__redirect_to')?.[0];
      if (requested !== undefined) redirectTo = examineUrl(requested, req.baseUrl);
      parsed = await parseForm(req.form, req.db, { classname, itemid: null }, { create: true });
    } catch (err) {
      if (!(err instanceof FormError) && !isUserError(err)) throw err;
      addError(req, `Error: ${err.message}`);
      return renderAgain();
    }

    let applied;
    try {
      applied = await applyForm(req.db, parsed);
      if (applied.createdContextId === null && !applied.messages.length) {
        await req.db.rollback();
        addError(req, `Error: nothing to create: the form gives no value for a new ${classname}`);
        return renderAgain();
      }
      await req.db.commit();
    } catch (err) {
      return failChange(req, err, 'Error: ');
    }

    const message = pyQuote(applied.messages.join('\n'));
    if (redirectTo !== null) return { kind: 'redirect', location: `${redirectTo}${redirectTo.includes('?') ? '&' : '?'}@ok_message=${message}` };
    const item = applied.createdContextId ?? '';
    return { kind: 'redirect', location: `${req.baseUrl}${pyQuote(classname)}${item}?@ok_message=${message}&@template=${pyQuote(req.target.template ?? '')}` };
  },
};
