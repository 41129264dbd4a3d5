/**
 * The mail gateway's entry point for one message, whatever its source
 * (pipe, mbox, POP, IMAP): `processMessage` reads it, handles it and says
 * how it ended, so the source knows what to do with the original:
 *
 * - `stored`: in the tracker (message, files and property changes in one
 *   transaction), or a registration completed;
 * - `bounced`: not stored, and the sender (or, per `[main]
 *   error_messages_to`, the dispatcher) was sent the reason and the
 *   original; also the answer to a `help` subject;
 * - `ignored`: automatic mail (loops, bulk, auto-replies), dropped
 *   without an answer so that mailers never answer each other forever;
 * - `tempfail`: neither stored nor bounced (database locked or
 *   unreachable, disk full, SMTP server down for a needed bounce, tracker
 *   not loadable): the source must keep the message and try again later
 *   (pipe mode exits with EX_TEMPFAIL, 75).
 *
 * The admin is sent the details of errors the gateway did not expect, as
 * Roundup does.
 */

import { debuglog } from 'node:util';
import { RupError, isRupError } from '../../errors.js';
import type { Tracker } from '../../tracker/tracker.js';
import { type Mailer, mailerFor } from '../mailer.js';
import { BOUNCE_SUBJECT, HELP_SUBJECT, UNEXPECTED_ERROR_TEXT, bounceRecipients, helpReplyText, plainBounceText, sendBounce, sendRegistrationComplete, usageBounceText } from './bounce.js';
import { MailUsageError, MailUsageHelp, Unauthorized, isTemporaryFailure } from './gateway-errors.js';
import { type HandledMessage, handleMessage, subjectOf } from './handle-message.js';
import { automaticMessageReason } from './ignore-rules.js';
import { type IncomingMail, type MailAddress, MalformedMailError, headerAddresses, parseMail, rawFromAddresses, rawHeaderBlock } from './mime-message.js';
import { type RegistrationKeys, trackerRegistrationKeys } from './registration.js';
import { type GatewaySettingOptions, gatewaySettings } from './settings.js';

const debug = debuglog('rup:mailgw');

/** sysexits.h: the message could be neither stored nor bounced; the mail transfer agent should retry. */
export const EX_TEMPFAIL = 75;

/** Options of the gateway (roundup-mailgw's command line) and what a caller may supply. */
export interface GatewayOptions extends GatewaySettingOptions {
  /** The mailer for bounces and replies; the tracker's own (`[mail]` settings) when not given. */
  mailer?: Mailer;
  /** The one-time keys registrations are kept under; the tracker's session store when not given. */
  registrationKeys?: RegistrationKeys;
}

/** The message is in the tracker. */
export interface StoredResult {
  outcome: 'stored';
  /** What was done: an item created or updated, or a registration completed. */
  action: 'created' | 'updated' | 'registration-confirmed';
  classname: string;
  itemid: string;
  /** The msg item holding the text, or null. */
  msgid: string | null;
  fileids: string[];
  /** The author (for a registration: the new user). */
  author: string;
  /** Something worth logging that did not stop the message (a reply that could not be sent). */
  notice?: string;
}

/** Why a message was bounced. */
export type BounceKind = 'usage' | 'unauthorized' | 'help' | 'unexpected' | 'no-sender' | 'malformed';

/** The message was answered with a bounce (or the help text) instead of being stored. */
export interface BouncedResult {
  outcome: 'bounced';
  kind: BounceKind;
  /** The reason given (the bounce text without the help). */
  reason: string;
  subject: string;
  /** Who the bounce was sent to. */
  recipients: string[];
  /** Something worth logging that did not stop the bounce (the admin's copy of an unexpected error could not be sent). */
  notice?: string;
}

/** The message was automatic and dropped without an answer. */
export interface IgnoredResult {
  outcome: 'ignored';
  reason: string;
}

/** The message could be neither stored nor bounced: keep it and try again later. */
export interface TempFailResult {
  outcome: 'tempfail';
  reason: string;
  error?: unknown;
}

export type GatewayResult = StoredResult | BouncedResult | IgnoredResult | TempFailResult;

/** The exit status of pipe mode for a result: 75 (EX_TEMPFAIL) when the message must stay with the mail transfer agent, else 0. */
export function exitStatusFor(result: GatewayResult): number {
  return result.outcome === 'tempfail' ? EX_TEMPFAIL : 0;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function tempfail(reason: string, error?: unknown): TempFailResult {
  debug('temporary failure: %s', reason);
  return { outcome: 'tempfail', reason, ...(error === undefined ? {} : { error }) };
}

/** The address replies go to: Resent-From (unless `keep_real_from`), else From; only one with an address part counts. */
function senderOf(mail: IncomingMail, keepRealFrom: boolean): MailAddress | null {
  const resent = keepRealFrom ? [] : headerAddresses(mail.headers, 'resent-from');
  const from = resent.length ? resent : headerAddresses(mail.headers, 'from');
  return from.find((a) => a.address.trim() !== '') ?? null;
}

class MessageRun {
  readonly mailer: Mailer;

  constructor(
    readonly tracker: Tracker,
    readonly raw: Buffer,
    readonly options: GatewayOptions,
  ) {
    this.mailer = options.mailer ?? mailerFor(tracker);
  }

  /** `[main] dispatcher_email` (or the admin's address). */
  get dispatcher(): string {
    const config = this.tracker.config;
    return (config.DISPATCHER_EMAIL as string) || (config.ADMIN_EMAIL as string);
  }

  /**
   * Sends a bounce; a failure to send becomes a temporary failure (the
   * message stays queued). An address the mailer cannot write to (a local
   * name without a domain, a non-ASCII address) gets the bounce sent to
   * the dispatcher instead, saying so.
   */
  async bounce(kind: BounceKind, reason: string, body: string, to: readonly string[], subject = BOUNCE_SUBJECT): Promise<BouncedResult | TempFailResult> {
    try {
      const recipients = await sendBounce(this.mailer, this.raw, to, body, subject);
      debug('bounced (%s) to %s: %s', kind, recipients.join(', '), reason.trim());
      return { outcome: 'bounced', kind, reason, subject, recipients };
    } catch (err) {
      if (isRupError(err, 'RUP_ERR_VALUE') && !(to.length === 1 && to[0] === this.dispatcher)) {
        const notice = `the bounce could not be addressed to ${to.join(', ')} (${err.message}); it was sent to ${this.dispatcher}`;
        const redirected = await this.bounce(kind, reason, `\nThis bounce could not be sent to ${to.join(', ')}: ${err.message}.\n${body}`, [this.dispatcher], subject);
        return redirected.outcome === 'bounced' ? { ...redirected, notice } : redirected;
      }
      return tempfail(`the message could not be stored (${reason.trim()}) and the bounce could not be sent: ${describe(err)}`, err);
    }
  }

  /** Tells the dispatcher about a message nobody can be told about (no usable From). */
  noSender(mail: IncomingMail | null): Promise<BouncedResult | TempFailResult> {
    const headers = rawHeaderBlock(this.raw);
    const reason = `Badly formed message from mail gateway: it has no sender address (From:), so it could not be\nanswered. ${mail ? 'Headers' : 'It could not be read as MIME either. Headers'}:\n${headers}`;
    return this.bounce('no-sender', reason, plainBounceText(reason), [this.dispatcher]);
  }

  /** Bounces a failure of handling, or reports it as temporary. */
  async failure(err: unknown, sender: MailAddress): Promise<BouncedResult | TempFailResult> {
    const config = this.tracker.config;
    const to = bounceRecipients(config, [sender.address]);
    if (err instanceof MailUsageHelp) return this.bounce('help', 'help requested', helpReplyText(), to, HELP_SUBJECT);
    if (err instanceof MailUsageError) return this.bounce('usage', err.message, usageBounceText(err.message), to);
    if (err instanceof Unauthorized) return this.bounce('unauthorized', err.message, plainBounceText(err.message), to);
    if (isTemporaryFailure(err)) return tempfail(describe(err), err);
    // Not expected: the sender hears that much, the admin gets the details (Roundup's handle_Message).
    const details = err instanceof Error ? (err.stack ?? err.message) : String(err);
    const result = await this.bounce('unexpected', UNEXPECTED_ERROR_TEXT, plainBounceText(UNEXPECTED_ERROR_TEXT), to);
    if (result.outcome !== 'bounced') return result;
    // The sender has the original back: a report the admin cannot be sent must not make the mail come again.
    const admin = await this.bounce('unexpected', details, [plainBounceText(UNEXPECTED_ERROR_TEXT), '----------------', details].join('\n'), [config.ADMIN_EMAIL as string]);
    return { ...result, reason: `${UNEXPECTED_ERROR_TEXT}${details}`, ...(admin.outcome === 'bounced' ? {} : { notice: admin.reason }) };
  }

  async stored(handled: HandledMessage, sender: MailAddress): Promise<StoredResult> {
    if (handled.action === 'stored') {
      const { author, classname, itemid, msgid, fileids, created } = handled;
      debug('stored in %s%s (msg %s, files %j)', classname, itemid, msgid, fileids);
      return { outcome: 'stored', action: created ? 'created' : 'updated', classname, itemid, msgid, fileids, author };
    }
    const result: StoredResult = { outcome: 'stored', action: 'registration-confirmed', classname: 'user', itemid: handled.userid, msgid: null, fileids: [], author: handled.userid };
    try {
      await sendRegistrationComplete(this.mailer, this.tracker.config, sender.address);
    } catch (err) {
      // The user exists now: failing to say so must not undo it nor make the mail come again.
      result.notice = `the registration is complete, but the confirmation could not be sent: ${describe(err)}`;
    }
    return result;
  }

  async run(): Promise<GatewayResult> {
    const config = this.tracker.config;
    if (config.PGP_ENABLE as boolean) {
      return tempfail('[pgp] enable is set, but this mail gateway cannot verify or decrypt OpenPGP mail; the message is left for a later try');
    }
    let mail: IncomingMail | null = null;
    let malformed: MalformedMailError | null = null;
    try {
      mail = await parseMail(this.raw);
    } catch (err) {
      if (!(err instanceof MalformedMailError)) return tempfail(describe(err), err);
      malformed = err;
    }
    if (mail) {
      const reason = automaticMessageReason(mail.headers, subjectOf(mail));
      if (reason) {
        debug('ignored: %s', reason);
        return { outcome: 'ignored', reason };
      }
    }
    let settings;
    try {
      settings = gatewaySettings(config, this.options);
    } catch (err) {
      return tempfail(describe(err), err);
    }
    const sender = mail ? senderOf(mail, settings.keepRealFrom) : (rawFromAddresses(this.raw).find((a) => a.address.trim() !== '') ?? null);
    if (!sender) return this.noSender(mail);
    if (!mail) {
      const reason = `\nYour message could not be read: ${malformed!.message}.\n`;
      return this.bounce('malformed', reason, plainBounceText(reason), bounceRecipients(config, [sender.address]));
    }
    try {
      const keys = () => this.options.registrationKeys ?? trackerRegistrationKeys(this.tracker);
      return await this.stored(await handleMessage(this.tracker, mail, sender, settings, keys), sender);
    } catch (err) {
      return this.failure(err, sender);
    }
  }
}

/**
 * Handles one incoming message (the bytes as received) for a loaded
 * tracker and says how it ended (see the module comment). Never throws
 * for anything about the message or the tracker's state: every failure
 * is a bounce or a temporary failure.
 */
export async function processMessage(tracker: Tracker, raw: Buffer, options: GatewayOptions = {}): Promise<GatewayResult> {
  try {
    return await new MessageRun(tracker, raw, options).run();
  } catch (err) {
    // Anything escaping the run above (a tracker closed under us, a bug) must not lose the mail.
    return tempfail(err instanceof RupError ? err.message : describe(err), err);
  }
}
