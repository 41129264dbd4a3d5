import type { Database } from '../../hyperdb/database.js';
import type { WebUser } from '../web-types.js';

/** Roundup's message when the Anonymous role lacks "Web Access". */
export const ANONYMOUS_REFUSED = 'Anonymous users are not allowed to use the web interface';

/** What the check looks at of a request. */
export interface AccessRequest {
  /** The `@action`, or null. */
  readonly action: string | null;
  readonly classname: string | null;
  readonly template: string | null;
}

/**
 * Roundup's `check_anonymous_access`: when the anonymous user lacks "Web
 * Access", only logging in, registering and the registration page (for
 * those with "Register" on user) are allowed; everything else is refused
 * with {@link ANONYMOUS_REFUSED} (the front page with that message, 403).
 * Logged-in users are not checked here: the login checked them. Returns
 * the refusal message, or null to go on.
 */
export async function anonymousAccessRefusal(db: Database, user: WebUser, request: AccessRequest): Promise<string | null> {
  if (!user.anonymous) return null;
  const action = request.action?.toLowerCase() ?? '';
  if (action === 'login' || action === 'register') return null;
  const security = db.security;
  if (await security.hasPermission('Web Access', user.userid)) return null;
  if (request.classname === 'user' && request.template === 'register' && (await security.hasPermission('Register', user.userid, 'user'))) return null;
  return ANONYMOUS_REFUSED;
}
