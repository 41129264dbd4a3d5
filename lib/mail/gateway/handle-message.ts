/**
 * Handling one message that is not automatic and has a sender, in
 * Roundup's order (parsedMessage.method_list): help request, subject
 * check, subject parsing, registration confirmation, class, item, author,
 * permissions; then, as the author, recipients, properties, files,
 * message and the item itself.
 *
 * Two units of work, as Roundup: the first, as the admin user, finds the
 * target and the author and registers the author if needed (committed
 * only once the author's permissions are known to suffice); the second,
 * as the author, stores the message, its files and the property changes,
 * and is committed once at the end, so they are stored together or not
 * at all.
 */

import type { Database } from '../../hyperdb/database.js';
import type { Tracker } from '../../tracker/tracker.js';
import { anonymousId, mayRegisterByMail, userFromAddress } from './authors.js';
import { classArguments } from './class-arguments.js';
import { MailUsageError, MailUsageHelp, Unauthorized } from './gateway-errors.js';
import { type IncomingMail, type MailAddress, headerReferences, headerText } from './mime-message.js';
import { type RegistrationKeys, confirmRegistration } from './registration.js';
import type { GatewaySettings } from './settings.js';
import { type StoredMessage, storeMessage } from './store-message.js';
import { type ParsedSubject, isHelpSubject, parseSubject, registrationKey } from './subject-grammar.js';
import { type MessageTarget, targetClass, targetItem } from './target.js';

/** What handling did. */
export type HandledMessage =
  | ({ action: 'stored'; author: string } & StoredMessage)
  | { action: 'registration-confirmed'; userid: string };

/** The subject of a message, decoded; empty when it has none. */
export function subjectOf(mail: IncomingMail): string {
  return headerText(mail.headers, 'subject') ?? '';
}

/** The ids of the messages this one answers: In-Reply-To, then References newest first. */
function threadingIds(mail: IncomingMail): string[] {
  const ids: string[] = [];
  const inReplyTo = (headerText(mail.headers, 'in-reply-to') ?? '').trim();
  if (inReplyTo) ids.push(inReplyTo);
  for (const ref of headerReferences(mail.headers).reverse()) if (!ids.includes(ref)) ids.push(ref);
  return ids;
}

/** The author's id, registering them when the tracker allows it (Roundup's get_author_id). */
async function authorOf(db: Database, sender: MailAddress, settings: GatewaySettings): Promise<string> {
  const create = await mayRegisterByMail(db);
  const extra = create ? await classArguments(db, settings.setValues, 'user', 'user', null, settings.adminEmail) : {};
  const anonymous = await anonymousId(db);
  const author = (await userFromAddress(db, sender, { create, roles: settings.newEmailUserRoles, extra })) ?? anonymous;
  if (author !== null && (await db.security.hasPermission('Email Access', author))) return author;
  if (author !== null && author !== anonymous) throw new Unauthorized('You are not permitted to access this tracker.');
  let registration = '';
  if (anonymous !== null && (await db.security.hasPermission('Web Access', anonymous)) && (await db.security.hasPermission('Register', anonymous, 'user'))) {
    registration = ` Please register at:\n\n${settings.trackerWeb}user?@template=register\n\n...before sending mail to the tracker.`;
  }
  throw new Unauthorized(`\nYou are not a registered user.${registration}\n\nUnknown address: ${sender.address}\n`);
}

/** May the author create an item of the class, or edit the item (Roundup's check_permissions)? */
async function checkTargetPermission(db: Database, author: string, target: MessageTarget): Promise<void> {
  const { classname, itemid } = target;
  if (itemid) {
    if (!(await db.security.hasPermission('Edit', author, classname, null, itemid))) throw new Unauthorized(`You are not permitted to edit ${classname}.`);
  } else if (!(await db.security.hasPermission('Create', author, classname))) {
    throw new Unauthorized(`You are not permitted to create ${classname}.`);
  }
}

/** The target, the author and their permission, as the admin user; returns once what it registered is committed. */
async function prepare(tracker: Tracker, mail: IncomingMail, sender: MailAddress, parsed: ParsedSubject, settings: GatewaySettings): Promise<{ target: MessageTarget; author: string }> {
  const db = await tracker.open({ username: 'admin' }, { checked: false });
  try {
    const classname = targetClass(db, parsed, settings);
    const itemid = await targetItem(db, classname, parsed, threadingIds(mail), settings);
    const target = { classname, itemid };
    const author = await authorOf(db, sender, settings);
    await checkTargetPermission(db, author, target);
    await db.commit();
    return { target, author };
  } finally {
    await db.close();
  }
}

/**
 * Handles a message (see the module comment) and commits what it stores.
 * `sender` is the address replies go to (From, or Resent-From).
 * @throws MailUsageHelp for a help request; MailUsageError and
 *   Unauthorized for messages to bounce; storage and other errors are
 *   passed on (nothing of the message is then stored).
 */
export async function handleMessage(
  tracker: Tracker,
  mail: IncomingMail,
  sender: MailAddress,
  settings: GatewaySettings,
  registrationKeys: () => RegistrationKeys,
): Promise<HandledMessage> {
  const subject = subjectOf(mail);
  if (isHelpSubject(subject)) throw new MailUsageHelp();
  if (!subject) throw new MailUsageError('\nEmails to Roundup trackers must include a Subject: line!\n');
  const parsed = parseSubject(subject, { refwd: settings.refwd, delimiters: settings.delimiters, classnames: tracker.schema.classNames() });

  if (settings.registrationConfirmation) {
    const key = registrationKey(parsed.title);
    if (key) return { action: 'registration-confirmed', userid: await confirmRegistration(tracker, registrationKeys(), key) };
  }

  const { target, author } = await prepare(tracker, mail, sender, parsed, settings);
  const db = await tracker.open({ userid: author }, { checked: true });
  try {
    const stored = await storeMessage(db, mail, parsed, target, settings);
    await db.commit();
    return { action: 'stored', author, ...stored };
  } finally {
    await db.close();
  }
}
