import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debugFileEntry, parseDebugFile } from '../../lib/mail/debug-file.js';
import { MailSendError, type MailSettings, Mailer, mailSettings, mailerFor } from '../../lib/mail/mailer.js';
import { PACKAGE_VERSION } from '../../lib/util/package-info.js';
import { sharedFixtures } from '../support/paths.js';
import { createTestTracker } from '../support/trackers.js';
import { decodeQuotedPrintable, header, splitMessage, testSettings } from './mail-helpers.js';
import { type TestSmtpServer, selfSignedCertificate, startSmtpServer } from './smtp-test-server.js';

const NOW = Date.UTC(2026, 10, 21, 13, 57, 38);

function settings(overrides: Partial<MailSettings> = {}): MailSettings {
  return {
    ...testSettings,
    host: '127.0.0.1',
    port: 25,
    username: '',
    password: null,
    tls: false,
    tlsKeyfile: null,
    tlsCertfile: null,
    localHostname: null,
    debugFile: null,
    ...overrides,
  };
}

/** A port on loopback that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function rejection(promise: Promise<unknown>): Promise<MailSendError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof MailSendError, `expected a MailSendError, got ${String(err)}`);
    return err;
  }
  assert.fail('sending should have failed');
}

describe('Mailer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rup-mailer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('[mail] debug file', () => {
    it('appends each mail in Roundup\'s debug layout instead of sending', async () => {
      const file = join(dir, 'mail.log');
      const mailer = new Mailer(settings({ debugFile: file, port: await closedPort() }), { now: () => NOW });
      const first = await mailer.sendMail({ to: ['alice@example.com', 'carol@example.net'], subject: 'First', body: 'one\n' });
      const second = await mailer.sendMail({ to: ['bob@example.org'], subject: 'Second', body: 'two\n' });
      const text = readFileSync(file, 'utf8');
      assert.ok(
        text.startsWith(
          'From roundup-admin@example.com Sat Nov 21 13:57:38 2026\nFROM: roundup-admin@example.com\nTO: alice@example.com, carol@example.net\nMIME-Version: 1.0\n',
        ),
        text,
      );
      assert.equal(
        text,
        debugFileEntry('roundup-admin@example.com', ['alice@example.com', 'carol@example.net'], first.text, NOW) +
          debugFileEntry('roundup-admin@example.com', ['bob@example.org'], second.text, NOW),
      );
      const mails = parseDebugFile(text);
      assert.deepEqual(mails.map((m) => [m.sender, m.recipients, header(m.message, 'Subject')]), [
        ['roundup-admin@example.com', ['alice@example.com', 'carol@example.net'], 'First'],
        ['roundup-admin@example.com', ['bob@example.org'], 'Second'],
      ]);
      assert.equal(mails[0]!.message, first.text);
    });

    it('writes entries shaped like the fixture Roundup wrote: separator, FROM/TO lines, the same standard headers', async () => {
      const file = join(dir, 'mail.log');
      await new Mailer(settings({ debugFile: file }), { now: () => NOW }).sendMail({ to: ['bob@example.org'], subject: '[issue2] x', body: 'b\n' });
      const ours = readFileSync(file, 'utf8');
      const fixture = readFileSync(join(sharedFixtures, 'roundup-nosy-mail.mbox'), 'utf8');
      const shape = (text: string) =>
        text
          .split('\n')
          .slice(0, 3)
          .map((line) => line.replace(/^From \S+ \w{3} \w{3} \d\d \d\d:\d\d:\d\d \d{4}$/, 'From <sender> <date>').replace(/^(FROM|TO): .*$/, '$1: <addresses>'));
      assert.deepEqual(shape(ours), ['From <sender> <date>', 'FROM: <addresses>', 'TO: <addresses>']);
      assert.deepEqual(shape(fixture), shape(ours));
      const standard = ['MIME-Version', 'Content-Type', 'Content-Transfer-Encoding', 'Subject', 'To', 'From', 'Date', 'Precedence', 'X-Roundup-Name', 'X-Roundup-Loop', 'X-Roundup-Version'];
      const fixtureMail = parseDebugFile(fixture)[0]!;
      const ourMail = parseDebugFile(ours)[0]!;
      const names = (m: string) => splitMessage(m).headers.map(([n]) => n).filter((n) => standard.includes(n));
      assert.deepEqual(names(ourMail.message), names(fixtureMail.message));
      assert.equal(parseDebugFile(fixture).length, 15);
      assert.ok(ours.endsWith('\n\n'));
    });

    it('SENDMAILDEBUG wins over [mail] debug, as in Roundup', async () => {
      const t = await createTestTracker({ settings: { mail_debug: 'from-config.log' } });
      try {
        assert.equal(mailSettings(t.tracker.config, {}).debugFile, join(t.home, 'from-config.log'));
        assert.equal(mailSettings(t.tracker.config, { SENDMAILDEBUG: join(dir, 'env.log') }).debugFile, join(dir, 'env.log'));
        assert.equal(mailSettings(t.tracker.config, { SENDMAILDEBUG: '' }).debugFile, join(t.home, 'from-config.log'));
      } finally {
        await t.cleanup();
      }
    });

    it('reports a debug file it cannot write as a MailSendError', async () => {
      const err = await rejection(new Mailer(settings({ debugFile: join(dir, 'missing', 'mail.log') })).sendMail({ to: ['a@example.com'], subject: 's', body: 'b' }));
      assert.equal(err.code, 'RUP_ERR_MAIL');
      assert.match(err.message, /^Error: couldn't send email: cannot write the mail debug file .*missing\/mail\.log: ENOENT/);
    });
  });

  it('reads every [mail] option it uses from the tracker configuration', async () => {
    const t = await createTestTracker({
      settings: {
        mail_debug: '',
        mail_host: 'smtp.example.net',
        mail_port: '2525',
        mail_username: 'tracker',
        mail_password: 'secret',
        mail_tls: 'yes',
        mail_tls_keyfile: 'key.pem',
        mail_tls_certfile: 'cert.pem',
        mail_local_hostname: 'tracker.example.net',
        mail_charset: 'iso-8859-1',
        tracker_name: 'Bugs',
        admin_email: 'boss',
        timezone: 'Europe/Warsaw',
      },
    });
    try {
      const s = mailSettings(t.tracker.config, {});
      assert.deepEqual(
        { ...s, offsetAt: undefined },
        {
          trackerName: 'Bugs',
          adminEmail: 'boss@example.com',
          domain: 'example.com',
          charset: 'iso-8859-1',
          version: PACKAGE_VERSION,
          offsetAt: undefined,
          host: 'smtp.example.net',
          port: 2525,
          username: 'tracker',
          password: 'secret',
          tls: true,
          tlsKeyfile: join(t.home, 'key.pem'),
          tlsCertfile: join(t.home, 'cert.pem'),
          localHostname: 'tracker.example.net',
          debugFile: null,
        },
      );
      assert.equal(s.offsetAt(Date.UTC(2026, 0, 15)), 60);
      assert.equal(s.offsetAt(Date.UTC(2026, 6, 15)), 120);
      assert.equal(mailerFor(t.tracker).settings.host, 'smtp.example.net');
      t.tracker.config.MAIL_HOST = 'relay.example.net';
      assert.equal(mailerFor(t.tracker).settings.host, 'relay.example.net', 'a mailer follows the configuration as it is now');
    } finally {
      await t.cleanup();
    }
  });

  describe('over SMTP', () => {
    let server: TestSmtpServer | null = null;
    afterEach(async () => {
      await server?.close();
      server = null;
    });

    it('hands the message to the SMTP server with admin_email as envelope sender and the configured EHLO name', async () => {
      server = await startSmtpServer();
      const mailer = new Mailer(settings({ port: server.port, localHostname: 'tracker.example.net' }), { now: () => NOW });
      const sent = await mailer.sendMail({
        to: ['alice@example.com'],
        cc: ['carol@example.net'],
        bcc: ['hidden@example.org'],
        subject: 'Grüße from the tracker',
        body: 'Line one\n.\nFrom the start\n',
        headers: { 'Reply-To': 'Roundup issue tracker <issue_tracker@example.com>' },
      });
      assert.equal(server.received.length, 1);
      const got = server.received[0]!;
      assert.equal(got.from, 'roundup-admin@example.com');
      assert.deepEqual(got.to, ['alice@example.com', 'carol@example.net', 'hidden@example.org']);
      assert.equal(got.clientHostname, 'tracker.example.net');
      assert.equal(got.secure, false);
      assert.equal(got.text, sent.text);
      assert.equal(header(got.text, 'Message-Id'), sent.messageId);
      assert.equal(header(got.text, 'Reply-To'), 'Roundup issue tracker <issue_tracker@example.com>');
      assert.equal(header(got.text, 'Precedence'), 'bulk');
      assert.equal(header(got.text, 'X-Roundup-Loop'), 'hello');
      assert.equal(header(got.text, 'Bcc'), undefined);
      assert.equal(decodeQuotedPrintable(splitMessage(got.text).body).toString('utf8'), 'Line one\n.\nFrom the start\n');
    });

    it('does not upgrade to TLS when [mail] tls is off, even if the server offers it', async function () {
      const cert = selfSignedCertificate();
      if ('missing' in cert) {
        console.log(`      skipped: ${cert.missing}`);
        this.skip();
      }
      server = await startSmtpServer({ tls: cert });
      await new Mailer(settings({ port: server.port })).sendMail({ to: ['a@example.com'], subject: 's', body: 'b' });
      assert.equal(server.received[0]!.secure, false);
    });

    it('uses STARTTLS and then logs in when [mail] tls and username are set', async function () {
      const cert = selfSignedCertificate();
      if ('missing' in cert) {
        console.log(`      skipped: ${cert.missing}`);
        this.skip();
      }
      server = await startSmtpServer({ tls: cert, auth: { user: 'tracker', pass: 's3cret' } });
      const mailer = new Mailer(settings({ port: server.port, host: 'localhost', tls: true, username: 'tracker', password: 's3cret' }), { tls: { ca: cert.cert } });
      await mailer.sendMail({ to: ['a@example.com'], subject: 'Secure', body: 'b' });
      assert.equal(server.received.length, 1);
      assert.equal(server.received[0]!.secure, true);
      assert.equal(server.received[0]!.user, 'tracker');
    });

    it('refuses an untrusted server certificate with a temporary MailSendError', async function () {
      const cert = selfSignedCertificate();
      if ('missing' in cert) {
        console.log(`      skipped: ${cert.missing}`);
        this.skip();
      }
      server = await startSmtpServer({ tls: cert });
      const err = await rejection(new Mailer(settings({ port: server.port, host: 'localhost', tls: true })).sendMail({ to: ['a@example.com'], subject: 's', body: 'b' }));
      assert.match(err.message, /^Error: couldn't send email: .*self-signed certificate/);
      assert.equal(server.received.length, 0);
    });

    it('fails when [mail] tls is on and the server does not offer STARTTLS', async () => {
      server = await startSmtpServer();
      const err = await rejection(new Mailer(settings({ port: server.port, tls: true })).sendMail({ to: ['a@example.com'], subject: 's', body: 'b' }));
      assert.equal(err.code, 'RUP_ERR_MAIL');
      assert.match(err.message, /^Error: couldn't send email: .*STARTTLS/);
      assert.equal(server.received.length, 0);
    });

    it('reports a refused login as a permanent failure', async function () {
      const cert = selfSignedCertificate();
      if ('missing' in cert) {
        console.log(`      skipped: ${cert.missing}`);
        this.skip();
      }
      server = await startSmtpServer({ tls: cert, auth: { user: 'tracker', pass: 's3cret' } });
      const mailer = new Mailer(settings({ port: server.port, host: 'localhost', tls: true, username: 'tracker', password: 'wrong' }), { tls: { ca: cert.cert } });
      const err = await rejection(mailer.sendMail({ to: ['a@example.com'], subject: 's', body: 'b' }));
      assert.equal(err.temporary, false);
      assert.match(err.message, /^Error: couldn't send email: .*535/);
      assert.equal(server.received.length, 0);
    });

    it('tells a temporary refusal (4xx) from a permanent one (5xx)', async () => {
      server = await startSmtpServer({ rejectWith: 451 });
      const temporary = await rejection(new Mailer(settings({ port: server.port })).sendMail({ to: ['a@example.com'], subject: 's', body: 'b' }));
      assert.equal(temporary.temporary, true);
      assert.match(temporary.message, /^Error: couldn't send email: .*451 Refused by test server/);
      await server.close();
      server = await startSmtpServer({ rejectWith: 554 });
      const permanent = await rejection(new Mailer(settings({ port: server.port })).sendMail({ to: ['a@example.com'], subject: 's', body: 'b' }));
      assert.equal(permanent.temporary, false);
      assert.match(permanent.message, /^Error: couldn't send email: .*554 Refused by test server/);
    });

    it('reports an SMTP server that is down as a temporary failure naming the mail host', async () => {
      const err = await rejection(new Mailer(settings({ port: await closedPort() })).sendMail({ to: ['a@example.com'], subject: 's', body: 'b' }));
      assert.equal(err.code, 'RUP_ERR_MAIL');
      assert.equal(err.status, 502);
      assert.equal(err.temporary, true);
      assert.match(err.message, /^Error: couldn't send email: mailhost 127\.0\.0\.1: .*ECONNREFUSED/);
    });

    it('reports unreadable TLS certificate files as a MailSendError', async () => {
      server = await startSmtpServer();
      const err = await rejection(new Mailer(settings({ port: server.port, tls: true, tlsCertfile: join(dir, 'missing.pem') })).sendMail({ to: ['a@example.com'], subject: 's', body: 'b' }));
      assert.match(err.message, /^Error: couldn't send email: ENOENT/);
    });

    it('refuses a mail with a bad recipient before connecting', async () => {
      server = await startSmtpServer();
      await assert.rejects(new Mailer(settings({ port: server.port })).sendMail({ to: ['x@example.com\nRCPT TO:<y@example.com>'], subject: 's', body: 'b' }), {
        code: 'RUP_ERR_VALUE',
      });
      assert.equal(server.received.length, 0);
    });
  });
});
