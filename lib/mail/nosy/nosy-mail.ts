/**
 * One nosy message on the wire (Roundup's IssueClass `send_message`): the
 * mail telling the recipients about a message (or a change) of an item,
 * laid out as Roundup lays it out.
 *
 * Body, joined by line ends: an empty line; the signature when
 * `signature_position = top`; the author line ("New submission from X
 * <addr>:" for an item's first message, "X <addr> added the comment:"
 * after, "Change by X <addr>:" without a message) and an empty line, when
 * `[mail] add_authorinfo` (the address only with `add_authoremail`); the
 * message text; "File 'name' not attached - you can download it from
 * <web>file<id>." for each file bigger than `[nosy] max_attachment_size`;
 * the change note; the signature when `signature_position = bottom`.
 *
 * Headers, in Roundup's order: `Reply-To` (the tracker, the author with
 * `replyto_address = AUTHOR`, or that address), `Message-Id` (the msg's,
 * made and stored on the msg when it has none), `In-Reply-To` (the msg's),
 * `X-Roundup-<class>-<prop>` for each set Link/Multilink whose class has a
 * `name` (or the property's `msg_header_property`), `X-Roundup-<class>-Id`,
 * the caller's extra headers, then `In-Reply-To` pointing at the item's
 * first message when the msg answers nothing; the mailer adds the rest
 * (Subject `[<class><id>] <title>`, To, From "<author>[ email_from_tag]"
 * <tracker email>, Date, Precedence, X-Roundup-Name/Loop/Version).
 *
 * The msg's files are attached (multipart/mixed). With `[nosy]
 * email_sending = single` one mail goes to every address; with
 * `multiple` one mail per address, all with the same Message-Id. Blind
 * copies get the first mail, sent to them separately. Nothing a user can
 * type (title, names, labels) can break a header: the mailer sanitises
 * every value (see mime.ts).
 */

import { randomBytes } from 'node:crypto';
import type { HyperClass } from '../../hyperdb/hyper-class.js';
import type { SendMessageOptions } from '../../hyperdb/messaging.js';
import type { MailAddressValue, MailAttachment, OutgoingMail } from '../compose.js';
import type { ComposedMail, Mailer } from '../mailer.js';
import { checkAddress } from '../mime.js';
import type { NosySettings } from './nosy-settings.js';
import { emailSignature } from './signature.js';
import { base32 } from '../../util/base32.js';

/**
 * A Message-Id for a msg that has none (one made on the web), in the
 * shape Roundup gives them: `<seconds.fraction.RANDOM.issue2@domain>`.
 */
export function nosyMessageId(classname: string, itemid: string, domain: string, utcMs: number = Date.now()): string {
  return `<${utcMs / 1000}.${base32(randomBytes(10))}.${classname}${itemid}@${domain}>`;
}

/** Who a nosy message is from: the user's real name (else username) and address. */
interface Author {
  name: string;
  address: string;
}

async function authorOf(users: HyperClass, authid: string | null): Promise<Author> {
  if (!authid || !(await users.hasnode(authid))) return { name: '', address: '' };
  const text = async (prop: string) => (users.def.hasProperty(prop) ? String((await users.get(authid, prop)) ?? '') : '');
  return { name: (await text('realname')) || (await text('username')), address: await text('address') };
}

/**
 * `[tracker] replyto_address`: "Name <addr>" or a bare address become an
 * address header; anything else is written as text (sanitised).
 */
function configuredReplyTo(value: string): MailAddressValue | string {
  const named = /^\s*(?:"((?:[^"\\]|\\.)*)"|([^<"]*?))\s*<([^<>\s]+)>\s*$/.exec(value);
  if (named) return { name: (named[1] ?? named[2] ?? '').replace(/\\(.)/g, '$1'), address: named[3]! };
  return /^\s*[^\s<>@]+@[^\s<>@]+\s*$/.test(value) ? { address: value.trim() } : value;
}

function replyTo(settings: NosySettings, fromAddress: string, author: Author): MailAddressValue | string {
  if (settings.replyTo === 'AUTHOR' && author.address) return { name: author.name, address: author.address };
  if (settings.replyTo && settings.replyTo !== 'AUTHOR') return configuredReplyTo(settings.replyTo);
  return { name: settings.trackerName, address: fromAddress };
}

/**
 * The property of `target` naming its items in X-Roundup headers: its
 * `name`, or the Link's `msg_header_property` when the class has that;
 * none when there is neither or `msg_header_property` is empty (which
 * turns the header off).
 */
function headerLabel(target: HyperClass, msgHeaderProperty: string | undefined): string | null {
  if (msgHeaderProperty === '') return null;
  if (msgHeaderProperty && target.def.hasProperty(msgHeaderProperty)) return msgHeaderProperty;
  return target.def.hasProperty('name') ? 'name' : null;
}

/** `X-Roundup-<class>-<prop>` headers: the names of what each set Link/Multilink points at. */
async function propertyHeaders(cl: HyperClass, itemid: string): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  const item = await cl.getnode(itemid);
  for (const [name, prop] of cl.getprops()) {
    if (prop.kind !== 'Link' && prop.kind !== 'Multilink') continue;
    const target = cl.db.getclass(prop.target);
    const label = headerLabel(target, prop.msgHeaderProperty);
    if (!label) continue;
    const value = item[name];
    const ids = Array.isArray(value) ? value : value ? [String(value)] : [];
    if (!ids.length) continue;
    const targets = await target.getMany(ids);
    headers[`X-Roundup-${cl.classname}-${name}`] = ids.map((id) => String(targets.get(id)?.[label] ?? '')).join(', ');
  }
  headers[`X-Roundup-${cl.classname}-Id`] = itemid;
  return headers;
}

/**
 * The MIME type a file is attached with: its `type` without parameters,
 * or application/octet-stream when it has none or one that is not a type
 * (a file's type is data anybody with Edit may change; it must not stop
 * the mail).
 */
function attachmentType(type: string | null): string {
  const bare = (type ?? '').split(';')[0]!.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(bare) ? bare : 'application/octet-stream';
}

/** What a nosy message needs besides its arguments. */
export interface NosyMailContext {
  settings: NosySettings;
  mailer: Mailer;
}

/**
 * Roundup's `send_message`: mails msg `msgid` of item `itemid` (null: a
 * change without a message) with `note` to the addresses `sendto` and,
 * blind, `options.bcc_sendto`. Reads and writes (the Message-Id stored on
 * the msg) go through the unchecked view of `handle`'s unit of work.
 * Throws MailSendError when a mail cannot be handed over, RUP_ERR_VALUE
 * for an address that is not one.
 */
export async function sendNosyMail(context: NosyMailContext, handle: HyperClass, itemid: string, msgid: string | null, note: string, sendto: readonly string[], options: SendMessageOptions = {}): Promise<void> {
  const { settings, mailer } = context;
  const db = handle.db.system();
  const cl = db.getclass(handle.classname);
  const cn = cl.classname;
  const msgs = db.getclass('msg');
  const users = db.getclass('user');

  let inreplyto: string | null = null;
  let messageid: string | null = null;
  if (msgid) {
    inreplyto = ((await msgs.get(msgid, 'inreplyto')) as string | null) || null;
    messageid = ((await msgs.get(msgid, 'messageid')) as string | null) || null;
  }
  if (!messageid) {
    messageid = nosyMessageId(cn, itemid, settings.mailDomain);
    if (msgid) await msgs.set(msgid, { messageid });
  }

  const title = ((await cl.get(itemid, 'title')) as string | null) || `${cn} message copy`;
  const authid = options.authid ?? (msgid ? ((await msgs.get(msgid, 'author')) as string | null) : db.getuid());
  const author = await authorOf(users, authid);
  const signature = emailSignature(settings.trackerName, settings.trackerEmail, settings.trackerWeb, cn, itemid);

  const lines = [''];
  if (settings.signaturePosition === 'top') lines.push(signature);
  if (authid && settings.addAuthorinfo) {
    const who = `${author.name}${author.address && settings.addAuthoremail ? ` <${author.address}>` : ''}`;
    if (msgid && ((await cl.get(itemid, 'messages')) as string[]).length === 1) lines.push(`New submission from ${who}:`);
    else if (msgid) lines.push(`${who} added the comment:`);
    else lines.push(`Change by ${who}:`);
    lines.push('');
  }
  const attachments: MailAttachment[] = [];
  if (msgid) {
    lines.push(String((await msgs.get(msgid, 'content')) ?? ''));
    const filesProp = msgs.def.properties.get('files');
    const fileClass = filesProp && filesProp.kind === 'Multilink' ? db.getclass(filesProp.target) : null;
    for (const fileid of fileClass ? ((await msgs.get(msgid, 'files')) as string[]) : []) {
      const name = String((await fileClass!.get(fileid, 'name')) ?? '');
      const content = (await fileClass!.get(fileid, 'binary_content')) as Buffer;
      if (content.length <= settings.maxAttachmentSize) {
        attachments.push({ filename: name, content, contentType: attachmentType((await fileClass!.get(fileid, 'type')) as string | null) });
      } else {
        lines.push(`File '${name}' not attached - you can download it from ${settings.trackerWeb}${fileClass!.classname}${fileid}.`);
      }
    }
  }
  if (note) lines.push(note);
  if (settings.signaturePosition === 'bottom') lines.push(signature);

  const fromAddress = options.from_address || settings.trackerEmail;
  const headers: Record<string, string | MailAddressValue> = { 'Reply-To': replyTo(settings, fromAddress, author), 'Message-Id': messageid };
  if (inreplyto) headers['In-Reply-To'] = inreplyto;
  Object.assign(headers, await propertyHeaders(cl, itemid), options.add_headers ?? {});
  if (!inreplyto) {
    const first = ((await cl.get(itemid, 'messages')) as string[])[0];
    const firstId = first && first !== msgid ? ((await msgs.get(first, 'messageid')) as string | null) : null;
    if (firstId) headers['In-Reply-To'] = firstId;
  }

  const mail: OutgoingMail = {
    to: [],
    subject: options.subject ?? `[${cn}${itemid}] ${title}`,
    body: lines.join('\n'),
    headers,
    attachments,
    from: { name: `${author.name}${settings.emailFromTag ? ` ${settings.emailFromTag}` : ''}`, address: fromAddress },
  };
  const to = [...sendto].sort();
  const bcc = (options.bcc_sendto ?? []).map(checkAddress);
  const groups = settings.emailSending === 'multiple' && to.length ? to.map((address) => [address]) : [to];
  const batch: ComposedMail[] = [];
  for (const [index, group] of groups.entries()) {
    const blind = index === 0 ? bcc : [];
    if (!group.length) {
      // Only blind copies: one mail with an empty To:.
      if (blind.length) batch.push(mailer.compose({ ...mail, bcc: blind }));
      continue;
    }
    const composed = mailer.compose({ ...mail, to: group });
    batch.push(composed);
    if (blind.length) batch.push({ ...composed, envelope: { from: composed.envelope.from, to: blind } });
  }
  await mailer.deliverAll(batch);
}
