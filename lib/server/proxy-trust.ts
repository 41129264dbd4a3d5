import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { RupError } from '../errors.js';

/**
 * Which peers may speak for the client through `X-Forwarded-For`,
 * `X-Forwarded-Proto` and `X-Forwarded-Host`. From any other peer those
 * headers are removed before the request reaches a tracker, so nothing
 * downstream (the tracker's Koa app, its CSRF host check, the access log)
 * can be fooled by a client that sends them itself.
 */

const FORWARDED_HEADERS = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'] as const;

/** IPv4 peers reach a dual-stack socket as `::ffff:a.b.c.d`. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** A set of trusted proxy addresses and networks. */
export class ProxyTrust {
  private readonly list = new BlockList();
  readonly empty: boolean;

  /**
   * `entries` are addresses (`127.0.0.1`, `::1`) or networks
   * (`10.0.0.0/8`); RUP_ERR_CONFIG names the first one that is neither.
   */
  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim();
      const [address, bits] = entry.split('/');
      const family = isIP(address ?? '');
      const prefix = bits === undefined ? null : Number(bits);
      if (family === 0 || (prefix !== null && (!/^\d+$/.test(bits!) || prefix > (family === 4 ? 32 : 128)))) {
        throw new RupError('RUP_ERR_CONFIG', `"${entry}" is not an IP address or network (a.b.c.d, a.b.c.d/n, IPv6 address)`);
      }
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (prefix === null) this.list.addAddress(address!, type);
      else this.list.addSubnet(address!, prefix, type);
    }
    this.empty = entries.length === 0;
  }

  /** Whether `address` (a socket's remote address) is a trusted proxy. */
  trusts(address: string | undefined): boolean {
    if (this.empty || !address) return false;
    const plain = plainAddress(address);
    return this.list.check(plain, isIP(plain) === 4 ? 'ipv4' : 'ipv6');
  }

  /** Removes the forwarding headers of `req` unless it comes from a trusted proxy; returns whether it does. */
  screen(req: IncomingMessage): boolean {
    if (this.trusts(req.socket.remoteAddress)) return true;
    for (const name of FORWARDED_HEADERS) delete req.headers[name];
    return false;
  }
}

/** The first value of a header that may be repeated or comma-separated. */
export function firstHeaderValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  const first = text?.split(',')[0]?.trim();
  return first ? first : undefined;
}
