/**
 * A POP3 client (RFC 1939, with UIDL and APOP; POP3S as implicit TLS on
 * its own port, RFC 8314), just what roundup-mailgw's `pop`, `pops` and
 * `apop` sources need: log in, list, retrieve, delete, quit. Commands
 * are sent one at a time and answered in order.
 *
 * Deletions (DELE) take effect only when the session ends with QUIT: a
 * connection that drops before deletes nothing, which is what makes
 * removing a message after handling it safe.
 */

import { createHash } from 'node:crypto';
import { Socket, connect as netConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { RupError } from '../../errors.js';

export interface Pop3ConnectOptions {
  host: string;
  port: number;
  /** Implicit TLS (POP3S). The server's certificate is verified (NODE_EXTRA_CA_CERTS adds a private CA). */
  tls: boolean;
  /** Idle time after which the connection is given up, in ms. */
  timeoutMs?: number;
}

/** A `-ERR` answer of the server (its text in `message`). */
export class Pop3Error extends RupError {
  constructor(
    readonly command: string,
    readonly response: string,
  ) {
    super('RUP_ERR_MAIL_SOURCE', `the POP server answered ${command} with: ${response}`);
    this.name = 'Pop3Error';
  }
}

const CRLF = Buffer.from('\r\n');
const END_OF_DATA = Buffer.from('\r\n.\r\n');

/** Undoes the dot-stuffing of a multi-line answer (a line starting with "." was sent with ".." in front). */
function unstuff(data: Buffer): Buffer {
  if (data.indexOf('\n.') < 0 && data[0] !== 0x2e) return data;
  return Buffer.from(data.toString('latin1').replace(/(^|\n)\.\./g, '$1.'), 'latin1');
}

export class Pop3Client {
  private buffer: Buffer = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  private failure: Error | null = null;
  /** The greeting line (after "+OK "). */
  greeting = '';

  private constructor(private readonly socket: Socket | TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.wake();
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      this.wake();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new RupError('RUP_ERR_MAIL_SOURCE', 'the POP server closed the connection')));
    socket.on('timeout', () => {
      fail(new RupError('RUP_ERR_MAIL_SOURCE', 'the POP server did not answer in time'));
      socket.destroy();
    });
  }

  /** Connects and reads the greeting; RUP_ERR_MAIL_SOURCE when that fails. */
  static async connect(options: Pop3ConnectOptions): Promise<Pop3Client> {
    const socket = options.tls ? tlsConnect({ host: options.host, port: options.port, servername: /^[\d.:]+$/.test(options.host) ? undefined : options.host }) : netConnect({ host: options.host, port: options.port });
    socket.setTimeout(options.timeoutMs ?? 60_000);
    await new Promise<void>((resolve, reject) => {
      socket.once(options.tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    }).catch((err: Error) => {
      socket.destroy();
      throw new RupError('RUP_ERR_MAIL_SOURCE', `cannot connect to the POP server ${options.host}:${options.port}: ${err.message}`, { cause: err });
    });
    const client = new Pop3Client(socket);
    client.greeting = await client.status('(greeting)');
    return client;
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  /** Waits until `find` locates something in the buffer; returns its end offset. */
  private async until(find: () => number): Promise<number> {
    for (;;) {
      const at = find();
      if (at >= 0) return at;
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  private take(length: number, skip: number): Buffer {
    const out = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length + skip);
    return out;
  }

  /** Reads a status line; returns the text after "+OK", or throws Pop3Error for "-ERR". */
  private async status(command: string): Promise<string> {
    const end = await this.until(() => this.buffer.indexOf(CRLF));
    const line = this.take(end, 2).toString('latin1');
    if (line.startsWith('+OK')) return line.slice(3).trim();
    throw new Pop3Error(command, line.replace(/^-ERR\s*/, '') || line);
  }

  /** Reads the data of a multi-line answer up to its closing "." line. */
  private async multiline(): Promise<Buffer> {
    if (this.buffer.length < 3) await this.until(() => (this.buffer.length >= 3 ? 0 : -1));
    if (this.buffer.subarray(0, 3).equals(Buffer.from('.\r\n'))) {
      this.take(0, 3);
      return Buffer.alloc(0);
    }
    const end = await this.until(() => this.buffer.indexOf(END_OF_DATA));
    return unstuff(this.take(end + 2, 3));
  }

  private async command(line: string, shown = line): Promise<string> {
    if (this.failure) throw this.failure;
    this.socket.write(`${line}\r\n`);
    return this.status(shown);
  }

  /** The APOP timestamp of the greeting (`<...>`), or null when the server offers no APOP. */
  get apopTimestamp(): string | null {
    return /<[^<>]*@[^<>]*>/.exec(this.greeting)?.[0] ?? null;
  }

  /** USER and PASS. */
  async login(user: string, password: string): Promise<void> {
    await this.command(`USER ${user}`);
    await this.command(`PASS ${password}`, 'PASS');
  }

  /** APOP: the password is sent only as MD5(timestamp + password). */
  async apop(user: string, password: string): Promise<void> {
    const stamp = this.apopTimestamp;
    if (!stamp) throw new RupError('RUP_ERR_MAIL_SOURCE', 'the POP server does not offer APOP (its greeting has no timestamp)');
    const digest = createHash('md5').update(stamp + password, 'latin1').digest('hex');
    await this.command(`APOP ${user} ${digest}`, 'APOP');
  }

  /** The message numbers in the maildrop (LIST). */
  async list(): Promise<number[]> {
    await this.command('LIST');
    const lines = (await this.multiline()).toString('latin1').split('\r\n').filter((l) => l);
    return lines.map((l) => Number(l.split(' ')[0])).filter((n) => Number.isInteger(n) && n > 0);
  }

  /** Unique ids by message number (UIDL), or null when the server has no UIDL. */
  async uidl(): Promise<Map<number, string> | null> {
    try {
      await this.command('UIDL');
    } catch (err) {
      if (err instanceof Pop3Error) return null;
      throw err;
    }
    const ids = new Map<number, string>();
    for (const line of (await this.multiline()).toString('latin1').split('\r\n')) {
      const [n, id] = line.split(' ');
      if (n && id) ids.set(Number(n), id);
    }
    return ids;
  }

  /** The message, line ends as sent (CRLF), dot-stuffing undone. */
  async retr(n: number): Promise<Buffer> {
    await this.command(`RETR ${n}`);
    return this.multiline();
  }

  /** Marks the message for deletion when the session ends with QUIT. */
  async dele(n: number): Promise<void> {
    await this.command(`DELE ${n}`);
  }

  /** Ends the session, applying the deletions. */
  async quit(): Promise<void> {
    await this.command('QUIT');
    this.socket.end();
  }

  /** Drops the connection without QUIT (nothing is deleted). */
  close(): void {
    this.socket.destroy();
  }
}
