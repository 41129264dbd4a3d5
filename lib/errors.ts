/**
 * The one registry of errors every layer raises. Each code has a stable
 * name (tests assert on it, not on wording) and the HTTP status a web or
 * REST frontend maps it to. Messages are written for people: they name
 * what was wrong and where (property, designator, file:line, option).
 */

export const ERROR_CODES = {
  /** A raw or typed value is not acceptable for a property. */
  RUP_ERR_VALUE: 400,
  /** A date, interval or range could not be parsed. */
  RUP_ERR_DATE: 400,
  /** A class name is unknown. */
  RUP_ERR_NO_SUCH_CLASS: 404,
  /** A property name is unknown for its class. */
  RUP_ERR_NO_SUCH_PROPERTY: 400,
  /** An item id does not exist in its class. */
  RUP_ERR_NO_SUCH_ITEM: 404,
  /** `lookup` found no active item with that key value. */
  RUP_ERR_KEY_NOT_FOUND: 404,
  /** A key value is already used by another active item. */
  RUP_ERR_DUPLICATE_KEY: 409,
  /** A designator such as `issue42` could not be split. */
  RUP_ERR_DESIGNATOR: 400,
  /** A filter specification or link expression is malformed. */
  RUP_ERR_FILTER: 400,
  /** A detector refused the change. */
  RUP_ERR_REJECT: 400,
  /** The current user lacks the permission for the operation. */
  RUP_ERR_PERMISSION: 403,
  /** A request body is larger than the configured limit. */
  RUP_ERR_TOO_LARGE: 413,
  /** The schema definition is invalid (bad class, property or link target). */
  RUP_ERR_SCHEMA: 500,
  /** A tracker plugin (schema.js, detector, extension) failed to load. */
  RUP_ERR_PLUGIN: 500,
  /** A tracker template failed to compile (at load, naming file:line) or asked for data its page did not load. */
  RUP_ERR_TEMPLATE: 500,
  /** config.ini is malformed or holds an invalid value. */
  RUP_ERR_CONFIG: 500,
  /** The storage refused or failed an operation. */
  RUP_ERR_DATABASE: 500,
  /** The database stayed locked past the configured timeout. */
  RUP_ERR_LOCKED: 503,
  /** The tracker or its database is not usable in the requested way. */
  RUP_ERR_TRACKER: 500,
  /** A file or folder outside the database (an export directory, an import file) cannot be read or written. */
  RUP_ERR_FILE: 500,
  /** A data file being read (an import CSV, a Python literal in it) is malformed; the message names the file and line. */
  RUP_ERR_FORMAT: 400,
  /** Outgoing mail could not be handed to the SMTP server (see MailSendError's `temporary`). */
  RUP_ERR_MAIL: 502,
  /** A mail source of roundup-mailgw (a mailbox file, a POP or IMAP server) could not be locked, read, logged into or cleaned up. */
  RUP_ERR_MAIL_SOURCE: 502,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where in a file an error was found, when it came from one. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
  section?: string;
  option?: string;
}

/** Base of every error the project raises on purpose. */
export class RupError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly location: ErrorLocation;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; location?: ErrorLocation } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RupError';
    this.code = code;
    this.status = ERROR_CODES[code];
    this.location = options.location ?? {};
  }
}

/**
 * Raised by an auditor to refuse a change; the whole unit of work is rolled
 * back and the message is shown to the user (HTML-escaped by the web layer).
 * Same role as Roundup's `roundup.exceptions.Reject`.
 */
export class Reject extends RupError {
  constructor(message: string) {
    super('RUP_ERR_REJECT', message);
    this.name = 'Reject';
  }
}

/** Like {@link Reject}, but the web layer shows the message unescaped. */
export class RejectRaw extends Reject {
  constructor(message: string) {
    super(message);
    this.name = 'RejectRaw';
  }
}

/** True when `err` is a {@link RupError} with the given code. */
export function isRupError(err: unknown, code?: ErrorCode): err is RupError {
  return err instanceof RupError && (code === undefined || err.code === code);
}
