/**
 * The account of a network mail source, found as Roundup's
 * roundup_mailgw.py finds it: when `~/.netrc` has an entry for the whole
 * specification (or a `default` entry), its login and password are used
 * and the specification is the server; otherwise the specification is
 * read as `[user[:password]@]server[:port]` (see server-spec.ts). What is
 * still missing is asked for on the terminal (see prompt.ts).
 */

import { type Netrc, netrcAuthenticators } from './netrc.js';
import { type ServerSpec, parseServerSpec, splitHostPort } from './server-spec.js';

/**
 * The account named by `spec`, or null when the specification is not
 * valid (roundup-mailgw then says "Error: <source> specification not
 * valid"). `netrc` is the parsed `~/.netrc`, null when there is none.
 */
export function accountFromSpec(spec: string, netrc: Netrc | null): ServerSpec | null {
  const entry = netrc ? netrcAuthenticators(netrc, spec) : null;
  if (entry) {
    const server = splitHostPort(spec);
    return server ? { user: entry.login || null, password: entry.password || null, ...server } : null;
  }
  return parseServerSpec(spec);
}
