import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/*
 * A real SMTP listener on loopback for mailer tests (the smtp-server
 * package): it records every message it accepts, with its envelope, the
 * EHLO name, whether the session was secured and who logged in.
 */

/** One message the test server accepted. */
export interface ReceivedMail {
  from: string;
  to: string[];
  /** The DATA as received, CRLF line ends turned into LF. */
  text: string;
  clientHostname: string;
  secure: boolean;
  user: string | null;
  /** The AUTH mechanism the client logged in with, or null. */
  authMethod: string | null;
}

export interface TestSmtpServer {
  port: number;
  received: ReceivedMail[];
  close(): Promise<void>;
}

export interface TestSmtpOptions {
  /** Offer STARTTLS with this key and certificate. */
  tls?: { key: Buffer; cert: Buffer };
  /** Require AUTH with this user and password. */
  auth?: { user: string; pass: string };
  /** The AUTH mechanisms offered (smtp-server's default: PLAIN and LOGIN). */
  authMethods?: string[];
  /** Refuse every message with this SMTP reply code. */
  rejectWith?: number;
}

/** Starts the server on 127.0.0.1 with a free port. */
export async function startSmtpServer(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const config: SMTPServerOptions = {
    logger: false,
    disabledCommands: options.tls ? [] : ['STARTTLS'],
    authOptional: !options.auth,
    allowInsecureAuth: false,
    ...(options.authMethods ? { authMethods: options.authMethods } : {}),
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) {
        callback(null, { user: { name: auth.username, method: auth.method } });
      } else {
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (options.rejectWith) {
          callback(Object.assign(new Error(`Refused by test server`), { responseCode: options.rejectWith }));
          return;
        }
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          text: Buffer.concat(chunks).toString('utf8').replace(/\r\n/g, '\n'),
          clientHostname: session.hostNameAppearsAs,
          secure: session.secure,
          user: (session.user as { name: string } | undefined)?.name ?? null,
          authMethod: (session.user as { method: string } | undefined)?.method ?? null,
        });
        callback();
      });
    },
  };
  const server = new SMTPServer(config);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A self-signed certificate for `localhost`/127.0.0.1 made with the
 * openssl command; `{ missing: reason }` when openssl cannot make one.
 */
export function selfSignedCertificate(): { key: Buffer; cert: Buffer } | { missing: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rup-smtp-cert-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch (err) {
    return { missing: `openssl could not make a test certificate: ${(err as Error).message}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
