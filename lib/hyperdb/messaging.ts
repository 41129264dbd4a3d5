import type { HyperClass } from './hyper-class.js';

/**
 * Outgoing messages as the hyperdb sees them: Roundup's IssueClass
 * methods `nosymessage`, `send_message`, `generateCreateNote`,
 * `generateChangeNote` and `email_signature`, which issue class handles
 * offer to detectors. The hyperdb only names the contract; the tracker
 * installs an implementation (lib/mail/nosy) on the database services, so
 * this layer never depends on how mail is composed or delivered.
 */

/**
 * Rewrites the change note of a nosy message (Roundup's `note_filter`):
 * called with the generated note, the item id, the database, the class
 * handle and the old values; returns the note to send.
 */
export type NoteFilter = (note: string, itemid: string, db: unknown, cl: HyperClass, oldvalues: Record<string, unknown> | null) => string | Promise<string>;

/** The keyword arguments of Roundup's `nosymessage`, all optional. */
export interface NosyMessageOptions {
  /** The Multilink of users to notify (default `nosy`). */
  whichnosy?: string;
  /** Address in From: and Reply-To: instead of `[tracker] email`. */
  from_address?: string | null;
  /** More users (ids) to send to, in To:. */
  cc?: readonly string[];
  /** More users (ids) to send to, in no header. */
  bcc?: readonly string[];
  /** Plain addresses (not users) added to To:. */
  cc_emails?: readonly string[];
  /** Plain addresses (not users) sent to in no header. */
  bcc_emails?: readonly string[];
  /** Subject instead of `[<class><id>] <title>`. */
  subject?: string | null;
  note_filter?: NoteFilter | null;
  /** Extra headers, in order. */
  add_headers?: Readonly<Record<string, string>>;
}

/** The keyword arguments of Roundup's `send_message`, all optional. */
export interface SendMessageOptions {
  from_address?: string | null;
  /** Addresses sent to in no header. */
  bcc_sendto?: readonly string[];
  subject?: string | null;
  add_headers?: Readonly<Record<string, string>>;
  /** The user named as the author when there is no message (default: the current user). */
  authid?: string | null;
}

/** What the database services offer class handles for outgoing messages. */
export interface Messaging {
  /** Roundup's `nosymessage` on class handle `cl`; see {@link HyperClass.nosymessage}. */
  nosymessage(cl: HyperClass, itemid: string, msgid: string | null, oldvalues: Record<string, unknown> | null, options: NosyMessageOptions): Promise<void>;
  /** Roundup's `send_message` on class handle `cl`; see {@link HyperClass.send_message}. */
  sendMessage(cl: HyperClass, itemid: string, msgid: string | null, note: string, sendto: readonly string[], options: SendMessageOptions): Promise<void>;
  /** Roundup's `generateCreateNote`: every set property of the new item. */
  generateCreateNote(cl: HyperClass, itemid: string): Promise<string>;
  /** Roundup's `generateChangeNote`: what changed since `oldvalues`. */
  generateChangeNote(cl: HyperClass, itemid: string, oldvalues: Record<string, unknown>): Promise<string>;
  /** Roundup's `email_signature`: the block naming the tracker and the item's URL. */
  emailSignature(cl: HyperClass, itemid: string): string;
}
