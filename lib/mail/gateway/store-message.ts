/**
 * Writing a message into the tracker, acting as its author: the
 * recipients, the files, the msg item and the change of the target item
 * (Roundup's get_recipients, get_props, create_files, create_msg and
 * create_node). Everything goes into the author's unit of work, which the
 * caller commits once: a message is stored whole or not at all.
 *
 * The author's database is a checked one, so the security model applies
 * to every write; before each step the permission is also asked
 * explicitly, so a refusal is bounced with Roundup's wording ("You are not
 * permitted to create files.").
 */

import { randomBytes } from 'node:crypto';
import { isRupError } from '../../errors.js';
import type { Database } from '../../hyperdb/database.js';
import { DateTime } from '../../hyperdb/date.js';
import { rawToHyperdb } from '../../hyperdb/raw-values.js';
import type { HyperValue } from '../../hyperdb/values.js';
import { parseContent } from '../../util/message-content.js';
import { mayRegisterByMail, userFromAddress } from './authors.js';
import { classArguments } from './class-arguments.js';
import { type MailAttachment, extractContent } from './content-extraction.js';
import { MailUsageError, Unauthorized, isValueError } from './gateway-errors.js';
import { type IncomingMail, headerAddresses, headerText } from './mime-message.js';
import type { GatewaySettings } from './settings.js';
import { type ParsedSubject, splitAssignments } from './subject-grammar.js';
import type { MessageTarget } from './target.js';
import { base32 } from '../../util/base32.js';

/** What was written. */
export interface StoredMessage {
  classname: string;
  itemid: string;
  /** True when the item was created by this message. */
  created: boolean;
  /** The msg item made of the text, or null (no text left, or a class without messages). */
  msgid: string | null;
  /** The file items made of the attachments. */
  fileids: string[];
}

/** A Message-Id for a mail that came without one, in Roundup's form `<time.RANDOM.<class><id>@<mail domain>>` (`None` for a new item). */
export function generatedMessageId(classname: string, itemid: string | null, domain: string): string {
  return `<${(Date.now() / 1000).toFixed(6)}.${base32(randomBytes(10))}.${classname}${itemid ?? 'None'}@${domain}>`;
}

class MessageWriter {
  private readonly props: Record<string, HyperValue> = {};
  private readonly msgProps: Record<string, HyperValue> = {};
  private readonly fileids: string[] = [];
  private msgid: string | null = null;

  constructor(
    private readonly db: Database,
    private readonly mail: IncomingMail,
    private readonly parsed: ParsedSubject,
    private readonly target: MessageTarget,
    private readonly settings: GatewaySettings,
  ) {}

  private get classname(): string {
    return this.target.classname;
  }

  private get author(): string {
    return this.db.getuid();
  }

  private has(prop: string): boolean {
    return this.db.schema.getClass(this.classname).properties.has(prop);
  }

  private may(permission: string, classname: string | null, property: string | null = null, itemid: string | null = null): Promise<boolean> {
    return this.db.security.hasPermission(permission, this.author, classname, property, itemid);
  }

  private args(role: 'msg' | 'file' | 'user' | 'issue', classname: string, itemid: string | null = null): Promise<Record<string, HyperValue>> {
    return classArguments(this.db, this.settings.setValues, role, classname, itemid, this.settings.adminEmail);
  }

  /** To and Cc, the tracker's own address left out, as users (registered when the tracker allows it). */
  async recipients(): Promise<string[]> {
    const create = await mayRegisterByMail(this.db);
    const extra = await this.args('user', 'user');
    const out: string[] = [];
    for (const address of [...headerAddresses(this.mail.headers, 'to'), ...headerAddresses(this.mail.headers, 'cc')]) {
      const wanted = address.address.trim().toLowerCase();
      if (!wanted || wanted === this.settings.trackerEmail) continue;
      const userid = await userFromAddress(this.db, address, { create, roles: this.settings.newEmailUserRoles, extra });
      if (userid !== null && !out.includes(userid)) out.push(userid);
    }
    return out;
  }

  /** The properties the subject sets, with the title rules (Roundup's get_props). */
  async subjectProps(): Promise<void> {
    const { classname } = this;
    const itemid = this.target.itemid;
    const issueProps = await this.args('issue', classname, itemid);
    const parsed = this.parsed;
    // A designator naming no item: the whole subject is the title (loose and none prefix modes).
    let title = parsed.nodeid !== null && itemid === null ? parsed.subject : parsed.title;
    let props: Record<string, HyperValue> = {};
    if (parsed.args) {
      if (this.settings.suffixMode === 'none') {
        title += ` ${parsed.argsWhole}`;
      } else {
        const { props: converted, errors } = await this.convert(parsed.args);
        if (errors.length && this.settings.suffixMode === 'strict') {
          throw new MailUsageError(
            `\nThere were problems handling your subject line argument list:\n- ${errors.join('\n- ')}\n\nSubject was: "${parsed.subject}"\n`,
          );
        }
        if (errors.length) title += ` ${parsed.argsWhole}`;
        else props = converted;
      }
    }
    title = title.trim();
    if (title && this.has('title') && !('title' in issueProps)) issueProps.title = title;
    if (itemid && this.has('title') && !this.settings.updatesTitle) {
      issueProps.title = (await this.db.system().getclass(classname).get(itemid, 'title')) as HyperValue;
    }
    for (const [name, value] of Object.entries(issueProps)) if (!(name in props)) props[name] = value;
    Object.assign(this.props, props);
  }

  /** Converts a suffix list as the author would enter it; every problem is collected. */
  private async convert(args: string): Promise<{ props: Record<string, HyperValue>; errors: string[] }> {
    const { assignments, formError } = splitAssignments(args);
    if (formError) return { props: {}, errors: [formError] };
    const ctx = await this.db.rawContext();
    const cls = this.db.schema.getClass(this.classname);
    const props: Record<string, HyperValue> = {};
    const errors: string[] = [];
    for (const { name, value } of assignments) {
      try {
        props[name] = await rawToHyperdb(ctx, cls, this.target.itemid, name, value);
      } catch (err) {
        if (!isValueError(err)) throw err;
        errors.push(err.message);
      }
    }
    return { props, errors };
  }

  /** The attachments as file items (Roundup's create_files); a file a detector refuses is left out. */
  async files(attachments: readonly MailAttachment[]): Promise<void> {
    if (!this.has('files')) return;
    const extra = await this.args('file', 'file');
    if (!attachments.length) return;
    const { classname } = this;
    const itemid = this.target.itemid;
    const files = this.db.getclass('file');
    for (const attachment of attachments) {
      if (!(await this.may('Create', 'file'))) throw new Unauthorized('You are not permitted to create files.');
      try {
        this.fileids.push(await files.create({ type: attachment.type, name: attachment.name || 'unnamed', content: attachment.content, ...extra }));
      } catch (err) {
        if (!isRupError(err, 'RUP_ERR_REJECT')) throw err;
      }
    }
    if (itemid && !(await this.may('Edit', classname, 'files'))) {
      throw new Unauthorized(`You are not permitted to add files to ${classname}.`);
    }
    this.msgProps.files = [...this.fileids];
    const existing = itemid ? ((await this.db.system().getclass(classname).get(itemid, 'files')) as string[]) : [];
    this.props.files = [...existing, ...this.fileids];
  }

  /** The msg item (Roundup's create_msg); none when nothing is left of the text. */
  async message(content: string | null, recipients: readonly string[]): Promise<void> {
    if (!this.has('messages')) return;
    const { classname } = this;
    const itemid = this.target.itemid;
    Object.assign(this.msgProps, await this.args('msg', 'msg'));
    const inReplyTo = headerText(this.mail.headers, 'in-reply-to') ?? '';
    const messageId = headerText(this.mail.headers, 'message-id') || generatedMessageId(classname, itemid, this.settings.mailDomain);
    if (content === null) {
      throw new MailUsageError('\nRoundup requires the submission to be plain text. The message parser could\nnot find a text/plain part to use.\n');
    }
    const parsedContent = parseContent(content, this.settings.content, !itemid);
    const text = parsedContent.content.trim();
    if (!text) return;
    if (!(await this.may('Create', 'msg'))) throw new Unauthorized('You are not permitted to create messages.');
    try {
      this.msgid = await this.db.getclass('msg').create({
        author: this.author,
        recipients: [...recipients],
        date: DateTime.now(),
        summary: parsedContent.summary,
        content: text,
        messageid: messageId,
        inreplyto: inReplyTo,
        ...this.msgProps,
      });
    } catch (err) {
      if (isRupError(err, 'RUP_ERR_REJECT')) throw new MailUsageError(`\nMail message was rejected by a detector.\n${err.message}\n`, err);
      throw err;
    }
    if (itemid && !(await this.may('Edit', classname, 'messages'))) {
      throw new Unauthorized(`You are not permitted to add messages to ${classname}.`);
    }
    const existing = itemid ? ((await this.db.system().getclass(classname).get(itemid, 'messages')) as string[]) : [];
    this.props.messages = [...existing, this.msgid];
  }

  /** Creates or changes the target item (Roundup's create_node). */
  async node(): Promise<StoredMessage> {
    const { classname } = this;
    let itemid = this.target.itemid;
    const verb = itemid ? 'Edit' : 'Create';
    for (const prop of Object.keys(this.props)) {
      if (!(await this.may(verb, classname, prop))) {
        throw new Unauthorized(`You are not permitted to ${itemid ? 'edit' : 'set'} property ${prop} of class ${classname}.`);
      }
    }
    const cls = this.db.getclass(classname);
    try {
      if (itemid) await cls.set(itemid, this.props);
      else itemid = await cls.create(this.props);
    } catch (err) {
      if (isRupError(err, 'RUP_ERR_PERMISSION')) throw new Unauthorized(err.message, err);
      if (isValueError(err)) throw new MailUsageError(`\nThere was a problem with the message you sent:\n   ${err.message}\n`, err);
      throw err;
    }
    return { classname, itemid, created: this.target.itemid === null, msgid: this.msgid, fileids: [...this.fileids] };
  }
}

/**
 * Writes a message into the author's unit of work `db` (a checked
 * database opened as the author), without committing.
 * @throws MailUsageError, Unauthorized (bounced by the caller) and
 *   storage errors (passed on).
 */
export async function storeMessage(db: Database, mail: IncomingMail, parsed: ParsedSubject, target: MessageTarget, settings: GatewaySettings): Promise<StoredMessage> {
  const writer = new MessageWriter(db, mail, parsed, target, settings);
  const recipients = await writer.recipients();
  await writer.subjectProps();
  const extracted = await extractContent(mail.root, settings.extraction);
  try {
    await writer.files(extracted.attachments);
    await writer.message(extracted.content, recipients);
  } catch (err) {
    if (isRupError(err, 'RUP_ERR_PERMISSION') && !(err instanceof Unauthorized)) throw new Unauthorized(err.message, err);
    throw err;
  }
  return writer.node();
}
