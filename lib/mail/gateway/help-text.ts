/**
 * The explanation of the mail interface that follows every usage bounce
 * and answers a mail whose subject is `help` (the part of Roundup's
 * bounces under "Mail Gateway Help"). The facts are Roundup's; the
 * wording is ours.
 */

/** The help text (several paragraphs, no title). */
export const GATEWAY_HELP = `Messages sent to the tracker are read as follows.

Subject line
------------
The subject says what the message is about:

  [issue] A new problem
      creates a new issue titled "A new problem".
  [issue42] Anything
      adds the message to issue 42 (the rest becomes its new title,
      unless the tracker keeps titles).
  Re: A new problem
      a reply without a designator is added to the item whose title
      matches, or to the item holding the message it answers
      (In-Reply-To); otherwise a new item is created.

Properties are set by a list in brackets at the end of the subject,
written as in the web interface and separated by semicolons:

  [issue42] Anything [status=resolved;priority=urgent]
  [issue42] Anything [nosy=+alice;keyword=-ui]

"+" adds to a list property and "-" removes from it; without them the
list is replaced. Reply and forward markers (Re:, Fwd:, ...) and text
before the designator (a mailing list tag) are ignored.

Commands
--------
A subject that is just "help" brings this text. A reply to a
registration mail that keeps its "-- key ..." subject completes the
registration.

Body
----
The first plain text part is the message. Quoted text and signatures
may be removed, as the tracker is configured. Every other part
(documents, pictures, the HTML version of the text) is stored as a file
of the item. Mail with only HTML is turned into text when the tracker
allows it.

Addresses
---------
The sender must be a user of the tracker (by primary or alternate
address). Addresses in To and Cc are kept as recipients of the message
and may be added to the nosy list. Unknown addresses are registered as
new users only when the tracker lets anonymous users register by mail.
`;
