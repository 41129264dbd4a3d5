import type { SessionServices } from '../session/session-services.js';
import { timestampForLifetime } from '../session/session-store.js';
import { type RateLimit, gcraHeaders, gcraUpdate } from './gcra.js';

/** A rate-limit record lives an hour after its last use (Roundup sets its timestamp to now - week + 3600). */
const RATE_RECORD_LIFETIME_SECONDS = 3600;

/** A login attempt refused for coming too fast. */
export interface LoginRateRefusal {
  /** Roundup's message: "Logins occurring too fast. Please wait: N seconds." */
  readonly message: string;
  /** Retry-After and the X-RateLimit-* headers, as Roundup computes them. */
  readonly headers: Record<string, string>;
}

/**
 * Counts a web login attempt for `username` against `[web]
 * login_attempts_min` attempts per minute (GCRA, Roundup's LoginAction):
 * every attempt counts, successful or not, and the count is kept in the
 * one-time-key store under `LOGIN-<name>`, so all processes share it.
 * Returns null when the attempt may go on (or the limit is 0, off), the
 * refusal otherwise.
 */
export async function countLoginAttempt(services: SessionServices, username: string, attemptsPerMinute: number): Promise<LoginRateRefusal | null> {
  if (attemptsPerMinute <= 0) return null;
  const limit: RateLimit = { count: attemptsPerMinute, periodSeconds: 60 };
  const now = services.now();
  let outcome: { reject: boolean; tat: number | null } = { reject: false, tat: null };
  await services.backend.otks.update(`LOGIN-${username}`, now, (current) => {
    const stored = current ? Number(current.data.tat) : NaN;
    outcome = gcraUpdate(Number.isFinite(stored) ? stored : null, now, limit);
    return { data: { tat: outcome.tat ?? now }, timestamp: timestampForLifetime(now, RATE_RECORD_LIFETIME_SECONDS) };
  });
  if (!outcome.reject) return null;
  const headers = gcraHeaders(outcome.tat, now, limit);
  return { message: `Logins occurring too fast. Please wait: ${headers['Retry-After']} seconds.`, headers };
}
