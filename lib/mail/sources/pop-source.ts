/**
 * `pop`, `pops` and `apop`: every message of a POP3 maildrop, in order,
 * each marked for deletion (DELE) only after the gateway is done with it
 * and the journal says so, and the deletions applied by QUIT at the end
 * (Roundup's `_do_pop` does the same, without the journal). A message's
 * key is its UIDL, or the hash of its content on a server without UIDL.
 */

import { createHash } from 'node:crypto';
import type { Tracker } from '../../tracker/tracker.js';
import type { GatewayOptions } from '../gateway/gateway.js';
import { Batch, type BatchCounts, type BatchReporter } from './batch.js';
import { Pop3Client } from './pop3-client.js';

export interface PopAccount {
  host: string;
  port: number;
  user: string;
  password: string;
  /** POP3S (implicit TLS). */
  tls: boolean;
  /** Log in with APOP instead of USER/PASS. */
  apop: boolean;
}

/** The default port of the source: 995 for POP3S, else 110. */
export function defaultPopPort(tls: boolean): number {
  return tls ? 995 : 110;
}

/**
 * Runs the gateway over the maildrop; returns the counts and whether a
 * temporary failure stopped the run. RUP_ERR_MAIL_SOURCE when the server
 * cannot be reached, refuses the login or fails during the session.
 */
export async function handlePop(tracker: Tracker, account: PopAccount, options: GatewayOptions, report: BatchReporter): Promise<{ counts: BatchCounts; stopped: boolean }> {
  const client = await Pop3Client.connect({ host: account.host, port: account.port, tls: account.tls });
  try {
    if (account.apop) await client.apop(account.user, account.password);
    else await client.login(account.user, account.password);
    const batch = await Batch.start(tracker, `pop:${account.user}@${account.host}:${account.port}`, options, report);
    try {
      const numbers = await client.list();
      const uids = await client.uidl();
      let stopped = false;
      for (const n of numbers) {
        const raw = await client.retr(n);
        const key = uids?.get(n) ?? createHash('sha256').update(raw).digest('hex');
        if ((await batch.handle(key, raw)) === 'stop') {
          stopped = true;
          break;
        }
        await client.dele(n);
      }
      await client.quit();
      batch.removalsApplied();
      return { counts: batch.counts, stopped };
    } finally {
      batch.close();
    }
  } finally {
    client.close();
  }
}
