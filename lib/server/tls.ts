import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RupError } from '../errors.js';

/**
 * The key and certificate of `-s`: from the `-e` PEM file (key and
 * certificate in one file, as Roundup wants it), or a temporary
 * self-signed certificate made with the `openssl` command when no file is
 * given (Roundup makes one with pyOpenSSL and warns; we warn the same way).
 */

export interface TlsMaterial {
  key: string;
  cert: string;
}

const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;
const CERT_BLOCKS = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Reads a PEM file holding a private key and a certificate (chain); RUP_ERR_CONFIG names what is missing. */
export function readPem(file: string): TlsMaterial {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RupError('RUP_ERR_CONFIG', `Cannot read the PEM file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const key = KEY_BLOCK.exec(text)?.[0];
  const certs = text.match(CERT_BLOCKS);
  if (!key || !certs) {
    throw new RupError(
      'RUP_ERR_CONFIG',
      `The PEM file ${file} must hold both a private key (-----BEGIN PRIVATE KEY-----) and a certificate (-----BEGIN CERTIFICATE-----)`,
    );
  }
  return { key: `${key}\n`, cert: `${certs.join('\n')}\n` };
}

/** A new self-signed certificate for one year (RSA 2048, SHA-256), valid for any host name. */
export function selfSignedCertificate(): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'rup-tls-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-nodes', '-days', '365', '-keyout', keyFile, '-out', certFile, '-subj', '/O=Roundup Dummy Certificate/CN=*'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  } catch (err) {
    const detail = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    throw new RupError('RUP_ERR_CONFIG', `Cannot generate a temporary SSL certificate with openssl (give a PEM file with -e instead): ${detail}`, { cause: err });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
