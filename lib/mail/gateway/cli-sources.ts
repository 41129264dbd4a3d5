/**
 * roundup-mailgw's mail sources: `mailbox <file>`, `pop`/`pops`/`apop
 * <account>` and `imap`/`imaps`/`imaps_cram`/`imaps_oauth <account>
 * [mailbox]` (see lib/mail/sources for each). Exit statuses:
 * - 0: every message was handled (stored, bounced or ignored) and removed;
 * - 75 (EX_TEMPFAIL): a message could not be handled now (or the tracker
 *   could not be opened); it and those after it stay in the source for
 *   the next run;
 * - 1: the source could not be used (a mailbox that cannot be opened or
 *   stays locked, a server that cannot be reached or refuses the login, a
 *   missing IMAP mailbox), or a password prompt was aborted; Roundup
 *   exits 1 for these too.
 */

import { isRupError } from '../../errors.js';
import { Tracker } from '../../tracker/tracker.js';
import type { BatchCounts } from '../sources/batch.js';
import { accountFromSpec } from '../sources/credentials.js';
import { type ImapLogin, defaultImapPort, handleImap } from '../sources/imap-source.js';
import { handleMailbox } from '../sources/mbox-source.js';
import { type Netrc, defaultNetrcPath, readNetrc } from '../sources/netrc.js';
import { DEFAULT_TOKEN_ENDPOINT } from '../sources/oauth-tokens.js';
import { defaultPopPort, handlePop } from '../sources/pop-source.js';
import type { Prompt } from '../sources/prompt.js';
import { PROGRAM, reportLine } from './cli-report.js';
import type { MailSource } from './cli.js';
import { EX_TEMPFAIL, type GatewayOptions, type GatewayResult } from './gateway.js';

/** What the command line asked for. */
export interface SourceRequest {
  home: string;
  source: MailSource;
  specification: string;
  /** The IMAP mailbox (the argument after the specification), '' for INBOX. */
  mailbox: string;
  /** `-O`: the OAuth token directory; `<home>/oauth` when not given. */
  oauthDirectory?: string;
  /** `-T`: the OAuth token endpoint. */
  tokenEndpoint?: string;
}

/** Where the sources write and ask. */
export interface SourceIO {
  err(text: string): void;
  prompt: Prompt;
  /** Prints the help and "Error: <message>" and gives the exit status (1). */
  usageError(message: string): number;
}

type Runner = (tracker: Tracker, report: (result: GatewayResult) => void) => Promise<{ counts: BatchCounts; stopped: boolean }>;

/** The network account of the request, with what is missing asked for; a number is the exit status to end with. */
async function networkRunner(request: SourceRequest, io: SourceIO, env: NodeJS.ProcessEnv, options: GatewayOptions): Promise<Runner | number> {
  const { source } = request;
  let netrc: Netrc | null;
  try {
    netrc = readNetrc(defaultNetrcPath(env));
  } catch (err) {
    io.err(`${PROGRAM}: ${(err as Error).message}\n`);
    return 1;
  }
  const account = accountFromSpec(request.specification, netrc);
  if (!account) return io.usageError(`${source} specification not valid`);
  const oauth = source === 'imaps_oauth';
  let { user, password } = account;
  try {
    user ||= await io.prompt.ask('User: ', false);
    if (user && !oauth) password ||= await io.prompt.ask('Password: ', true);
  } finally {
    io.prompt.close();
  }
  if (!user || (!oauth && password === null)) {
    io.err('\nAborted by user.\n');
    return 1;
  }
  const pass = password ?? '';
  if (source === 'pop' || source === 'pops' || source === 'apop') {
    const tls = source === 'pops';
    const pop = { host: account.host, port: account.port ?? defaultPopPort(tls), user, password: pass, tls, apop: source === 'apop' };
    return (tracker, report) => handlePop(tracker, pop, options, report);
  }
  const tls = source !== 'imap';
  const login: ImapLogin =
    source === 'imaps_cram'
      ? { kind: 'cram-md5', password: pass }
      : oauth
        ? { kind: 'oauth', directory: request.oauthDirectory ?? `${request.home}/oauth`, tokenEndpoint: request.tokenEndpoint ?? DEFAULT_TOKEN_ENDPOINT }
        : { kind: 'password', password: pass };
  const imap = { host: account.host, port: account.port ?? defaultImapPort(tls), user, tls, login, mailbox: request.mailbox };
  return (tracker, report) => handleImap(tracker, imap, options, report);
}

/** Runs the gateway over a mail source and returns the exit status (see the module comment). */
export async function runSource(request: SourceRequest, io: SourceIO, env: NodeJS.ProcessEnv, options: GatewayOptions): Promise<number> {
  let runner: Runner;
  if (request.source === 'mailbox') {
    runner = (tracker, report) => handleMailbox(tracker, request.specification, options, report);
  } else {
    const found = await networkRunner(request, io, env, options);
    if (typeof found === 'number') return found;
    runner = found;
  }
  let tracker: Tracker;
  try {
    tracker = await Tracker.open(request.home);
  } catch (err) {
    io.err(`${PROGRAM}: cannot open the tracker ${request.home}; the mail stays in the ${request.source} source for a later run: ${(err as Error).message}\n`);
    return EX_TEMPFAIL;
  }
  try {
    const report = (result: GatewayResult) => {
      const line = reportLine(result, 'it stays in the source for the next run');
      if (line) io.err(line);
    };
    const { stopped } = await runner(tracker, report);
    if (!stopped) return 0;
    io.err(`${PROGRAM}: stopped at a message that could not be handled now; it and the messages after it stay in the ${request.source} source for the next run\n`);
    return EX_TEMPFAIL;
  } catch (err) {
    io.err(`${PROGRAM}: ${isRupError(err) ? err.message : ((err as Error).stack ?? String(err))}\n`);
    return 1;
  } finally {
    await tracker.close().catch((err: unknown) => io.err(`${PROGRAM}: closing the tracker: ${(err as Error).message}\n`));
  }
}
