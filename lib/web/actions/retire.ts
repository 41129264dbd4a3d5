import { RupError } from '../../errors.js';
import type { ActionOutcome, WebAction, WebRequest } from '../web-types.js';
import { addError, failChange, renderAgain, requireClassPermission, requirePost } from './action-support.js';
import { pyQuote } from './url-tools.js';

/** Retire or restore: what differs between Roundup's RetireAction and RestoreAction. */
interface Lifecycle {
  name: 'retire' | 'restore';
  /** The item permission, beside the class-wide Edit both need. */
  permission: 'Retire' | 'Restore';
  /** `retired` / `restored` in the message. */
  past: string;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Retires or restores the context item: POST only; Edit on the class and
 * Retire (Restore) on the item; users `admin` and `anonymous` are never
 * retired. Success commits and redirects to the item (or to the index
 * when `@template=index`) with `@ok_message=Issue 3 has been retired`;
 * Roundup renders the page in the same request, we redirect so a reload
 * cannot repeat the POST.
 */
async function changeLifecycle(req: WebRequest, kind: Lifecycle): Promise<ActionOutcome> {
  const notPost = requirePost(req);
  if (notPost) return notPost;
  const { classname, itemid, template } = req.target;
  if (classname === null || itemid === null) {
    addError(req, 'Invalid request');
    return renderAgain();
  }
  await requireClassPermission(req, 'Edit', kind.name, classname);
  const sys = req.db.system();
  if (!(await sys.getclass(classname).hasnode(itemid))) throw new RupError('RUP_ERR_NO_SUCH_ITEM', `${classname} has no node ${itemid}`);
  if (kind.name === 'retire' && classname === 'user' && ['admin', 'anonymous'].includes((await sys.getclass('user').get(itemid, 'username')) as string)) {
    addError(req, 'You may not retire the admin or anonymous user');
    return renderAgain();
  }
  if (!(await req.db.hasPermission(kind.permission, classname, { itemid }))) {
    throw new RupError('RUP_ERR_PERMISSION', `You do not have permission to ${kind.name} ${classname}`);
  }
  try {
    const cls = req.db.getclass(classname);
    await (kind.name === 'retire' ? cls.retire(itemid) : cls.restore(itemid));
    await req.db.commit();
  } catch (err) {
    return failChange(req, err, '');
  }
  const message = pyQuote(`${capitalize(classname)} ${itemid} has been ${kind.past}`);
  const where = template === 'index' ? `${pyQuote(classname)}?@ok_message=${message}` : `${pyQuote(classname)}${itemid}?@ok_message=${message}&@template=${pyQuote(template ?? 'item')}`;
  return { kind: 'redirect', location: `${req.baseUrl}${where}` };
}

/** `@action=retire` (Roundup's RetireAction). */
export const retireAction: WebAction = {
  name: 'retire',
  changesData: true,
  run: (req) => changeLifecycle(req, { name: 'retire', permission: 'Retire', past: 'retired' }),
};

/** `@action=restore` (Roundup's RestoreAction). */
export const restoreAction: WebAction = {
  name: 'restore',
  changesData: true,
  run: (req) => changeLifecycle(req, { name: 'restore', permission: 'Restore', past: 'restored' }),
};
