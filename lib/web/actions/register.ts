import { RupError, isRupError } from '../../errors.js';
import type { HyperValue } from '../../hyperdb/values.js';
import { MailSendError } from '../../mail/mailer.js';
import { FormError } from '../form/form-error.js';
import { type FormItem, type ParsedForm, parseForm } from '../form/parse-form.js';
import type { ActionOutcome, WebAction, WebRequest } from '../web-types.js';
import { addError, isUserError, renderAgain, requirePost } from './action-support.js';
import { timestampProblem } from './form-timestamp.js';
import {
  KEY_LIFETIME_SECONDS,
  type RegistrationRecord,
  type RegistrationServices,
  finishRegistration,
  friendlierCreateError,
  mailerOf,
  serialiseProps,
} from './registration-common.js';

/** The hidden field holding the time the registration form was made. */
const TIMESTAMP_FIELD = 'opaqueregister';

/**
 * The new user's properties from a parsed registration form. Only the
 * form's own (context) user may be described: Roundup's RegisterAction
 * grants Register instead of Create for new items, and Register exists
 * for the user class only, so any other item, or a link from one, is a
 * permission error. Links from the new user to existing items become its
 * property values.
 */
function newUserProps(parsed: ParsedForm): Record<string, HyperValue> {
  const isContext = (ref: { classname: string; id: string | null }) => ref.classname === 'user' && ref.id === null;
  const context = parsed.items.find(isContext);
  const props: Record<string, HyperValue> = {};
  for (const [name, value] of Object.entries(context?.props ?? {})) {
    if (Buffer.isBuffer(value)) throw new RupError('RUP_ERR_VALUE', `property ${name}: a user property cannot take an uploaded file`);
    props[name] = value;
  }
  for (const item of parsed.items) {
    if (isContext(item) || Object.keys(item.props).length === 0) continue;
    throw refused(item);
  }
  for (const link of parsed.links) {
    if (!isContext(link)) throw refused({ classname: link.classname, id: link.id, props: {} });
    for (const target of link.targets) {
      if (target.id === null || target.id.startsWith('-')) throw refused({ classname: target.classname, id: target.id, props: {} });
      const current = props[link.propname];
      props[link.propname] = [...(Array.isArray(current) ? current : []), target.id];
    }
  }
  return props;
}

function refused(item: FormItem): RupError {
  const verb = item.id === null || item.id.startsWith('-') ? 'create' : 'edit';
  return new RupError('RUP_ERR_PERMISSION', `You do not have permission to ${verb} ${item.classname}`);
}

/** Link values gathered from `@link@` fields fitted to the property: a Link takes the last id named. */
function fitToSchema(req: WebRequest, props: Record<string, HyperValue>): Record<string, HyperValue> {
  const cls = req.db.schema.getClass('user');
  for (const [name, value] of Object.entries(props)) {
    const kind = cls.properties.get(name)?.kind;
    if (kind === 'Link' && Array.isArray(value)) props[name] = value[value.length - 1] ?? null;
  }
  return props;
}

/** The registration mail (Roundup's texts: replying with the subject kept also confirms, when enabled). */
function registrationMail(req: WebRequest, username: string, key: string): { subject: string; body: string } {
  const config = req.tracker.config;
  const tracker = config.TRACKER_NAME as string;
  const link = `${req.baseUrl}?@action=confrego&otk=${key}`;
  if (config.EMAIL_REGISTRATION_CONFIRMATION as boolean) {
    return {
      subject: `Complete your registration to ${tracker} -- key ${key}`,
      body:
        `To complete your registration of the user "${username}" with\n${tracker}, please do one of the following:\n\n` +
        `- send a reply to ${config.TRACKER_EMAIL as string} and maintain the subject line as is (the\nreply's additional "Re:" is ok),\n\n` +
        `- or visit the following URL:\n\n${link}\n\n`,
    };
  }
  return {
    subject: `Complete your registration to ${tracker}`,
    body: `To complete your registration of the user "${username}" with\n${tracker}, please visit the following URL:\n\n${link}\n\n`,
  };
}

/** Instant registration: create the user now, with the web roles, and log them in. */
async function registerNow(services: RegistrationServices, req: WebRequest, props: Record<string, HyperValue>): Promise<ActionOutcome> {
  const system = req.db.system();
  let userid: string;
  try {
    userid = await system.getclass('user').create({ ...props, roles: req.tracker.config.NEW_WEB_USER_ROLES as string });
    await req.db.commit();
  } catch (err) {
    await req.db.rollback();
    const shown = friendlierCreateError(err, props.username);
    if (!isUserError(shown)) throw shown;
    addError(req, `Error: ${shown.message}`);
    return renderAgain();
  }
  return finishRegistration(services, req, { userid, username: props.username as string });
}

async function userExists(req: WebRequest, username: string): Promise<boolean> {
  try {
    await req.db.system().getclass('user').lookup(username);
    return true;
  } catch (err) {
    if (isRupError(err, 'RUP_ERR_KEY_NOT_FOUND')) return false;
    throw err;
  }
}

/** Registration by mail: keep the details under a one-time key and mail the link that completes it. */
async function registerByMail(services: RegistrationServices, req: WebRequest, props: Record<string, HyperValue>): Promise<ActionOutcome> {
  const config = req.tracker.config;
  const missing = ['username', 'address'].filter((p) => typeof props[p] !== 'string' || props[p] === '');
  if (missing.length) {
    // Roundup's templates require these; without them it could not address the mail.
    addError(req, `Error: Required user ${missing.length === 1 ? 'property' : 'properties'} ${missing.join(', ')} not supplied`);
    return renderAgain();
  }
  const username = props.username as string;
  if (config.WEB_REGISTRATION_PREVALIDATE_USERNAME as boolean) {
    if (await userExists(req, username)) {
      addError(req, `Username '${username}' is already used.`);
      return renderAgain();
    }
  }
  const keys = services.oneTimeKeys(req);
  const record: RegistrationRecord = { kind: 'register', props: serialiseProps(props) };
  const key = await keys.create({ ...record }, KEY_LIFETIME_SECONDS);
  const mail = registrationMail(req, username, key);
  try {
    await mailerOf(services, req).sendMail({
      to: [props.address as string],
      subject: mail.subject,
      body: mail.body,
      from: { name: config.TRACKER_NAME as string, address: config.TRACKER_EMAIL as string },
    });
  } catch (err) {
    // No mail, no way to confirm: the key must not linger.
    await keys.take(key);
    if (!(err instanceof MailSendError) && !isRupError(err, 'RUP_ERR_VALUE')) throw err;
    addError(req, err.message);
    return renderAgain(err instanceof MailSendError ? 502 : 400);
  }
  await req.db.commit();
  return { kind: 'redirect', location: `${req.baseUrl}user?@template=rego_progress` };
}

/**
 * `@action=register` (Roundup's RegisterAction). Needs the Register
 * permission on user (else RUP_ERR_PERMISSION "You do not have permission
 * to register the user class.") and POST ("Invalid request"). Then, in
 * Roundup's order:
 *
 * 1. the `opaqueregister` timestamp must be at least `[web]
 *    registration_delay` seconds old (0 turns the check off): "Form is
 *    corrupted, missing: opaqueregister.", "Form is corrupted.",
 *    "Responding to form too quickly.";
 * 2. the form is read with the usual grammar (`@required`, password
 *    `@confirm@password`, ...), errors shown as "Error: ...";
 * 3. supplying `roles` is refused (RUP_ERR_PERMISSION "It is not permitted
 *    to supply roles at registration.");
 * 4. with `[main] instant_registration` the user is created at once with
 *    `new_web_user_roles` (the user auditor checks name and addresses),
 *    logged in, and greeted; otherwise, after the optional
 *    `registration_prevalidate_username` check ("Username 'x' is already
 *    used."), the details are kept under a one-time key, the confirmation
 *    mail goes to the address given, and the browser is sent to
 *    `user?@template=rego_progress`.
 */
export function createRegisterAction(services: RegistrationServices): WebAction {
  return {
    name: 'register',
    changesData: true,
    async run(req: WebRequest): Promise<ActionOutcome> {
      if (!(await req.db.hasPermission('Register', 'user'))) {
        throw new RupError('RUP_ERR_PERMISSION', 'You do not have permission to register the user class.');
      }
      const notPost = requirePost(req);
      if (notPost) return notPost;
      const delay = req.tracker.config.WEB_REGISTRATION_DELAY as number;
      if (delay > 0) {
        const problem = timestampProblem(req.form.get(TIMESTAMP_FIELD), TIMESTAMP_FIELD, delay);
        if (problem) {
          addError(req, problem);
          return renderAgain();
        }
      }
      let props: Record<string, HyperValue>;
      try {
        props = fitToSchema(req, newUserProps(await parseForm(req.form, req.db, { classname: 'user', itemid: null }, { create: true })));
      } catch (err) {
        if (!(err instanceof FormError) && !isUserError(err)) throw err;
        addError(req, `Error: ${err.message}`);
        return renderAgain();
      }
      if ('roles' in props) throw new RupError('RUP_ERR_PERMISSION', 'It is not permitted to supply roles at registration.');
      if (req.tracker.config.INSTANT_REGISTRATION as boolean) return registerNow(services, req, props);
      return registerByMail(services, req, props);
    },
  };
}
