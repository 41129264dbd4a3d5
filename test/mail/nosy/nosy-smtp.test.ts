import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Mailer, MailSendError, mailSettings } from '../../../lib/mail/mailer.js';
import type { Tracker } from '../../../lib/tracker/tracker.js';
import { type GatewayTracker, fixtureMail, importedTracker } from '../gateway/gateway-fixtures.js';
import { header, splitMessage } from '../mail-helpers.js';
import { type TestSmtpServer, selfSignedCertificate, startSmtpServer } from '../smtp-test-server.js';
import { type NosyTracker, headerNames, nosyTracker, textBody } from './nosy-fixtures.js';

/*
 * Nosy mail through a real SMTP listener (the smtp-server package on
 * loopback): STARTTLS with a certificate made for the test, AUTH LOGIN,
 * the envelope, and what happens when the server is down or refuses.
 */

const SMTP_USER = { user: 'tracker', pass: 'n0sy-secret' };

/** Points a tracker's mail at the test server (no debug file), trusting the test certificate. */
function sendThrough(tracker: Tracker, server: TestSmtpServer, options: { tls?: Buffer; auth?: boolean } = {}): void {
  const config = tracker.config;
  config.set('mail', 'debug', '');
  config.set('mail', 'host', '127.0.0.1');
  config.set('mail', 'port', String(server.port));
  config.set('mail', 'local_hostname', 'tracker.example');
  config.set('mail', 'tls', options.tls ? 'yes' : 'no');
  if (options.auth) {
    config.set('mail', 'username', SMTP_USER.user);
    config.set('mail', 'password', SMTP_USER.pass);
  }
  tracker.messaging.useMailer(new Mailer(mailSettings(config, {}), options.tls ? { tls: { ca: options.tls } } : {}));
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('nosy mail over SMTP', () => {
  let server: TestSmtpServer | null = null;
  let t: NosyTracker | null = null;
  let g: GatewayTracker | null = null;

  afterEach(async () => {
    await server?.close();
    await t?.cleanup();
    await g?.cleanup();
    server = null;
    t = null;
    g = null;
  });

  it('sends a new issue, then a change, to the nosy list over STARTTLS after AUTH LOGIN, from admin_email', async function () {
    const cert = selfSignedCertificate();
    if ('missing' in cert) {
      console.log(`      skipped: ${cert.missing}`);
      this.skip();
    }
    server = await startSmtpServer({ tls: cert, auth: SMTP_USER, authMethods: ['LOGIN'] });
    t = await nosyTracker();
    sendThrough(t.tracker, server, { tls: cert.cert, auth: true });
    await t.as('alice', async (db) => {
      const msg = await db.getclass('msg').create({ content: 'The printer jams.', author: t!.ids.alice });
      await db.getclass('issue').create({ title: 'Printer on floor 3 eats paper', messages: [msg], nosy: [t!.ids.carol, t!.ids.bob] });
    });
    assert.equal(server.received.length, 1);
    const mail = server.received[0]!;
    assert.deepEqual(
      { from: mail.from, to: mail.to, secure: mail.secure, user: mail.user, authMethod: mail.authMethod, ehlo: mail.clientHostname },
      { from: 'roundup-admin@example.com', to: ['bob@example.org', 'carol@example.net'], secure: true, user: 'tracker', authMethod: 'LOGIN', ehlo: 'tracker.example' },
    );
    assert.deepEqual(headerNames(mail.text), [
      'MIME-Version', 'Content-Type', 'Reply-To', 'Message-Id', 'X-Roundup-issue-status', 'X-Roundup-issue-Id', 'Content-Transfer-Encoding',
      'Subject', 'To', 'From', 'Date', 'Precedence', 'X-Roundup-Name', 'X-Roundup-Loop', 'X-Roundup-Version',
    ]);
    assert.equal(header(mail.text, 'To'), 'bob@example.org, carol@example.net');
    assert.equal(header(mail.text, 'Subject'), '[issue1] Printer on floor 3 eats paper');
    assert.equal(header(mail.text, 'Precedence'), 'bulk');
    assert.equal(header(mail.text, 'X-Roundup-Loop'), 'hello');
    assert.equal(
      textBody(mail.text),
      [
        '',
        'New submission from Alice Adams <alice@example.com>:',
        '',
        'The printer jams.',
        '',
        '----------',
        'messages: 1',
        'nosy: alice, bob, carol',
        'status: unread',
        'title: Printer on floor 3 eats paper',
        '',
        '_________________________________________________',
        'Roundup issue tracker <issue_tracker@example.com>',
        '<http://localhost:8080/fx/issue1>',
        // DATA always ends with a line end on the wire.
        '_________________________________________________\n',
      ].join('\n'),
    );

    // A change with a new message goes to the others, with the change note.
    await t.as('bob', async (db) => {
      const msg = await db.getclass('msg').create({ content: 'Fixed the tray.', author: t!.ids.bob });
      await db.getclass('issue').set('1', { messages: ['1', msg], status: await db.getclass('status').lookup('resolved') });
    });
    assert.equal(server.received.length, 2);
    const change = server.received[1]!;
    assert.deepEqual([change.to, change.secure, change.authMethod], [['alice@example.com', 'carol@example.net'], true, 'LOGIN']);
    assert.equal(header(change.text, 'In-Reply-To'), header(mail.text, 'Message-Id'));
    assert.equal(header(change.text, 'X-Roundup-issue-status'), 'resolved');
    assert.match(textBody(change.text), /^\nBob Brown <bob@example.org> added the comment:\n\nFixed the tray.\n\n----------\nstatus: unread -> resolved\n\n_{49}\n/);
  });

  it('email_sending = multiple: one SMTP transaction per recipient, blind copies in their own', async () => {
    server = await startSmtpServer();
    t = await nosyTracker({ nosy_email_sending: 'multiple' });
    sendThrough(t.tracker, server);
    await t.as('admin', async (db) => {
      const issue = await db.getclass('issue').create({ title: 'Printer', nosy: [t!.ids.bob, t!.ids.carol] });
      const msg = await db.getclass('msg').create({ content: 'x', author: t!.ids.alice });
      await db.getclass('issue').nosymessage(issue, msg, null, { bcc: [t!.ids.dave] });
    });
    assert.deepEqual(server.received.map((m) => [m.to, header(m.text, 'To')]), [
      [['bob@example.org'], 'bob@example.org'],
      [['dave@example.com'], 'bob@example.org'],
      [['carol@example.net'], 'carol@example.net'],
    ]);
    assert.equal(new Set(server.received.map((m) => header(m.text, 'Message-Id'))).size, 1);
  });

  it('a server that cannot be reached fails the change: nothing is stored, the error says why', async () => {
    server = await startSmtpServer();
    t = await nosyTracker();
    sendThrough(t.tracker, server);
    t.tracker.config.set('mail', 'port', String(await closedPort()));
    t.tracker.messaging.useMailer(null);
    const err = await t
      .as('alice', async (db) => {
        const msg = await db.getclass('msg').create({ content: 'x', author: t!.ids.alice });
        await db.getclass('issue').create({ title: 'Lost?', messages: [msg], nosy: [t!.ids.bob] });
      })
      .then(() => null, (e: unknown) => e);
    assert.ok(err instanceof MailSendError);
    assert.equal(err.code, 'RUP_ERR_MAIL');
    assert.equal(err.temporary, true);
    assert.match(err.message, /^Error: couldn't send email: mailhost 127\.0\.0\.1: /);
    assert.deepEqual(await t.as('admin', async (db) => [await db.getclass('issue').list(), await db.getclass('msg').list()]), [[], []]);
  });

  it('a refusal (5xx) is a permanent MailSendError and also stores nothing', async () => {
    server = await startSmtpServer({ rejectWith: 554 });
    t = await nosyTracker();
    sendThrough(t.tracker, server);
    const err = await t
      .as('alice', async (db) => {
        const msg = await db.getclass('msg').create({ content: 'x', author: t!.ids.alice });
        await db.getclass('issue').create({ title: 'Refused', messages: [msg], nosy: [t!.ids.bob] });
      })
      .then(() => null, (e: unknown) => e);
    assert.ok(err instanceof MailSendError);
    assert.equal(err.temporary, false);
    assert.deepEqual(await t.as('admin', async (db) => db.getclass('issue').list()), []);
  });

  describe('through the mail gateway (processMessage)', () => {
    it('a follow-up by mail is sent on with its own Message-Id and In-Reply-To and the change from its subject', async () => {
      server = await startSmtpServer();
      g = await importedTracker();
      sendThrough(g.tracker, server);
      const result = await g.process(fixtureMail('02-followup-props.eml'));
      assert.equal(result.outcome, 'stored');
      assert.equal(server.received.length, 1);
      const mail = server.received[0]!;
      assert.deepEqual([mail.from, mail.to], ['roundup-admin@example.com', ['alice@example.com']]);
      assert.equal(header(mail.text, 'Message-Id'), '<reply-2@mua.example.org>');
      assert.equal(header(mail.text, 'In-Reply-To'), '<plain-1@mua.example.com>');
      assert.equal(header(mail.text, 'Subject'), '[issue1] Login page rejects valid password');
      assert.equal(header(mail.text, 'From'), 'Bob Brown <issue_tracker@example.com>');
      assert.equal(header(mail.text, 'X-Roundup-issue-status'), 'in-progress');
      assert.equal(header(mail.text, 'X-Roundup-issue-priority'), 'urgent');
      assert.equal(
        textBody(mail.text),
        [
          '',
          'Bob Brown <bob@example.org> added the comment:',
          '',
          'I can reproduce this.',
          '',
          'On Monday Alice wrote:',
          '> The login fails.',
          '> Every time.',
          '',
          '----------',
          'priority: critical -> urgent',
          'status: unread -> in-progress',
          '',
          '_________________________________________________',
          'Roundup issue tracker <issue_tracker@example.com>',
          '<http://tracker.example/demo/issue1>',
          '_________________________________________________\n',
        ].join('\n'),
      );
      assert.ok(result.outcome === 'stored' && result.msgid);
      const msgid = result.msgid;
      await g.read(async (db) => assert.deepEqual(await db.getclass('msg').get(msgid, 'recipients'), [await db.getclass('user').lookup('alice')]));
    });

    it('a new issue by mail with attachments is sent on with the files attached', async () => {
      server = await startSmtpServer();
      g = await importedTracker();
      sendThrough(g.tracker, server);
      const raw = Buffer.from(
        [
          'From: Carol Chen <carol@example.net>',
          'To: issue_tracker@example.com',
          'Subject: Scanner output is garbled [nosy=alice]',
          'Message-Id: <scan-1@mua.example.net>',
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="b"',
          '',
          '--b',
          'Content-Type: text/plain; charset="utf-8"',
          '',
          'See the log.',
          '--b',
          'Content-Type: text/plain; name="scan.log"',
          'Content-Disposition: attachment; filename="scan.log"',
          '',
          'page 1 ok',
          'page 2 garbled',
          '--b--',
          '',
        ].join('\n'),
      );
      const result = await g.process(raw);
      assert.equal(result.outcome, 'stored');
      assert.equal(server.received.length, 1);
      const mail = server.received[0]!;
      assert.deepEqual(mail.to, ['alice@example.com']);
      assert.equal(header(mail.text, 'Subject'), '[issue13] Scanner output is garbled');
      assert.equal(header(mail.text, 'Message-Id'), '<scan-1@mua.example.net>');
      const boundary = /^multipart\/mixed; boundary="(.+)"$/.exec(header(mail.text, 'Content-Type')!)![1]!;
      const parts = splitMessage(mail.text).body.split(`--${boundary}`).slice(1, -1).map((p) => splitMessage(p.replace(/^\n/, '').replace(/\n$/, '')));
      assert.equal(parts.length, 2);
      assert.match(textBody(`${parts[0]!.headers.map(([n, v]) => `${n}: ${v}`).join('\n')}\n\n${parts[0]!.body}`), /^\nNew submission from Carol Chen <carol@example.net>:\n\nSee the log.\n/);
      assert.deepEqual(parts[1]!.headers, [['Content-Type', 'text/plain; charset="us-ascii"'], ['MIME-Version', '1.0'], ['Content-Disposition', 'attachment;\n filename="scan.log"']]);
      assert.equal(parts[1]!.body, 'page 1 ok\npage 2 garbled');
      // Somebody who got the mail itself (To/Cc) is one of its recipients and gets no copy from the tracker.
      const cc = await g.process(Buffer.from('From: carol@example.net\nTo: issue_tracker@example.com\nCc: bob@example.org\nSubject: [issue13] more\n\nFor bob.\n'));
      assert.equal(cc.outcome, 'stored');
      assert.deepEqual(server.received.slice(1).map((m) => m.to), [['alice@example.com']]);
    });

    it('with the SMTP server down the message is not stored and the gateway asks for a retry', async () => {
      server = await startSmtpServer();
      g = await importedTracker();
      sendThrough(g.tracker, server);
      g.tracker.config.set('mail', 'port', String(await closedPort()));
      g.tracker.messaging.useMailer(null);
      const before = await g.read(async (db) => [await db.getclass('msg').list(), await db.getclass('issue').get('1', 'messages')]);
      const result = await g.process(fixtureMail('02-followup-props.eml'), { mailer: Mailer.fromConfig(g.tracker.config, {}, {}) });
      assert.equal(result.outcome, 'tempfail');
      assert.deepEqual(await g.read(async (db) => [await db.getclass('msg').list(), await db.getclass('issue').get('1', 'messages')]), before);
    });
  });
});
