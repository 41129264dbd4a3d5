/**
 * Mail the gateway must neither store nor answer, so that two automatic
 * mailers can never send each other mail forever (Roundup's
 * handle_ignore, plus RFC 3834's null sender):
 *
 * - `X-Roundup-Loop`: mail a tracker sent (ours carry `X-Roundup-Loop:
 *   hello`) coming back;
 * - `Precedence: bulk`: mailing-list software and vacation programs;
 * - `Auto-Submitted` other than `no` (RFC 3834: auto-generated,
 *   auto-replied, auto-notified);
 * - a subject containing "autoreply" (Outlook's out-of-office replies).
 *   Roundup misses the word at the very start of the subject; we do not;
 * - `Return-Path: <>`: delivery status notifications and other mail sent
 *   with the null sender, which RFC 3834 says must never be answered.
 */

import type { Headers } from 'mailparser';
import { headerAddresses, headerText } from './mime-message.js';

/**
 * Why a message is automatic and must be dropped silently, or null for a
 * message written by a person.
 */
export function automaticMessageReason(headers: Headers, subject: string): string | null {
  if ((headerText(headers, 'x-roundup-loop') ?? '').trim()) return 'it carries X-Roundup-Loop (a tracker sent it)';
  const precedence = (headerText(headers, 'precedence') ?? '').trim().toLowerCase();
  if (precedence === 'bulk') return 'it has Precedence: bulk';
  const autoSubmitted = (headerText(headers, 'auto-submitted') ?? 'no').trim().toLowerCase();
  // RFC 3834 allows a comment after the keyword: "auto-replied (vacation)".
  if (autoSubmitted && !/^no(?![\w-])/.test(autoSubmitted)) return `it has Auto-Submitted: ${autoSubmitted}`;
  if (subject.toLowerCase().includes('autoreply')) return 'its subject says it is an autoreply';
  if (headers.has('return-path')) {
    const returnPath = headerAddresses(headers, 'return-path');
    if (returnPath.every((a) => a.address === '')) return 'it was sent with the null sender (Return-Path: <>)';
  }
  return null;
}
