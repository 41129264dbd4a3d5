import { RupError } from '../errors.js';
import { sendErrorReport } from '../mail/admin-report.js';
import { mailerFor } from '../mail/mailer.js';
import type { Tracker } from '../tracker/tracker.js';
import { TemplateRenderError } from './render/template-set.js';

/**
 * The one place that decides what a failed request shows and logs
 * (Koa's ctx.onerror idea): every error becomes a status, a title and a
 * message for the page, and server faults are logged once with their
 * detail. A person never sees a stack trace or an internal message: for
 * 5xx errors the page says "An error has occurred", and the log has the
 * rest (for a template, `file:line: reason`).
 */

/** What an error page shows. */
export interface ErrorInfo {
  status: number;
  title: string;
  /** Safe to show: the error's own message for 4xx, a generic sentence for 5xx. */
  message: string;
}

/** Where the web layer writes what went wrong. */
export interface WebLogger {
  /** A server fault; `fault` has the error itself and where it happened (the request). */
  error(message: string, fault?: { error: unknown; where: string }): void;
  warn(message: string): void;
}

/** Writes to standard error, prefixed with the tracker's name. */
export function stderrLogger(name: string): WebLogger {
  return {
    error: (message) => process.stderr.write(`rup:web [${name}] error: ${message}\n`),
    warn: (message) => process.stderr.write(`rup:web [${name}] warning: ${message}\n`),
  };
}

/** Roundup's default_err_msg: all a user learns of a server fault. */
export const GENERIC_ERROR = 'An error has occurred';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Login required',
  403: 'Permission denied',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Request too large',
  429: 'Too many requests',
  500: 'An error has occurred',
  502: 'An error has occurred',
  503: 'Service unavailable',
};

/** The title of a status's error page. */
export function statusTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? GENERIC_ERROR : 'Bad request');
}

/** The HTTP status an error maps to: a RupError's code status, an HTTP error's status, else 500. */
export function errorStatus(err: unknown): number {
  if (err instanceof RupError) return err.status;
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

/**
 * Classifies an error for the page and logs it when it is a server fault
 * (status 500 and up): template errors as `file:line: reason`, others with
 * their stack.
 */
export function funnelError(err: unknown, logger: WebLogger, where: string): ErrorInfo {
  const status = errorStatus(err);
  if (status >= 500) {
    if (err instanceof TemplateRenderError) logger.error(`${where}: template error: ${err.message}`, { error: err, where });
    else logger.error(`${where}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, { error: err, where });
    return { status, title: statusTitle(status), message: GENERIC_ERROR };
  }
  const exposed = err instanceof RupError || (err as { expose?: unknown } | null)?.expose === true;
  const message = exposed && err instanceof Error ? err.message : statusTitle(status);
  return { status, title: statusTitle(status), message };
}

/**
 * `logger`, also mailing each server fault to `[main] admin_email`, as
 * Roundup does unless `[web] debug` is on (see lib/mail/admin-report.ts).
 * The report is sent in the background; one that cannot be sent is
 * logged as a warning.
 */
export function withAdminReports(logger: WebLogger, tracker: Tracker): WebLogger {
  return {
    warn: (message) => logger.warn(message),
    error(message, fault) {
      logger.error(message, fault);
      if (!fault || tracker.config.WEB_DEBUG === true) return;
      sendErrorReport(mailerFor(tracker), fault).catch((err: unknown) => {
        logger.warn(`the error report could not be mailed to the admin: ${err instanceof Error ? err.message : String(err)}`);
      });
    },
  };
}
