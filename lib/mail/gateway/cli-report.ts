/**
 * The lines roundup-mailgw writes on standard error about a handled
 * message: nothing for an ordinary outcome, a line for a temporary
 * failure, an unexpected error (bounced) or a notice worth an admin's
 * eye.
 */

import type { GatewayResult } from './gateway.js';

export const PROGRAM = 'roundup-mailgw';

/**
 * The line reporting `result`, or null. `kept` says what becomes of a
 * message that could not be handled now (pipe mode: the MTA delivers it
 * again; a mailbox source: it stays there for the next run).
 */
export function reportLine(result: GatewayResult, kept: string): string | null {
  switch (result.outcome) {
    case 'tempfail':
      return `${PROGRAM}: temporary failure, the message was not stored; ${kept}: ${result.reason}\n`;
    case 'bounced':
      if (result.kind === 'unexpected') return `${PROGRAM}: error while handling the message (bounced; the admin was sent the details): ${result.reason}\n`;
      return result.notice ? `${PROGRAM}: ${result.notice}\n` : null;
    case 'stored':
      return result.notice ? `${PROGRAM}: ${result.notice}\n` : null;
    case 'ignored':
      return null;
  }
}
