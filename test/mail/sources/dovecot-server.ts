/**
 * A private Dovecot (Debian's dovecot-imapd and dovecot-pop3d) for the
 * mail source tests: the test writes its configuration into a temporary
 * folder (IMAP, IMAPS, POP3 and POP3S on free loopback ports, a
 * passwd-file user with a plaintext password so that CRAM-MD5 and APOP
 * work, maildir mail under the folder, a self-signed certificate made
 * with openssl), runs `dovecot -F -c <conf>` and stops it afterwards.
 * Dovecot runs as root, as in CI, with its internal and login processes
 * as `dovenull` and the mail user's files owned by `nobody`.
 *
 * With `oauth`, token logins (XOAUTH2, OAUTHBEARER) go through Dovecot's
 * oauth2 passdb, which asks the given introspection URL whether a token
 * is good; the password then serves the test's own PLAIN logins only.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImapFlow } from 'imapflow';

export const MAIL_USER = 'tracker';
export const MAIL_PASSWORD = 'mail-secret';
const DOVECOT = '/usr/sbin/dovecot';

/** Why a private Dovecot cannot run here, or null when it can. */
export function dovecotUnavailable(): string | null {
  if (!existsSync(DOVECOT)) return `${DOVECOT} is not installed (Debian packages dovecot-imapd, dovecot-pop3d)`;
  if (process.getuid?.() !== 0) return 'the private Dovecot is run as root (as in CI); this test run is not root';
  return null;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function uidOf(name: string): number {
  return Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
}

/** A message as the IMAP server holds it. */
export interface StoredMail {
  uid: number;
  flags: string[];
  subject: string;
}

export interface Dovecot {
  dir: string;
  imapPort: number;
  imapsPort: number;
  pop3Port: number;
  pop3sPort: number;
  /** The self-signed certificate, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** Dovecot's log so far. */
  log(): string;
  /** Puts messages into a mailbox of the mail user (IMAP APPEND). */
  deliver(messages: readonly Buffer[], mailbox?: string): Promise<void>;
  /** The messages of a mailbox of the mail user. */
  messages(mailbox?: string): Promise<StoredMail[]>;
  stop(): Promise<void>;
}

function config(dir: string, ports: { imap: number; imaps: number; pop3: number; pop3s: number }, oauth: { introspectionUrl: string } | undefined): string {
  // With OAuth, the password stays for plain logins only (the test's own deliveries); tokens go to the oauth2 passdb.
  const passwords = `passdb {\n  driver = passwd-file\n  args = ${dir}/users\n${oauth ? '  mechanisms = plain login\n' : ''}}\n`;
  const passdb = oauth ? `${passwords}passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = ${dir}/oauth2.conf.ext\n}\n` : passwords;
  return `base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = rup-test-${ports.imap}
listen = 127.0.0.1
protocols = imap pop3
default_internal_user = dovenull
default_internal_group = dovenull
default_login_user = dovenull
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
ssl = yes
ssl_cert = <${dir}/cert.pem
ssl_key = <${dir}/key.pem
disable_plaintext_auth = no
# refused logins answer at once: the tests refuse several on purpose
auth_failure_delay = 0
auth_mechanisms = ${oauth ? 'plain login xoauth2 oauthbearer' : 'plain login cram-md5 apop'}
mail_location = maildir:~/Maildir
first_valid_uid = 1
${passdb}userdb {
  driver = passwd-file
  args = ${dir}/users
}
service imap-login {
  inet_listener imap {
    port = ${ports.imap}
  }
  inet_listener imaps {
    port = ${ports.imaps}
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = ${ports.pop3}
  }
  inet_listener pop3s {
    port = ${ports.pop3s}
    ssl = yes
  }
}
`;
}

/** Starts a private Dovecot (see the module comment); the caller stops it. */
export async function startDovecot(options: { oauth?: { introspectionUrl: string } } = {}): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'rup-dovecot-'));
  execFileSync('chmod', ['755', dir]);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  const nobody = uidOf('nobody');
  const home = join(dir, 'mail', MAIL_USER);
  mkdirSync(home, { recursive: true });
  chownSync(home, nobody, nobody);
  writeFileSync(join(dir, 'users'), `${MAIL_USER}:{PLAIN}${MAIL_PASSWORD}:${nobody}:${nobody}::${home}\n`);
  if (options.oauth) {
    writeFileSync(join(dir, 'oauth2.conf.ext'), `introspection_mode = post\nintrospection_url = ${options.oauth.introspectionUrl}\nusername_attribute = username\nactive_attribute = active\nactive_value = true\n`);
  }
  const ports = { imap: await freePort(), imaps: await freePort(), pop3: await freePort(), pop3s: await freePort() };
  writeFileSync(join(dir, 'dovecot.conf'), config(dir, ports, options.oauth));
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => (existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8') : '');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Readiness, not timing: wait until every listener accepts, or Dovecot gives up.
  for (let tries = 0; ; tries++) {
    const ready = await Promise.all(Object.values(ports).map(accepts));
    if (ready.every(Boolean)) break;
    if (child.exitCode !== null || tries > 200) {
      const why = `${output}\n${log()}`;
      await stop();
      throw new Error(`dovecot did not start: ${why}`);
    }
    await sleep(100);
  }
  const client = () =>
    new ImapFlow({ host: '127.0.0.1', port: ports.imap, secure: false, doSTARTTLS: false, logger: false, auth: { user: MAIL_USER, pass: MAIL_PASSWORD } });
  return {
    dir,
    imapPort: ports.imap,
    imapsPort: ports.imaps,
    pop3Port: ports.pop3,
    pop3sPort: ports.pop3s,
    caFile: join(dir, 'cert.pem'),
    log,
    async deliver(messages, mailbox = 'INBOX') {
      const c = client();
      await c.connect();
      try {
        if (mailbox !== 'INBOX') await c.mailboxCreate(mailbox).catch(() => undefined);
        for (const raw of messages) await c.append(mailbox, raw);
      } finally {
        await c.logout();
      }
    },
    async messages(mailbox = 'INBOX') {
      const c = client();
      await c.connect();
      try {
        const opened = await c.mailboxOpen(mailbox);
        const out: StoredMail[] = [];
        if (opened.exists === 0) return out;
        for await (const m of c.fetch('1:*', { uid: true, flags: true, envelope: true })) {
          out.push({ uid: m.uid, flags: [...(m.flags ?? [])].sort(), subject: m.envelope?.subject ?? '' });
        }
        return out;
      } finally {
        await c.logout();
      }
    },
    stop,
  };
}

/**
 * One Dovecot for the enclosing `describe`: started before its tests
 * (which are skipped, with the reason, where Dovecot cannot run) and
 * stopped after them. Returns the running server.
 */
export function useDovecot(): () => Dovecot {
  let dovecot: Dovecot | undefined;
  before(async function () {
    const reason = dovecotUnavailable();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    dovecot = await startDovecot();
  });
  after(async () => {
    await dovecot?.stop();
  });
  return () => dovecot!;
}
