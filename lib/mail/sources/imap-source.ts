/**
 * `imap`, `imaps`, `imaps_cram` and `imaps_oauth` through imapflow:
 * every message of the mailbox (INBOX unless named) not already flagged
 * \Deleted, in UID order, as Roundup handles every message of the
 * mailbox. Each is fetched with BODY.PEEK[] (its \Seen flag untouched),
 * handed to the gateway, recorded in the journal, and only then flagged
 * \Deleted; the flagged messages are expunged at the end of the run (UID
 * EXPUNGE where the server has UIDPLUS, so nothing else is expunged). A
 * run that dies leaves its handled messages flagged or journalled; the
 * next run expunges them without handling them again.
 *
 * A message's key is `<UIDVALIDITY>:<UID>`, which the server never gives
 * to another message of the mailbox.
 *
 * - `imap` talks plain IMAP (no STARTTLS, as Roundup's `imaplib.IMAP4`);
 *   the others use implicit TLS, verifying the server's certificate
 *   (NODE_EXTRA_CA_CERTS adds a private CA). Roundup's Python does not
 *   verify it; we do.
 * - `imaps_cram` logs in with CRAM-MD5 (RFC 2195), which imapflow lacks:
 *   a subclass does that one exchange through imapflow's command queue.
 * - `imaps_oauth` logs in with the access token of the token directory
 *   (XOAUTH2 or OAUTHBEARER, whichever the server offers); when the
 *   server refuses it, the token is renewed at the token endpoint and the
 *   login tried once more.
 */

import { createHmac } from 'node:crypto';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { RupError } from '../../errors.js';
import type { Tracker } from '../../tracker/tracker.js';
import type { GatewayOptions } from '../gateway/gateway.js';
import { Batch, type BatchCounts, type BatchReporter } from './batch.js';
import { type OAuthTokens, readOAuthTokens, refreshOAuthTokens } from './oauth-tokens.js';

/** How the source logs in. */
export type ImapLogin =
  | { kind: 'password'; password: string }
  | { kind: 'cram-md5'; password: string }
  | { kind: 'oauth'; directory: string; tokenEndpoint: string };

export interface ImapAccount {
  host: string;
  port: number;
  user: string;
  /** Implicit TLS (IMAPS). */
  tls: boolean;
  login: ImapLogin;
  /** The mailbox to read; INBOX when empty. */
  mailbox: string;
}

/** The default port of the source: 993 for IMAPS, else 143. */
export function defaultImapPort(tls: boolean): number {
  return tls ? 993 : 143;
}

/** The parts of imapflow 2.1.2 (pinned) that a login mechanism of its own needs; they are internal, hence not in its types. */
interface ImapFlowInternals {
  state: unknown;
  states: { NOT_AUTHENTICATED: unknown };
  authenticated: string | boolean;
  capabilities: Map<string, unknown>;
  exec(command: string, attributes: Array<{ type: string; value: string; sensitive?: boolean }>, options: { onPlusTag(response: { attributes?: Array<{ type: string; value: string }> }): Promise<void> }): Promise<{ next(): void }>;
  write(chunk: string): void;
  setAuthenticationState(): Promise<void>;
}

/** imapflow logging in with CRAM-MD5 instead of its own mechanisms. */
class CramMd5ImapFlow extends ImapFlow {
  constructor(
    options: ImapFlowOptions,
    private readonly cram: { user: string; password: string },
  ) {
    super(options);
  }

  /** Replaces imapflow's login step (called by its session start-up). */
  async authenticate(): Promise<boolean> {
    const self = this as unknown as ImapFlowInternals;
    if (self.state !== self.states.NOT_AUTHENTICATED) return true;
    if (!self.capabilities.has('AUTH=CRAM-MD5')) throw new RupError('RUP_ERR_MAIL_SOURCE', 'the IMAP server does not offer CRAM-MD5 login');
    const { user, password } = this.cram;
    try {
      const response = await self.exec('AUTHENTICATE', [{ type: 'ATOM', value: 'CRAM-MD5' }], {
        onPlusTag: async (plus) => {
          const challenge = Buffer.from(plus.attributes?.[0]?.value ?? '', 'base64');
          const digest = createHmac('md5', password).update(challenge).digest('hex');
          self.write(Buffer.from(`${user} ${digest}`).toString('base64'));
        },
      });
      response.next();
    } catch (err) {
      // Marked as imapflow marks the failures of its own mechanisms.
      (err as { authenticationFailed?: boolean }).authenticationFailed = true;
      throw err;
    }
    self.authenticated = user;
    await self.setAuthenticationState();
    return true;
  }
}

function clientFor(account: ImapAccount, accessToken?: string): ImapFlow {
  const options: ImapFlowOptions = {
    host: account.host,
    port: account.port,
    secure: account.tls,
    doSTARTTLS: false,
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: 60_000,
    greetingTimeout: 60_000,
    socketTimeout: 300_000,
    auth: accessToken !== undefined ? { user: account.user, accessToken } : { user: account.user, pass: account.login.kind === 'oauth' ? '' : account.login.password },
  };
  if (account.login.kind === 'cram-md5') return new CramMd5ImapFlow(options, { user: account.user, password: account.login.password });
  return new ImapFlow(options);
}

function isLoginRefused(err: unknown): boolean {
  return Boolean((err as { authenticationFailed?: boolean }).authenticationFailed) || (err as { serverResponseCode?: string }).serverResponseCode === 'AUTHENTICATIONFAILED';
}

function describe(err: unknown): string {
  const e = err as { message?: string; responseText?: string; code?: string };
  return [e.responseText || e.message || String(err), e.code && !String(e.message).includes(e.code) ? `(${e.code})` : ''].filter(Boolean).join(' ');
}

async function connected(client: ImapFlow, account: ImapAccount): Promise<ImapFlow> {
  // Errors of the connection after the login surface through the command that meets them.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (err) {
    client.close();
    if (isLoginRefused(err)) throw new RupError('RUP_ERR_MAIL_SOURCE', `IMAP login failure for ${account.user} at ${account.host}:${account.port}: ${describe(err)}`, { cause: err });
    throw new RupError('RUP_ERR_MAIL_SOURCE', `cannot connect to the IMAP server ${account.host}:${account.port}: ${describe(err)}`, { cause: err });
  }
}

/** Connects and logs in; for OAuth, renews the access token once if the server refuses it. */
async function login(account: ImapAccount): Promise<ImapFlow> {
  if (account.login.kind !== 'oauth') return connected(clientFor(account), account);
  const { directory, tokenEndpoint } = account.login;
  let tokens: OAuthTokens = readOAuthTokens(directory);
  try {
    return await connected(clientFor(account, tokens.accessToken), account);
  } catch (err) {
    if (!isLoginRefused((err as RupError).cause)) throw err;
  }
  tokens = await refreshOAuthTokens(directory, tokens, tokenEndpoint);
  return connected(clientFor(account, tokens.accessToken), account);
}

/**
 * Runs the gateway over the mailbox; returns the counts and whether a
 * temporary failure stopped the run. RUP_ERR_MAIL_SOURCE when the server
 * cannot be reached, refuses the login, has no such mailbox or fails
 * during the session.
 */
export async function handleImap(tracker: Tracker, account: ImapAccount, options: GatewayOptions, report: BatchReporter): Promise<{ counts: BatchCounts; stopped: boolean }> {
  const mailboxName = account.mailbox || 'INBOX';
  const client = await login(account);
  try {
    let mailbox;
    try {
      mailbox = await client.mailboxOpen(mailboxName);
    } catch (err) {
      throw new RupError('RUP_ERR_MAIL_SOURCE', `Failed to get mailbox ${JSON.stringify(mailboxName)}: ${describe(err)}`, { cause: err });
    }
    const uidValidity = String(mailbox.uidValidity);
    const batch = await Batch.start(tracker, `imap:${account.user}@${account.host}:${account.port}/${mailboxName}`, options, report);
    try {
      const remove = new Set<number>();
      // Handled by an earlier run that died before expunging them (they may be flagged \Deleted already).
      for (const key of batch.journal.keys()) {
        const [validity, uid] = key.split(':');
        if (validity === uidValidity && uid) remove.add(Number(uid));
      }
      const uids = ((await client.search({ deleted: false }, { uid: true })) || []).sort((a, b) => a - b);
      let stopped = false;
      for (const uid of uids) {
        const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
        // Expunged by someone else since the search.
        if (!message || !message.source) continue;
        if ((await batch.handle(`${uidValidity}:${uid}`, message.source)) === 'stop') {
          stopped = true;
          break;
        }
        await client.messageFlagsAdd(String(uid), ['\\Deleted'], { uid: true });
        remove.add(uid);
      }
      if (remove.size > 0) await client.messageDelete([...remove].join(','), { uid: true });
      batch.removalsApplied();
      await client.logout();
      return { counts: batch.counts, stopped };
    } finally {
      batch.close();
    }
  } finally {
    client.close();
  }
}
