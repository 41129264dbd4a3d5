/**
 * Nosy mail throughput: follow-ups added to issues whose nosy list has
 * five other users, each follow-up one committed unit of work whose
 * reactor sends the message on:
 * - to the `[mail] debug` file;
 * - over SMTP to a local smtp-server listener, with `email_sending`
 *   single (one mail per follow-up) and multiple (one per recipient).
 * NOSY_FOLLOWUPS=n changes the count.
 */

import { performance } from 'node:perf_hooks';
import { Mailer, mailSettings } from '../lib/mail/mailer.js';
import { startSmtpServer } from '../test/mail/smtp-test-server.js';
import { type NosyTracker, nosyTracker } from '../test/mail/nosy/nosy-fixtures.js';

async function followUps(t: NosyTracker, count: number): Promise<number> {
  const issue = await t.as('admin', (db) =>
    db.getclass('issue').create({ title: 'Bench issue', nosy: [t.ids.alice, t.ids.bob, t.ids.carol, t.ids.dave] }),
  );
  const extra = await t.as('admin', (db) => db.getclass('user').create({ username: 'erin', address: 'erin@example.com', roles: 'User' }));
  await t.as('admin', async (db) => db.getclass('issue').set(issue, { nosy: [t.ids.alice, t.ids.bob, t.ids.carol, t.ids.dave, extra] }));
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    await t.as('admin', async (db) => {
      const msg = await db.getclass('msg').create({ content: `Follow-up ${i} with some text.\n`, author: '1' });
      const messages = (await db.getclass('issue').get(issue, 'messages')) as string[];
      await db.getclass('issue').set(issue, { messages: [...messages, msg] });
    });
  }
  return (performance.now() - start) / 1000;
}

async function toDebugFile(count: number): Promise<string> {
  const t = await nosyTracker();
  try {
    const seconds = await followUps(t, count);
    const mails = t.sent().length;
    return `[nosy] ${count} follow-ups to 5 nosy users, [mail] debug file: ${mails} mails in ${seconds.toFixed(1)} s: ${(count / seconds).toFixed(1)} follow-ups/s`;
  } finally {
    await t.cleanup();
  }
}

async function overSmtp(count: number, sending: 'single' | 'multiple'): Promise<string> {
  const server = await startSmtpServer();
  const t = await nosyTracker({ nosy_email_sending: sending, mail_debug: '', mail_host: '127.0.0.1', mail_port: String(server.port) });
  try {
    t.tracker.messaging.useMailer(new Mailer(mailSettings(t.tracker.config, {})));
    const seconds = await followUps(t, count);
    return `[nosy] ${count} follow-ups to 5 nosy users over SMTP (email_sending = ${sending}): ${server.received.length} mails in ${seconds.toFixed(1)} s: ${(count / seconds).toFixed(1)} follow-ups/s`;
  } finally {
    await t.cleanup();
    await server.close();
  }
}

/** Runs the measurements and returns the lines to print. */
export async function benchNosy(): Promise<string[]> {
  const count = Number(process.env.NOSY_FOLLOWUPS ?? 200);
  return [await toDebugFile(count), await overSmtp(count, 'single'), await overSmtp(count, 'multiple')];
}
