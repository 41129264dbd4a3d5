/**
 * The tracker's outgoing mail: what registration, password reset, nosy
 * messages, mail gateway replies and error reports send. Built on
 * nodemailer's SMTP client, configured by the `[mail]` section as
 * Roundup's `roundup.mailer.Mailer` is:
 *
 * - `host`, `port`, `local_hostname` (the EHLO name);
 * - `tls = yes`: STARTTLS is required before anything is sent, with
 *   `tls_keyfile`/`tls_certfile` as the client certificate; `tls = no`
 *   never upgrades, as Roundup's smtplib never does unasked. Unlike
 *   Python's `starttls()`, the server certificate is verified;
 * - `username`/`password`: SMTP AUTH after STARTTLS;
 * - `charset` for headers and bodies;
 * - `debug = <file>` (or the SENDMAILDEBUG environment variable, which
 *   wins): every mail is appended to that file instead of being sent, in
 *   Roundup's debug file layout (see debug-file.ts).
 *
 * Every mail carries Roundup's headers (see compose.ts); the envelope
 * sender is `[main] admin_email` so bounces reach the admin. A failure to
 * send raises {@link MailSendError} (RUP_ERR_MAIL) with Roundup's wording,
 * "Error: couldn't send email: ...", telling whether it is temporary.
 */

import type { ConnectionOptions } from 'node:tls';
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { RupError } from '../errors.js';
import { resolveTimezone } from '../hyperdb/timezone.js';
import type { TrackerConfig } from '../tracker/config.js';
import { PACKAGE_VERSION } from '../util/package-info.js';
import { type ComposeSettings, type ComposedMail, type OutgoingMail, composeMail } from './compose.js';
import { appendDebugMail } from './debug-file.js';

export type { ComposedMail, MailAttachment, OutgoingMail } from './compose.js';

/** The `[mail]` (and related) settings the mailer works from. */
export interface MailSettings extends ComposeSettings {
  host: string;
  port: number;
  /** SMTP AUTH user; empty for none. */
  username: string;
  password: string | null;
  /** Require STARTTLS. */
  tls: boolean;
  tlsKeyfile: string | null;
  tlsCertfile: string | null;
  /** EHLO name; null to let the client work it out. */
  localHostname: string | null;
  /** Where mail goes instead of SMTP (`[mail] debug` or SENDMAILDEBUG); null to send. */
  debugFile: string | null;
}

/** Things a program embedding the mailer may set beyond config.ini. */
export interface MailerOptions {
  /** Extra TLS options for STARTTLS, e.g. `ca` for a private certificate authority. */
  tls?: ConnectionOptions;
  /** The clock (epoch ms), for the Date header and Message-Id. */
  now?: () => number;
}

/**
 * A mail that could not be handed over. `temporary` is false only when the
 * SMTP server refused it for good (a 5xx reply); connection failures and
 * 4xx replies are temporary, so the mail gateway can ask its MTA to retry
 * rather than lose the mail.
 */
export class MailSendError extends RupError {
  readonly temporary: boolean;

  constructor(message: string, temporary: boolean, cause?: unknown) {
    super('RUP_ERR_MAIL', message, { cause });
    this.name = 'MailSendError';
    this.temporary = temporary;
  }
}

/**
 * Reads the mailer's settings from a tracker's configuration. The
 * SENDMAILDEBUG variable of `env` wins over `[mail] debug`, as in Roundup.
 */
export function mailSettings(config: TrackerConfig, env: NodeJS.ProcessEnv = process.env): MailSettings {
  const zone = resolveTimezone(config.TIMEZONE as string);
  const debug = env.SENDMAILDEBUG || (config.MAIL_DEBUG as string);
  return {
    trackerName: config.TRACKER_NAME as string,
    adminEmail: config.ADMIN_EMAIL as string,
    domain: config.MAIL_DOMAIN as string,
    charset: config.MAIL_CHARSET as string,
    version: PACKAGE_VERSION,
    offsetAt: (utcMs) => zone.offsetAt(utcMs),
    host: config.MAIL_HOST as string,
    port: config.MAIL_PORT as number,
    username: config.MAIL_USERNAME as string,
    password: config.isSet('mail', 'password') ? (config.MAIL_PASSWORD as string) : null,
    tls: config.MAIL_TLS as boolean,
    tlsKeyfile: config.MAIL_TLS_KEYFILE as string | null,
    tlsCertfile: config.MAIL_TLS_CERTFILE as string | null,
    localHostname: (config.MAIL_LOCAL_HOSTNAME as string | null) || null,
    debugFile: debug || null,
  };
}

/** nodemailer error codes that mean the server could not be reached or the connection broke. */
const CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND']);

/** Roundup's MessageSendError wording for a failure of the SMTP client. */
function sendError(err: unknown, host: string): MailSendError {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const message = e.message ?? String(err);
  const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500;
  if (!e.responseCode && e.code && CONNECTION_CODES.has(e.code)) {
    return new MailSendError(`Error: couldn't send email: mailhost ${host}: ${message}`, true, err);
  }
  return new MailSendError(`Error: couldn't send email: ${message}`, !permanent, err);
}

/** Sends (or, in debug mode, files) the tracker's mail. */
export class Mailer {
  private readonly now: () => number;

  constructor(
    readonly settings: MailSettings,
    private readonly options: MailerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** A mailer for a tracker's configuration (see {@link mailSettings}). */
  static fromConfig(config: TrackerConfig, options: MailerOptions = {}, env: NodeJS.ProcessEnv = process.env): Mailer {
    return new Mailer(mailSettings(config, env), options);
  }

  /** The file mail is written to instead of being sent, or null. */
  get debugFile(): string | null {
    return this.settings.debugFile;
  }

  /** Composes a mail without sending it (throws RUP_ERR_VALUE for bad addresses or headers). */
  compose(mail: OutgoingMail): ComposedMail {
    return composeMail(mail, this.settings, this.now());
  }

  /**
   * Composes and sends a mail: appended to the debug file in debug mode,
   * else handed to the SMTP server. Resolves with the composed mail (its
   * Message-Id is what nosy messages store). Throws RUP_ERR_VALUE for a
   * mail that cannot be composed and {@link MailSendError} when sending
   * fails.
   */
  async sendMail(mail: OutgoingMail): Promise<ComposedMail> {
    const composed = this.compose(mail);
    await this.deliver(composed);
    return composed;
  }

  /** Sends an already composed mail (debug file or SMTP), as {@link sendMail} does. */
  deliver(composed: ComposedMail): Promise<void> {
    return this.deliverAll([composed]);
  }

  /**
   * Sends composed mails in order, over one SMTP connection (a nosy
   * message sent to each recipient on its own is one batch), or appends
   * them to the debug file. Throws {@link MailSendError} at the first mail
   * that cannot be handed over; the ones before it are sent.
   */
  async deliverAll(mails: readonly ComposedMail[]): Promise<void> {
    if (this.settings.debugFile) {
      for (const composed of mails) {
        try {
          await appendDebugMail(this.settings.debugFile, composed.envelope.from, composed.envelope.to, composed.text, this.now());
        } catch (err) {
          throw new MailSendError(`Error: couldn't send email: cannot write the mail debug file ${this.settings.debugFile}: ${(err as Error).message}`, true, err);
        }
      }
      return;
    }
    if (!mails.length) return;
    let transport: ReturnType<typeof nodemailer.createTransport> | null = null;
    try {
      // A pool of one connection: the mails of a batch reuse it instead of connecting again each.
      transport = nodemailer.createTransport({ ...this.transportOptions(), pool: true, maxConnections: 1, maxMessages: Infinity });
      for (const composed of mails) await transport.sendMail({ envelope: composed.envelope, raw: composed.text });
    } catch (err) {
      throw sendError(err, this.settings.host);
    } finally {
      transport?.close();
    }
  }

  private transportOptions() {
    const s = this.settings;
    const tls: ConnectionOptions = { ...this.options.tls };
    if (s.tlsCertfile) {
      // Python's load_cert_chain reads the key from the certificate file when no key file is named.
      tls.cert = readFileSync(s.tlsCertfile);
      tls.key = readFileSync(s.tlsKeyfile ?? s.tlsCertfile);
    }
    return {
      host: s.host,
      port: s.port,
      secure: false,
      requireTLS: s.tls,
      ignoreTLS: !s.tls,
      ...(s.localHostname ? { name: s.localHostname } : {}),
      ...(s.username ? { auth: { user: s.username, pass: s.password ?? '' } } : {}),
      tls,
    };
  }
}

/**
 * The mailer of a loaded tracker, from its configuration as it is now
 * (cheap to make: it only reads settings); `tracker` is anything with a
 * `config`.
 */
export function mailerFor(tracker: { config: TrackerConfig }): Mailer {
  return Mailer.fromConfig(tracker.config);
}
