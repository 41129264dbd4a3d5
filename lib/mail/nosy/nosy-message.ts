/**
 * Who gets a nosy message (Roundup's IssueClass `nosymessage`).
 *
 * A message goes to the users of the item's nosy list (or the list named
 * by `whichnosy`) and of `cc`, in To:, and to the users of `bcc` blind,
 * skipping:
 * - users already in the msg's `recipients` (nobody gets a msg twice);
 * - the author, unless `[nosy] messages_to_author` is `yes`, `new` (for a
 *   new item) or `nosy` (when the author is on the list);
 * - `anonymous`, users without an address (or with one that is not a
 *   mail address), and users who may not view the msg's `content` and
 *   `files`.
 * The plain addresses of `cc_emails` and `bcc_emails` are added as given.
 * Those who get it are added to the msg's `recipients` (when anybody but
 * blind copies gets it); the note is the change note of `oldvalues`, or
 * the create note without them, passed through `note_filter`.
 */

import type { HyperClass } from '../../hyperdb/hyper-class.js';
import type { NosyMessageOptions } from '../../hyperdb/messaging.js';
import { checkAddress } from '../mime.js';
import { generateChangeNote, generateCreateNote } from './change-note.js';
import { type NosyMailContext, sendNosyMail } from './nosy-mail.js';

function isMailAddress(address: string): boolean {
  try {
    checkAddress(address);
    return true;
  } catch {
    return false;
  }
}

/**
 * Sends msg `msgid` of item `itemid` (null: a change without a message)
 * to those of its nosy list who have not had it, and records them as the
 * msg's recipients. Reads and writes go through the unchecked view of
 * `handle`'s unit of work. Throws MailSendError when a mail cannot be
 * handed over (the caller's unit of work should then roll back), and
 * RUP_ERR_VALUE for a `cc_emails`/`bcc_emails` entry that is not an
 * address.
 */
export async function nosyMessage(context: NosyMailContext, handle: HyperClass, itemid: string, msgid: string | null, oldvalues: Record<string, unknown> | null, options: NosyMessageOptions = {}): Promise<void> {
  const { settings } = context;
  const db = handle.db.system();
  const cl = db.getclass(handle.classname);
  const msgs = db.getclass('msg');
  const users = db.getclass('user');
  const whichnosy = options.whichnosy ?? 'nosy';

  const authid = msgid ? ((await msgs.get(msgid, 'author')) as string | null) : null;
  const recipients = msgid ? [...((await msgs.get(msgid, 'recipients')) as string[])] : [];
  const seen = new Set(recipients);
  const sendto: string[] = [];
  const bccSendto: string[] = [];
  const viewProps = ['content', 'files'].filter((p) => msgs.def.hasProperty(p));

  const goodRecipient = async (userid: string | null): Promise<boolean> => {
    if (!userid || seen.has(userid)) return false;
    if ((await users.get(userid, 'username')) === 'anonymous') return false;
    if (!msgid) return true;
    for (const prop of viewProps) if (!(await db.security.hasPermission('View', userid, 'msg', prop, msgid))) return false;
    return true;
  };
  const addRecipient = async (userid: string, to: string[]): Promise<void> => {
    seen.add(userid);
    const address = String((await users.get(userid, 'address')) ?? '').trim();
    if (!address || !isMailAddress(address)) return;
    to.push(address);
    recipients.push(userid);
  };

  const nosy = (await cl.get(itemid, whichnosy)) as string[];
  const mode = settings.messagesToAuthor;
  const authorWanted = mode === 'yes' || (mode === 'new' && !oldvalues) || (mode === 'nosy' && authid !== null && nosy.includes(authid));
  if (authorWanted && (await goodRecipient(authid))) await addRecipient(authid!, sendto);
  if (authid) seen.add(authid);
  for (const userid of [...(options.cc ?? []), ...nosy]) if (await goodRecipient(userid)) await addRecipient(userid, sendto);
  sendto.push(...(options.cc_emails ?? []).map(checkAddress));
  for (const userid of options.bcc ?? []) if (await goodRecipient(userid)) await addRecipient(userid, bccSendto);
  bccSendto.push(...(options.bcc_emails ?? []).map(checkAddress));

  if (sendto.length && msgid) await msgs.set(msgid, { recipients });
  // Unlike Roundup, no note is made (nor filtered) for a mail nobody gets: most changes are seen by their author only.
  if (sendto.length || bccSendto.length) {
    let note = oldvalues ? await generateChangeNote(cl, itemid, oldvalues) : await generateCreateNote(cl, itemid);
    if (options.note_filter) note = await options.note_filter(note, itemid, db, cl, oldvalues);
    await sendNosyMail(context, cl, itemid, msgid, note, sendto, {
      from_address: options.from_address ?? null,
      bcc_sendto: bccSendto,
      subject: options.subject ?? null,
      ...(options.add_headers ? { add_headers: options.add_headers } : {}),
    });
  }
}
