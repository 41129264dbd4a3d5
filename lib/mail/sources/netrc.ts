/**
 * `~/.netrc`, where roundup-mailgw finds the user name and password of a
 * network mail source when the command line gives only the server (as
 * Roundup does through Python's netrc module).
 *
 * The format: whitespace-separated tokens; `machine <host>` or `default`
 * starts an entry, followed by `login <name>`, `password <secret>` and
 * `account <x>` in any order; `macdef <name>` starts a macro that runs to
 * the next blank line and is skipped; a token starting with `#` comments
 * out the rest of its line; `"..."` quotes a token (with `\` escapes).
 * As in Python, a later entry for the same machine replaces an earlier
 * one, and `default` answers for machines not listed.
 */

import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RupError } from '../../errors.js';

/** The credentials of one netrc entry. */
export interface NetrcEntry {
  login: string;
  password: string;
  account: string;
}

/** A parsed netrc file. */
export interface Netrc {
  machines: Map<string, NetrcEntry>;
  default: NetrcEntry | null;
}

interface Token {
  text: string;
  line: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let macro = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (macro) {
      // A macro body runs up to the first empty line.
      // (i follows the newline ending the macdef line, so an empty body is a blank line right here.)
      const end = text.indexOf('\n\n', i - 1);
      line += (text.slice(i, end < 0 ? text.length : end + 2).match(/\n/g) ?? []).length;
      i = end < 0 ? text.length : end + 2;
      macro = false;
      continue;
    }
    if (ch === '\n') {
      line++;
      i++;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '#') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
      continue;
    }
    let token = '';
    const startLine = line;
    if (ch === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        if (text[i] === '\n') line++;
        token += text[i++];
      }
      i++;
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        token += text[i++];
      }
    }
    tokens.push({ text: token, line: startLine });
    if (token === 'macdef') {
      // The macro's name is on the same line; its body starts on the next one.
      const nameEnd = text.indexOf('\n', i);
      const name = text.slice(i, nameEnd < 0 ? text.length : nameEnd).trim();
      tokens.push({ text: name, line });
      i = nameEnd < 0 ? text.length : nameEnd + 1;
      line++;
      macro = true;
    }
  }
  return tokens;
}

/**
 * Parses the text of a netrc file; `file` names it in errors. A
 * malformed file is RUP_ERR_FORMAT naming the file and line.
 */
export function parseNetrc(text: string, file: string): Netrc {
  const tokens = tokenize(text);
  const result: Netrc = { machines: new Map(), default: null };
  let i = 0;
  const bad = (token: Token, why: string) => new RupError('RUP_ERR_FORMAT', `${file}, line ${token.line}: ${why}`, { location: { file, line: token.line } });
  while (i < tokens.length) {
    const head = tokens[i++]!;
    let machine: string | null = null;
    if (head.text === 'machine') {
      const name = tokens[i++];
      if (!name) throw bad(head, 'missing machine name');
      machine = name.text;
    } else if (head.text === 'macdef') {
      i++;
      continue;
    } else if (head.text !== 'default') {
      throw bad(head, `bad toplevel token "${head.text}"`);
    }
    const entry: NetrcEntry = { login: '', password: '', account: '' };
    while (i < tokens.length && !['machine', 'default', 'macdef'].includes(tokens[i]!.text)) {
      const key = tokens[i++]!;
      const value = tokens[i++];
      if (!value) throw bad(key, `missing value after "${key.text}"`);
      if (key.text === 'login' || key.text === 'user') entry.login = value.text;
      else if (key.text === 'password') entry.password = value.text;
      else if (key.text === 'account') entry.account = value.text;
      else throw bad(key, `bad follower token "${key.text}"`);
    }
    if (machine === null) result.default = entry;
    else result.machines.set(machine, entry);
  }
  return result;
}

/** The entry for `host`, else the default entry, else null (Python's `netrc.authenticators`). */
export function netrcAuthenticators(netrc: Netrc, host: string): NetrcEntry | null {
  return netrc.machines.get(host) ?? netrc.default;
}

/** `~/.netrc` of the user running us (`$HOME` first, as Python's expanduser). */
export function defaultNetrcPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.HOME || homedir(), '.netrc');
}

/**
 * Reads and parses a netrc file; null when it does not exist. Like
 * Python's netrc module, a file holding passwords must belong to the user
 * and be unreadable by others, else RUP_ERR_FILE says so (the passwords
 * in it could have been read by anyone).
 */
export function readNetrc(path: string): Netrc | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RupError('RUP_ERR_FILE', `${path}: ${(err as Error).message}`, { cause: err });
  }
  const netrc = parseNetrc(text, path);
  const entries = [...netrc.machines.values(), ...(netrc.default ? [netrc.default] : [])];
  if (process.platform !== 'win32' && entries.some((e) => e.password && e.login !== 'anonymous')) {
    const st = statSync(path);
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid) {
      throw new RupError('RUP_ERR_FILE', `${path}: the file's owner (${st.uid}) does not match the current user (${uid})`);
    }
    if (st.mode & 0o077) {
      throw new RupError('RUP_ERR_FILE', `${path}: access too permissive: access permissions must restrict access to only the owner`);
    }
  }
  return netrc;
}
