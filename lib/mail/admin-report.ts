/**
 * Error reports to the tracker admin, as Roundup's web interface sends
 * them when a request fails and `[web] debug` is off
 * (`Client.send_html_to_admin`): a mail to `[main] admin_email`, subject
 * `Error: <exception>` (`Templating Error: <problem>` for a template),
 * with the details as text and as HTML (multipart/alternative). The user
 * only sees a generic error page.
 */

import type { Mailer } from './mailer.js';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** What went wrong, for the report. */
export interface ErrorReport {
  /** The failure (an Error gives its name, message and stack). */
  error: unknown;
  /** Where it happened: `POST /tracker/issue1`, say. */
  where: string;
}

/** The subject Roundup gives the report: `Error: <message>`, or `Templating Error: ...` for a template. */
export function reportSubject(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const kind = error instanceof Error && error.name === 'TemplateRenderError' ? 'Templating Error' : 'Error';
  return `${kind}: ${message}`;
}

function details(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const causes: string[] = [];
  let cause = error.cause;
  while (cause instanceof Error && causes.length < 5) {
    causes.push(`Caused by: ${cause.stack ?? cause.message}`);
    cause = cause.cause;
  }
  return [error.stack ?? `${error.name}: ${error.message}`, ...causes].join('\n\n');
}

/**
 * Mails the report to `[main] admin_email` through `mailer`. Throws
 * MailSendError when it cannot be handed over.
 */
export async function sendErrorReport(mailer: Mailer, report: ErrorReport): Promise<void> {
  const text = `${report.where}\n\n${details(report.error)}\n`;
  const html = `<h1>Traceback</h1>\n<p>${escapeHtml(report.where)}</p>\n<pre>${escapeHtml(details(report.error))}</pre>\n`;
  await mailer.sendMail({ to: [mailer.settings.adminEmail], subject: reportSubject(report.error), body: text, html });
}
