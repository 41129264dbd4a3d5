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
 * - With a source (`mailbox`, `pop`, `pops`, `apop`, `imap`, `imaps`,
 *   `imaps_cram`, `imaps_oauth`, with `-O`/`-T` for OAuth), every message
 *   of the source is handled and removed once handled (cli-sources.ts).
 */

import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RupError } from '../../errors.js';
import { Tracker } from '../../tracker/tracker.js';
import { PACKAGE_VERSION } from '../../util/package-info.js';
import { DEFAULT_TOKEN_ENDPOINT } from '../sources/oauth-tokens.js';
import { type Prompt, terminalPrompt } from '../sources/prompt.js';
import { PROGRAM, reportLine } from './cli-report.js';
import { EX_TEMPFAIL, type GatewayOptions, exitStatusFor, processMessage } from './gateway.js';

/** Where roundup-mailgw reads and writes. */
export interface MailgwIO {
  /** The whole of standard input (pipe mode). */
  readStdin(): Promise<Buffer>;
  out(text: string): void;
  err(text: string): void;
  /** Asks for a missing user name or password of a network source; the process's terminal when not given. */
  prompt?: Prompt;
}

/** The mail sources Roundup knows besides the pipe. */
export const MAIL_SOURCES = ['mailbox', 'pop', 'pops', 'apop', 'imap', 'imaps', 'imaps_cram', 'imaps_oauth'] as const;
export type MailSource = (typeof MAIL_SOURCES)[number];

function isMailSource(name: string): name is MailSource {
  return (MAIL_SOURCES as readonly string[]).includes(name);
}

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
 Every message of the UNIX mailbox file is handled in turn; the file is
 dot-locked meanwhile, and the messages handled are removed from it:
   mailbox /path/to/mailbox

For the network sources, the user name and password may be kept in
~/.netrc (then only the server is given); missing ones are asked for.
The server may be written server:port; TLS certificates are verified
(NODE_EXTRA_CA_CERTS names a file of extra CA certificates).

With a source, a message is removed from it only once it is stored,
bounced or ignored. Exit status 0 means every message was; 75 means one
could not be handled now and stays, with those after it, for the next
run; 1 means the source could not be used.

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
    const line = reportLine(result, 'deliver it again later');
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
  if (isMailSource(source)) {
    const usageError = (message: string) => {
      io.err(HELP);
      io.err(`\nError: ${message}\n`);
      return 1;
    };
    const request = {
      home,
      source,
      specification: args[2]!,
      mailbox: args[3] ?? '',
      ...(values['oauth-directory'] !== undefined ? { oauthDirectory: values['oauth-directory'] } : {}),
      ...(values['oauth-token-endpoint'] !== undefined ? { tokenEndpoint: values['oauth-token-endpoint'] } : {}),
    };
    // Loaded only here: pipe mode, started once per message by the MTA, does without the IMAP and POP clients.
    const { runSource } = await import('./cli-sources.js');
    return runSource(request, { err: (text) => io.err(text), prompt: io.prompt ?? terminalPrompt(), usageError }, env, options);
  }
  io.err(HELP);
  io.err('\nError: The source must be either "mailbox", "pop", "pops", "apop", "imap", "imaps",  "imaps_cram", or "imaps_oauth"\n');
  return 1;
}
