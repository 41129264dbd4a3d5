import type { WebAction } from '../web-types.js';

/**
 * The `logout` action (Roundup's LogoutAction): the session is destroyed,
 * its cookie deleted, and the browser sent to the tracker's home page, so
 * the next page (and its CSRF tokens) belongs to the anonymous user. It
 * works from a plain link (GET), as in Roundup's templates.
 */
export const logoutAction: WebAction = {
  name: 'logout',
  changesData: false,
  async run(req) {
    await req.session.destroy();
    return { kind: 'redirect', location: req.baseUrl };
  },
};
