/**
 * The account part of roundup-mailgw's network sources,
 * `[user[:password]@]server[:port]`, read as Roundup's roundup_mailgw.py
 * reads it: the user is everything up to the first colon, the password
 * everything from there to the last `@`, the server what follows. Roundup
 * hands the server to poplib/imaplib as it is, so it knows no port; we
 * also accept `server:port` and `[ipv6]:port`, which is what a server on
 * a non-standard port needs.
 */

/** The parts of a source specification; absent parts are null. */
export interface ServerSpec {
  user: string | null;
  password: string | null;
  host: string;
  port: number | null;
}

/** Roundup's pattern: `((?P<user>[^:]+)(:(?P<pass>.+))?@)?(?P<server>.+)`, anchored at the start as re.match is. */
const SPEC = /^(?:([^:]+)(?::(.+))?@)?(.+)/;

/**
 * Splits `[user[:password]@]server[:port]`. Returns null when the
 * specification is empty or its port is not a number from 1 to 65535
 * (roundup-mailgw then prints "Error: <source> specification not valid").
 */
export function parseServerSpec(spec: string): ServerSpec | null {
  const m = SPEC.exec(spec);
  if (!m) return null;
  const hostPort = splitHostPort(m[3]!);
  if (!hostPort) return null;
  return { user: m[1] ?? null, password: m[2] ?? null, ...hostPort };
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`; a bare IPv6 address (several colons) is a host without a port. */
export function splitHostPort(server: string): { host: string; port: number | null } | null {
  let host = server;
  let port: string | null = null;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(server);
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2] ?? null;
  } else if ((server.match(/:/g) ?? []).length === 1) {
    [host, port] = server.split(':') as [string, string];
  }
  if (!host) return null;
  if (port === null) return { host, port: null };
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return null;
  return { host, port: Number(port) };
}
