/**
 * The ways handling a message can end other than by storing it, as
 * Roundup's mail gateway names them, and the line between failures the
 * sender must hear about (bounce) and failures of our own that the mail
 * transfer agent should retry (temporary).
 */

import { RupError, isRupError } from '../../errors.js';
import { MailSendError } from '../mailer.js';

/**
 * The message cannot be used as it is (Roundup's MailUsageError): bounced
 * to the sender with the explanation and the gateway's help text.
 */
export class MailUsageError extends RupError {
  constructor(message: string, cause?: unknown) {
    super('RUP_ERR_VALUE', message, { cause });
    this.name = 'MailUsageError';
  }
}

/**
 * The sender may not do what the message asks (Roundup's Unauthorized):
 * bounced with the explanation only.
 */
export class Unauthorized extends RupError {
  constructor(message: string, cause?: unknown) {
    super('RUP_ERR_PERMISSION', message, { cause });
    this.name = 'Unauthorized';
  }
}

/** The subject asked for help (Roundup's MailUsageHelp): the help text goes back to the sender. */
export class MailUsageHelp extends Error {
  constructor() {
    super('help requested');
    this.name = 'MailUsageHelp';
  }
}

/** Errors of values and detectors that the sender should read. */
export function isValueError(err: unknown): err is Error {
  return (
    isRupError(err, 'RUP_ERR_VALUE') ||
    isRupError(err, 'RUP_ERR_REJECT') ||
    isRupError(err, 'RUP_ERR_NO_SUCH_PROPERTY') ||
    isRupError(err, 'RUP_ERR_KEY_NOT_FOUND') ||
    isRupError(err, 'RUP_ERR_DUPLICATE_KEY') ||
    isRupError(err, 'RUP_ERR_DATE') ||
    isRupError(err, 'RUP_ERR_NO_SUCH_ITEM')
  );
}

/** Node's error codes for storage and network trouble that may pass. */
const TRANSIENT_SYSTEM_CODES = new Set([
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EAGAIN',
  'EBUSY',
  'EMFILE',
  'ENFILE',
  'ENOMEM',
  'EROFS',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  while (current && chain.length < 10 && !chain.includes(current)) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/**
 * True when a failure is ours and may pass, so the message must stay with
 * the mail transfer agent to be delivered again (EX_TEMPFAIL): the
 * database locked past its timeout, unreachable or failing (disk full),
 * file content that cannot be written, a mail that cannot be handed to
 * the SMTP server for now, the tracker not loadable. Errors of the message
 * itself (bad subject, unknown property, refused by a detector, not
 * permitted) are not temporary: they are bounced.
 */
export function isTemporaryFailure(err: unknown): boolean {
  for (const e of causes(err)) {
    if (e instanceof MailSendError) return e.temporary;
    if (isRupError(e, 'RUP_ERR_LOCKED') || isRupError(e, 'RUP_ERR_DATABASE') || isRupError(e, 'RUP_ERR_CONFIG') || isRupError(e, 'RUP_ERR_PLUGIN')) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (TRANSIENT_SYSTEM_CODES.has(code) || code.startsWith('SQLITE_BUSY') || code === 'SQLITE_FULL' || code === 'SQLITE_IOERR')) return true;
    // PostgreSQL: connection exceptions, insufficient resources, operator intervention, system errors.
    if (typeof code === 'string' && /^(08|53|57|58)[0-9A-Z]{3}$/.test(code)) return true;
  }
  return false;
}
