/**
 * Which item a message is for (Roundup's get_classname and get_nodeid):
 * the class named in the subject, else the default class; the item named
 * by the designator, else the item holding the message this one answers
 * (In-Reply-To, then References), else (for replies) an item whose title
 * is the subject's title, else a new item.
 */

import { RupError } from '../../errors.js';
import type { Database } from '../../hyperdb/database.js';
import { DateTime } from '../../hyperdb/date.js';
import { Interval } from '../../hyperdb/interval.js';
import { MailUsageError } from './gateway-errors.js';
import type { GatewaySettings } from './settings.js';
import type { ParsedSubject } from './subject-grammar.js';

/** The item a message is for: an existing one (itemid) or a new one of `classname` (itemid null). */
export interface MessageTarget {
  classname: string;
  itemid: string | null;
}

/** How many References entries are tried, newest first. */
const MAX_REFERENCES = 20;

const EXAMPLES = `The subject must contain a class name or designator to indicate the
'topic' of the message. For example:
    Subject: [issue] This is a new issue
      - this will create a new issue in the tracker with the title 'This is
        a new issue'.
    Subject: [issue1234] This is a followup to issue 1234
      - this will append the message's contents to the existing issue 1234
        in the tracker.
`;

/**
 * The class a message is for.
 * @throws MailUsageError with Roundup's texts: a bracketed word that is
 *   not a class in strict prefix mode; no class and no (valid) default.
 */
export function targetClass(db: Database, parsed: ParsedSubject, settings: GatewaySettings): string {
  const subject = parsed.subject;
  const named = settings.prefixMode === 'none' ? null : parsed.classname;
  if (!named && parsed.hasPrefix && settings.prefixMode === 'strict') {
    throw new MailUsageError(`\nThe message you sent to roundup did not contain a properly formed subject\nline. ${EXAMPLES}\nSubject was: '${subject}'\n`);
  }
  for (const candidate of [named, settings.defaultClass]) {
    if (candidate && db.hasClass(candidate)) return candidate;
  }
  const unknown = named || settings.defaultClass;
  if (unknown) {
    throw new MailUsageError(
      `\nThe class name you identified in the subject line ("${unknown}") does\nnot exist in the database.\n\nValid class names are: ${db.getclasses().join(', ')}\nSubject was: "${subject}"\n`,
    );
  }
  throw new MailUsageError(
    `\nYou did not identify a class name in the subject line and there is no\ndefault set for this tracker. ${EXAMPLES}\nSubject was: '${subject}'\n`,
  );
}

/** The item of `classname` holding a stored message with one of these message ids (tried in order), or null. */
async function itemByMessageIds(db: Database, classname: string, messageIds: readonly string[]): Promise<string | null> {
  const cls = db.schema.getClass(classname);
  const messages = cls.properties.get('messages');
  if (!db.hasClass('msg') || !messages || messages.kind !== 'Multilink' || messages.target !== 'msg') return null;
  if (!db.schema.getClass('msg').properties.has('messageid')) return null;
  const sys = db.system();
  for (const messageId of messageIds) {
    const msgs = await sys.getclass('msg').stringFind({ messageid: messageId });
    if (!msgs.length) continue;
    const items = (await sys.getclass(classname).find({ messages: msgs })).sort((a, b) => Number(a) - Number(b));
    if (items.length) return items[0]!;
  }
  return null;
}

/** The newest item whose title is `title` within the `[mailgw] subject_content_match` limit, or null. */
async function itemByTitle(db: Database, classname: string, title: string, mode: string): Promise<string | null> {
  const cls = db.schema.getClass(classname);
  if (cls.properties.get('title')?.kind !== 'String') return null;
  let limit: { prop: 'creation' | 'activity'; after: DateTime } | null = null;
  const m = /^(creation|activity)\s+(.+)$/.exec(mode);
  if (m) {
    let interval: Interval;
    try {
      interval = Interval.parse(m[2]!);
    } catch (err) {
      throw new RupError('RUP_ERR_CONFIG', `[mailgw] subject_content_match: "${mode}" has no valid interval (${(err as Error).message})`, { cause: err });
    }
    limit = { prop: m[1] as 'creation' | 'activity', after: DateTime.now().sub(interval) };
  } else if (mode !== 'always') {
    throw new RupError('RUP_ERR_CONFIG', `[mailgw] subject_content_match: "${mode}" is not always, never, "creation + <interval>" or "activity + <interval>"`);
  }
  const sys = db.system().getclass(classname);
  const ids = (await sys.stringFind({ title })).sort((a, b) => Number(a) - Number(b));
  let found: string | null = null;
  for (const id of ids) {
    if (limit && (await sys.get(id, limit.prop) as DateTime).compare(limit.after) <= 0) continue;
    found = id;
  }
  return found;
}

/**
 * The item a message of `classname` is for, or null for a new item.
 * `threading` are the ids of the messages it answers (In-Reply-To first,
 * then References, newest first).
 * @throws MailUsageError "I cannot match your message to a node..." (no
 *   designator and no title), or, in strict prefix mode, "The node
 *   specified by the designator ... does not exist."
 */
export async function targetItem(db: Database, classname: string, parsed: ParsedSubject, threading: readonly string[], settings: GatewaySettings): Promise<string | null> {
  const subject = parsed.subject;
  let itemid = settings.prefixMode === 'none' ? null : parsed.nodeid;
  if (itemid === null && threading.length) itemid = await itemByMessageIds(db, classname, threading.slice(0, MAX_REFERENCES + 1));
  if (itemid === null && !parsed.title) {
    throw new MailUsageError(
      `\nI cannot match your message to a node in the database - you need to either\nsupply a full designator (with number, eg "[issue123]") or keep the\nprevious subject title intact so I can match that.\n\nSubject was: "${subject}"\n`,
    );
  }
  // Only replies are matched by title: a new mail with a title like an old one is a new report.
  if (itemid === null && parsed.refwd && settings.contentMatch !== 'never') {
    itemid = await itemByTitle(db, classname, parsed.title, settings.contentMatch);
  }
  if (itemid !== null && !(await db.system().getclass(classname).hasnode(itemid))) {
    if (settings.prefixMode === 'strict') {
      throw new MailUsageError(`\nThe node specified by the designator in the subject of your message\n("${itemid}") does not exist.\n\nSubject was: "${subject}"\n`);
    }
    itemid = null;
  }
  return itemid;
}
