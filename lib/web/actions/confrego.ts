import type { ActionOutcome, WebAction, WebRequest } from '../web-types.js';
import { addError, isUserError, renderAgain } from './action-support.js';
import { type RegistrationServices, deserialiseProps, finishRegistration, friendlierCreateError } from './registration-common.js';

/** What a key that is unknown, expired, used, or not a registration key gets. */
export const INVALID_KEY = 'Invalid One Time Key!';

/**
 * `@action=confrego&otk=<key>` (Roundup's ConfRegoAction), the link of the
 * registration mail: creates the user kept under the key, with
 * `[main] new_web_user_roles`, logs them in and greets them (see
 * finishRegistration). The key is destroyed once the user exists; when
 * the creation fails (the user auditor, or a user name taken meanwhile:
 * "Username 'x' already exists.") the message is shown and nothing is
 * stored. A GET link from a mail, so it needs neither POST nor a CSRF
 * token: the key itself is the secret.
 */
export function createConfRegoAction(services: RegistrationServices): WebAction {
  return {
    name: 'confrego',
    changesData: false,
    async run(req: WebRequest): Promise<ActionOutcome> {
      const key = (req.form.get('otk') ?? '').trim();
      const keys = services.oneTimeKeys(req);
      const record = key ? await keys.get(key) : null;
      if (!record || record.kind !== 'register' || typeof record.props !== 'object' || record.props === null) {
        addError(req, INVALID_KEY);
        return renderAgain();
      }
      const system = req.db.system();
      const stored = record.props as Record<string, unknown>;
      let userid: string;
      try {
        const props = deserialiseProps(system.schema.getClass('user'), stored);
        userid = await system.getclass('user').create({ ...props, roles: req.tracker.config.NEW_WEB_USER_ROLES as string });
        await req.db.commit();
      } catch (err) {
        await req.db.rollback();
        const shown = friendlierCreateError(err, stored.username);
        if (!isUserError(shown)) throw shown;
        addError(req, shown.message);
        return renderAgain();
      }
      await keys.take(key);
      return finishRegistration(services, req, { userid, username: stored.username as string });
    },
  };
}
