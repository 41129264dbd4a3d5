/**
 * The Generic Cell Rate Algorithm as Roundup uses it for login and API
 * rate limits (`roundup/rate_limit.py`): `count` events per `period`
 * seconds, one new event allowed every `period / count` seconds, with a
 * burst of up to `count`. The state is one number, the theoretical arrival
 * time (TAT); times are seconds since the epoch.
 */

/** A limit: `count` events per `periodSeconds`. */
export interface RateLimit {
  readonly count: number;
  readonly periodSeconds: number;
}

/** Seconds between two events at the steady rate (Roundup's `inverse`). */
export function emissionInterval(limit: RateLimit): number {
  return limit.periodSeconds / limit.count;
}

/**
 * Decides one event (Roundup's `Gcra.update`). `tat` is the stored state,
 * null when there is none yet. The event is rejected when it would push
 * the TAT more than `period - interval` into the future; a rejected event
 * leaves the state unchanged.
 */
export function gcraUpdate(tat: number | null, now: number, limit: RateLimit): { reject: boolean; tat: number | null } {
  const inverse = emissionInterval(limit);
  const current = Math.max(tat ?? now, now);
  if (current - now > limit.periodSeconds - inverse) return { reject: true, tat };
  return { reject: false, tat: current + inverse };
}

/** Python's `str(float)` for the second counts Roundup puts in headers (`59.5`, `60.0`), to the microsecond. */
function pythonFloat(value: number): string {
  const micro = Math.round(value * 1e6) / 1e6;
  return Number.isInteger(micro) ? `${micro}.0` : String(micro);
}

/**
 * The headers Roundup sends with a rate-limited answer (`Gcra.status`):
 * `X-RateLimit-Limit` (events per period), `X-RateLimit-Limit-Period`
 * (the period in whole seconds), `X-RateLimit-Remaining` (events left now),
 * `X-RateLimit-Reset` (seconds until the full allowance is back) and, when
 * the next event would be rejected, `Retry-After` (whole seconds until one
 * event is allowed again).
 */
export function gcraHeaders(tat: number | null, now: number, limit: RateLimit): Record<string, string> {
  const inverse = emissionInterval(limit);
  const t = tat ?? now;
  const remaining = Math.min(Math.trunc((limit.periodSeconds - (t - now)) / inverse), limit.count);
  const headers: Record<string, string> = {
    'X-RateLimit-Limit': String(limit.count),
    'X-RateLimit-Limit-Period': String(Math.trunc(limit.periodSeconds)),
    'X-RateLimit-Remaining': String(remaining),
    'X-RateLimit-Reset': pythonFloat(Math.max(t - now, 0)),
  };
  if (gcraUpdate(tat, now, limit).reject) headers['Retry-After'] = String(Math.trunc(inverse));
  return headers;
}
