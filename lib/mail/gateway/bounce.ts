/**
 * What the gateway sends back: bounces ("Failed issue tracker
 * submission" with the reason and the original message), the help reply
 * and the registration confirmation, laid out as Roundup's
 * `Mailer.bounce_message` and `standard_message` lay them out, through
 * the tracker's mailer (so `[mail] debug` files them too).
 *
 * Who gets a bounce is `[main] error_messages_to`: `user` (the sender),
 * `dispatcher` (`[main] dispatcher_email` only) or `both`.
 *
 * One difference: Roundup attaches the original as a second text part
 * without a file name; our mailer attaches files with a name, so the
 * original travels as `original-message.txt` (text/plain, the message
 * exactly as received, its bytes read as UTF-8 or else ISO-8859-1).
 *
 * Unlike Roundup, which drops a bounce it cannot send, a failure to send
 * is raised (MailSendError): the caller then leaves the message with the
 * mail transfer agent, so it is never lost.
 */

import type { TrackerConfig } from '../../tracker/config.js';
import type { Mailer } from '../mailer.js';
import { GATEWAY_HELP } from './help-text.js';

/** The subject of a bounce (Roundup's). */
export const BOUNCE_SUBJECT = 'Failed issue tracker submission';
/** The subject of the help reply (Roundup's). */
export const HELP_SUBJECT = 'Mail Gateway Help';
/** The file name the original message is attached under. */
export const ORIGINAL_FILENAME = 'original-message.txt';

/** Roundup's text for an error it did not expect (the admin gets the details). */
export const UNEXPECTED_ERROR_TEXT = 'An unexpected error occurred during the processing\nof your message. The tracker administrator is being\nnotified.\n';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The original message as text for the bounce: UTF-8 when it is valid UTF-8, else ISO-8859-1 (every byte kept). */
function originalText(raw: Buffer): string {
  try {
    return UTF8.decode(raw);
  } catch {
    return raw.toString('latin1');
  }
}

/**
 * Who gets a bounce meant for `to`, by `[main] error_messages_to`:
 * `user`: `to`; `dispatcher`: the dispatcher only; `both`: `to` and the
 * dispatcher. Addresses are not repeated.
 */
export function bounceRecipients(config: TrackerConfig, to: readonly string[]): string[] {
  const mode = config.ERROR_MESSAGES_TO as string;
  const dispatcher = (config.DISPATCHER_EMAIL as string) || (config.ADMIN_EMAIL as string);
  const list = mode === 'dispatcher' ? [dispatcher] : mode === 'both' ? [...to, dispatcher] : [...to];
  return [...new Set(list.filter((a) => a))];
}

/** The body of a usage bounce: the reason, then the gateway's help (Roundup's layout). */
export function usageBounceText(reason: string): string {
  return ['', reason, '\n\nMail Gateway Help\n=================', GATEWAY_HELP].join('\n');
}

/** The body of a bounce without help (permission problems, unexpected errors). */
export function plainBounceText(reason: string): string {
  return ['', reason].join('\n');
}

/** The body of the reply to a `help` subject. */
export function helpReplyText(): string {
  return ['', '\n\nMail Gateway Help\n=================', GATEWAY_HELP].join('\n');
}

/**
 * Sends a bounce: `body` as the text, the original message attached.
 * `to` are bare addresses, used as given (apply {@link bounceRecipients}
 * first where the setting applies). Resolves with the recipients.
 * @throws MailSendError when the mail cannot be handed over.
 */
export async function sendBounce(mailer: Mailer, original: Buffer, to: readonly string[], body: string, subject = BOUNCE_SUBJECT): Promise<string[]> {
  await mailer.sendMail({
    to,
    subject,
    body,
    attachments: [{ filename: ORIGINAL_FILENAME, content: originalText(original), contentType: 'text/plain' }],
  });
  return [...to];
}

/**
 * Tells a user their registration is complete (Roundup sends this
 * standard message with an empty body).
 * @throws MailSendError when the mail cannot be handed over.
 */
export async function sendRegistrationComplete(mailer: Mailer, config: TrackerConfig, to: string): Promise<void> {
  await mailer.sendMail({ to: [to], subject: `Your registration to ${config.TRACKER_NAME as string} is complete`, body: '' });
}
