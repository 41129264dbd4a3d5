import type { Context } from 'koa';
import type { Authenticate } from '../web-hooks.js';
import { authenticate } from './determine-user.js';

/** Where the tracker is reached, and what the transport vouches for. */
export interface RequestAuthOptions {
  /** The tracker's base URL, ending in `/`. */
  readonly baseUrl: string;
  /** The path the tracker is mounted at, ending in `/`. */
  readonly basePath: string;
  /**
   * Variables the transport vouches for (CGI's `REMOTE_USER`), read when
   * `[web] http_auth` is on; a client can never send them.
   */
  environment?(ctx: Context): Readonly<Record<string, string | undefined>> | undefined;
}

/**
 * The web interface's own authentication (determine-user.ts): session
 * cookies, HTTP Basic, the trusted REMOTE_USER; a refused Basic login is
 * handed back as the identity's `refusal`. `complete` writes the session
 * changes and gives the `Set-Cookie` values (the new session of a login,
 * the deleted cookie of a logout or of a session that is gone).
 */
export function sessionAuthenticate(options: RequestAuthOptions): Authenticate {
  return async (ctx, tracker) => {
    const auth = await authenticate(tracker, {
      headers: ctx.headers,
      environment: options.environment?.(ctx),
      baseUrl: options.baseUrl,
      basePath: options.basePath,
    });
    return {
      user: auth.user,
      session: auth.session,
      refusal: auth.refusal,
      async complete() {
        await auth.session.save();
        return auth.session.setCookieHeaders();
      },
    };
  };
}
