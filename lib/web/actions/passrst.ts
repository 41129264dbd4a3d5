import { isRupError } from '../../errors.js';
import { generatePassword } from '../../hyperdb/password.js';
import { MailSendError } from '../../mail/mailer.js';
import { userIdFromAddress } from '../../mail/user-lookup.js';
import type { ActionOutcome, WebAction, WebRequest } from '../web-types.js';
import { addError, renderAgain } from './action-support.js';
import { INVALID_KEY } from './confrego.js';
import { KEY_LIFETIME_SECONDS, type PasswordResetRecord, type RegistrationServices, mailerOf } from './registration-common.js';

/** Shows `message` as an error on the page again. */
function refuse(req: WebRequest, message: string, status = 400): ActionOutcome {
  addError(req, message);
  return renderAgain(status);
}

/** Sends a password mail; a mail that cannot be sent becomes a message on the page (Roundup's standard_message). */
async function mail(services: RegistrationServices, req: WebRequest, address: string, subject: string, body: string): Promise<string | null> {
  try {
    await mailerOf(services, req).sendMail({ to: [address], subject, body });
    return null;
  } catch (err) {
    if (err instanceof MailSendError || isRupError(err, 'RUP_ERR_VALUE')) return err.message;
    throw err;
  }
}

async function lookupUser(req: WebRequest, username: string): Promise<string | null> {
  try {
    return await req.db.system().getclass('user').lookup(username);
  } catch (err) {
    if (isRupError(err, 'RUP_ERR_KEY_NOT_FOUND')) return null;
    throw err;
  }
}

/**
 * Step 2, the link of the confirmation mail: a new random password is set
 * and mailed to the address the reset was asked for. The key is used up
 * first, so two clicks cannot hand out two passwords; if the mail cannot
 * be sent the password change is rolled back (the old password keeps
 * working; Roundup would already have committed it).
 */
async function resetWithKey(services: RegistrationServices, req: WebRequest, key: string): Promise<ActionOutcome> {
  const record = key ? await services.oneTimeKeys(req).take(key) : null;
  if (!record || record.kind !== 'passrst' || typeof record.uid !== 'string') return refuse(req, INVALID_KEY);
  const { uid, uaddress } = record as unknown as PasswordResetRecord;
  const users = req.db.system().getclass('user');
  if (!(await users.hasnode(uid)) || (await users.isRetired(uid))) return refuse(req, INVALID_KEY);
  const password = generatePassword();
  await users.set(uid, { password: await req.db.encodePassword(password) });
  const username = (await users.get(uid, 'username')) as string;
  const address = uaddress || ((await users.get(uid, 'address')) as string | null) || '';
  const tracker = req.tracker.config.TRACKER_NAME as string;
  const failure = await mail(
    services,
    req,
    address,
    `Password reset for ${tracker}`,
    `\nThe password has been reset for username "${username}".\n\nYour password is now: ${password}\n`,
  );
  if (failure) {
    await req.db.rollback();
    return refuse(req, failure, 502);
  }
  await req.db.commit();
  req.messages.ok.push(`Password reset and email sent to ${address}`);
  return { kind: 'render', status: 200 };
}

/**
 * Step 1: the user named by `username` (mailed at their primary address)
 * or owning `address` (primary or alternate; mailed there) gets a link
 * holding a one-time key.
 */
async function requestReset(services: RegistrationServices, req: WebRequest): Promise<ActionOutcome> {
  let uid: string | null;
  let address: string;
  let username: string;
  const byName = req.form.has('username');
  if (byName) {
    username = (req.form.get('username') ?? '').trim();
    uid = await lookupUser(req, username);
    if (!uid) return refuse(req, 'Unknown username');
    address = ((await req.db.system().getclass('user').get(uid, 'address')) as string | null) ?? '';
    if (!address) return refuse(req, `No email address is set for ${username}`);
  } else if (req.form.has('address')) {
    address = (req.form.get('address') ?? '').trim();
    uid = await userIdFromAddress(req.db, address);
    if (!uid) return refuse(req, 'Unknown email address');
    username = (await req.db.system().getclass('user').get(uid, 'username')) as string;
  } else {
    return refuse(req, 'You need to specify a username or address');
  }
  const keys = services.oneTimeKeys(req);
  const record: PasswordResetRecord = { kind: 'passrst', uid, uaddress: address };
  const key = await keys.create({ ...record }, KEY_LIFETIME_SECONDS);
  const tracker = req.tracker.config.TRACKER_NAME as string;
  const failure = await mail(
    services,
    req,
    address,
    `Confirm reset of password for ${tracker}`,
    `\nSomeone, perhaps you, has requested that the password be changed for your\n` +
      `username, "${username}". If you wish to proceed with the change, please follow\nthe link below:\n\n` +
      `  ${req.baseUrl}user?@template=forgotten&@action=passrst&otk=${key}\n\n` +
      `You should then receive another email with the new password.\n`,
  );
  if (failure) {
    await keys.take(key);
    return refuse(req, failure, 502);
  }
  req.messages.ok.push(byName ? `Email sent to primary notification address for ${username}.` : `Email sent to ${address}.`);
  return { kind: 'render', status: 200 };
}

/**
 * `@action=passrst` (Roundup's PassResetAction), in two steps:
 *
 * 1. with `username=` or `address=`: mails "Confirm reset of password for
 *    <tracker>" holding `<base>user?@template=forgotten&@action=passrst&otk=<key>`;
 *    errors "Unknown username", "Unknown email address", "You need to
 *    specify a username or address";
 * 2. with `otk=`: sets a random password and mails it ("Password reset
 *    for <tracker>"), then shows "Password reset and email sent to
 *    <address>"; an unknown, expired or used key gets "Invalid One Time
 *    Key!".
 *
 * Both render the page again with the message (the forgotten page). Step
 * 2 is a link from a mail, so the action needs neither POST nor a CSRF
 * token, as in Roundup.
 */
export function createPassResetAction(services: RegistrationServices): WebAction {
  return {
    name: 'passrst',
    changesData: false,
    async run(req: WebRequest): Promise<ActionOutcome> {
      if (req.form.has('otk')) return resetWithKey(services, req, (req.form.get('otk') ?? '').trim());
      return requestReset(services, req);
    },
  };
}
