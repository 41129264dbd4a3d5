/**
 * roundup-mailgw: `roundup-mailgw [options] [tracker_home [source spec
 * [mailbox]]]`, with Roundup's options, messages and exit statuses, and
 * the exit codes mail transfer agents understand.
 *
 * - Without a source, one message is read from standard input (pipe
 *   mode, what an MTA alias such as `|roundup-mailgw /path/to/tracker`
 *   runs). The exit status is 0 when the message was stored, bounced or
 *   ignored as automatic, and 75 (EX_TEMPFAIL) when it could be neither
 *   stored nor bounced, so the MTA keeps it and delivers it again later.
 *   A tracker that cannot be opened (locked or unreachable database,
 *   broken configuration) is such a case too.
 * - Without a tracker home, `ROUNDUP_INSTANCE` names it; a home that is
 *   not a directory prints the help and "Error: The instance home must be
 *   specified" (exit 1).
 * - `-c/--default-class` overrides `[mailgw] default_class`; `-S/--set-value
 *   '[class.]prop=value[;...]'` (repeatable) gives extra values (see
 *   class-arguments.ts); `-v/--version` prints the version.
 * - The other sources (`mailbox`, `pop`, `pops`, `apop`, `imap`, `imaps`,
 *   `imaps_cram`, `imaps_oauth`, with `-O`/`-T` for OAuth) are recognised
 *   but NOT IMPLEMENTED YET: they print so and exit 1. The mailbox-source
 *   work of issue 6 fills them in on top of `processMessage`.
 */

import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RupError } from '../../errors.js';
import { Tracker } from '../../tracker/tracker.js';
import { PACKAGE_VERSION } from '../../util/package-info.js';
import { EX_TEMPFAIL, type GatewayOptions, type GatewayResult, exitStatusFor, processMessage } from './gateway.js';

/** Where roundup-mailgw reads and writes. */
export interface MailgwIO {
  /** The whole of standard input (pipe mode). */
  readStdin(): Promise<Buffer>;
  out(text: string): void;
  err(text: string): void;
}

const PROGRAM = 'roundup-mailgw';

/** The mail sources Roundup knows besides the pipe. */
export const MAIL_SOURCES = ['mailbox', 'pop', 'pops', 'apop', 'imap', 'imaps', 'imaps_cram', 'imaps_oauth'] as const;

const DEFAULT_TOKEN_ENDPOINT = 'https://login.microsoftonline.com/organizations/oauth2/v2.0/token';

const USAGE = `usage: ${PROGRAM} [-h] [-v] [-c DEFAULT_CLASS] [-O OAUTH_DIRECTORY] [-S SET_VALUE]
                      [-T OAUTH_TOKEN_ENDPOINT]
                      [args ...]
`;

const HELP = `${USAGE}
positional arguments:
  args

options:
  -h, --help            show this help message and exit
  -v, --version         print version and exit
  -c DEFAULT_CLASS, --default-class DEFAULT_CLASS
                        Default class of item to create (else the tracker's
                        MAILGW_DEFAULT_CLASS)
  -O OAUTH_DIRECTORY, --oauth-directory OAUTH_DIRECTORY
                        Directory with OAUTH credentials, default "oauth" in
                        tracker home
  -S SET_VALUE, --set-value SET_VALUE
                        Set additional properties on some classes
  -T OAUTH_TOKEN_ENDPOINT, --oauth-token-endpoint OAUTH_TOKEN_ENDPOINT
                        OAUTH token endpoint for access_token renew,
                        default=${DEFAULT_TOKEN_ENDPOINT}

The mail gateway is called in one of these ways:
 . without arguments: the tracker home is taken from the environment
   variable ROUNDUP_INSTANCE;
 . with a tracker home only: one message is read from standard input;
 . with a tracker home and "mailbox /path/to/mbox";
 . with a tracker home, a mail source type and its specification.

-S (--set-value) sets properties of what the gateway creates, written
[class.]property=value[;property=value], the class being msg (the
default), file, user or issue (the class the message goes to), and the
values written as in a subject's [property=value] list. Give the class
once, before the first property.

PIPE:
 Without a mail source, a single message is read from standard input.
 Exit status 0 means it was stored, bounced or ignored as automatic; 75
 (EX_TEMPFAIL) means it could not be handled now and should be delivered
 again later.

Mail source "mailbox":
 Every message of the UNIX mailbox file is handled in turn, and the file
 is emptied once all are handled:
   mailbox /path/to/mailbox

For the network sources, the user name and password may be kept in
~/.netrc (then only the server is given); missing ones are asked for.

POP:     pop username:password@server   (also pop username@server, pop server)
POPS:    the same over TLS
APOP:    apop username:password@server  (authenticated POP)
IMAP:    imap username:password@server [mailbox]   (INBOX by default)
IMAPS:   imaps username:password@server [mailbox]  (over TLS)
IMAPS_CRAM:  imaps_cram username:password@server [mailbox]  (CRAM-MD5)
IMAPS_OAUTH: imaps_oauth username@server [mailbox]
 OAuth over TLS: no password; the directory given with -O (default
 "oauth" in the tracker home) holds the files access_token,
 refresh_token, client_secret and client_id. The access token is renewed
 with the refresh token at the -T endpoint and rewritten, so both token
 files must be writable.
`;

function argparseError(io: MailgwIO, message: string): number {
  io.err(`${USAGE}${PROGRAM}: error: ${message}\n`);
  return 2;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The line reporting a result on standard error, or null for an ordinary outcome. */
function report(result: GatewayResult): string | null {
  switch (result.outcome) {
    case 'tempfail':
      return `${PROGRAM}: temporary failure, the message was not stored; deliver it again later: ${result.reason}\n`;
    case 'bounced':
      if (result.kind === 'unexpected') return `${PROGRAM}: error while handling the message (bounced; the admin was sent the details): ${result.reason}\n`;
      return result.notice ? `${PROGRAM}: ${result.notice}\n` : null;
    case 'stored':
      return result.notice ? `${PROGRAM}: ${result.notice}\n` : null;
    case 'ignored':
      return null;
  }
}

/** Pipe mode: one message from standard input. */
async function pipe(home: string, io: MailgwIO, options: GatewayOptions): Promise<number> {
  const raw = await io.readStdin();
  let tracker: Tracker;
  try {
    tracker = await Tracker.open(home);
  } catch (err) {
    io.err(`${PROGRAM}: cannot open the tracker ${home}; deliver the message again later: ${(err as Error).message}\n`);
    return EX_TEMPFAIL;
  }
  try {
    const result = await processMessage(tracker, raw, options);
    const line = report(result);
    if (line) io.err(line);
    return exitStatusFor(result);
  } finally {
    await tracker.close().catch((err: unknown) => io.err(`${PROGRAM}: closing the tracker: ${(err as Error).message}\n`));
  }
}

/**
 * Runs roundup-mailgw and returns its exit status (see the module
 * comment). `argv` is without the program name; `env` supplies
 * ROUNDUP_INSTANCE.
 */
export async function main(argv: readonly string[], io: MailgwIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        'default-class': { type: 'string', short: 'c' },
        'oauth-directory': { type: 'string', short: 'O' },
        'set-value': { type: 'string', short: 'S', multiple: true },
        'oauth-token-endpoint': { type: 'string', short: 'T' },
      },
    });
  } catch (err) {
    const e = err as { code?: string; message: string };
    const option = /'(-[^']*?)(?:,|')/.exec(e.message)?.[1] ?? '';
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const long = /--[\w-]+/.exec(e.message)?.[0];
      return argparseError(io, `argument ${option}${long && long !== option ? `/${long}` : ''}: expected one argument`);
    }
    return argparseError(io, `unrecognized arguments: ${option || e.message}`);
  }
  const values = parsed.values;
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  if (values.version) {
    io.out(`${PACKAGE_VERSION} (node ${process.versions.node})\n`);
    return 0;
  }
  const args = parsed.positionals;
  const home = args[0] ?? env.ROUNDUP_INSTANCE ?? '';
  if (!home || !isDirectory(home)) {
    io.err(HELP);
    io.err('\nError: The instance home must be specified\n');
    return 1;
  }
  const options: GatewayOptions = {
    ...(values['default-class'] !== undefined ? { defaultClass: values['default-class'] } : {}),
    setValues: values['set-value'] ?? [],
  };
  if (args.length <= 1) {
    try {
      return await pipe(home, io, options);
    } catch (err) {
      // Reading standard input or something unforeseen failed: the MTA must keep the message.
      io.err(`${PROGRAM}: ${err instanceof RupError ? err.message : ((err as Error).stack ?? String(err))}\n`);
      return EX_TEMPFAIL;
    }
  }
  if (args.length < 3) {
    io.err(HELP);
    io.err('\nError: not enough source specification information\n');
    return 1;
  }
  const source = args[1]!;
  if ((MAIL_SOURCES as readonly string[]).includes(source)) {
    // NOT IMPLEMENTED YET: the mailbox, POP and IMAP sources are the next part of issue 6.
    io.err(`${PROGRAM}: the "${source}" mail source is not implemented yet; only pipe mode (a message on standard input) works so far\n`);
    return 1;
  }
  io.err(HELP);
  io.err('\nError: The source must be either "mailbox", "pop", "pops", "apop", "imap", "imaps",  "imaps_cram", or "imaps_oauth"\n');
  return 1;
}
