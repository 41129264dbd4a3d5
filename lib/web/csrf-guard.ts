import type { Tracker } from '../tracker/tracker.js';
import { CsrfTokens, verifyCsrf } from './csrf.js';
import type { WebLogger } from './error-funnel.js';
import type { CsrfGuard } from './web-hooks.js';

/**
 * The CSRF guard of a tracker's web interface (csrf.ts): every request is
 * judged by `verifyCsrf` against the tracker's base URL, and the forms of
 * a page get tokens bound to the request's user and session. What the
 * checks find goes to the web logger (Roundup logs refusals as errors).
 */
export function tokenCsrfGuard(tracker: Tracker, logger: WebLogger): CsrfGuard {
  const tokens = new CsrfTokens(tracker);
  return {
    async check(req) {
      const verdict = await verifyCsrf(
        tracker,
        { method: req.method, headers: req.headers, form: req.form, baseUrl: req.baseUrl, userid: req.user.userid, sessionId: req.session.id },
        (level, message) => (level === 'error' ? logger.error(message) : logger.warn(message)),
      );
      return verdict.ok ? null : { message: verdict.message, status: verdict.status };
    },
    prepare: () => tokens.prepare(),
    issue: (req, lifetimeMinutes) => tokens.issue(req.user.userid, req.session.id, lifetimeMinutes),
  };
}
