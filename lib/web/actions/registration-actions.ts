import type { WebAction } from '../web-types.js';
import { createConfRegoAction } from './confrego.js';
import { createPassResetAction } from './passrst.js';
import { createRegisterAction } from './register.js';
import type { RegistrationServices } from './registration-common.js';

export type { OneTimeKeys, RegisteredUser, RegistrationServices } from './registration-common.js';
export { packTimestamp } from './form-timestamp.js';

/**
 * The `register`, `confrego` and `passrst` actions of one tracker app,
 * bound to the services they need (one-time keys, logging in, and
 * optionally a mailer other than the tracker's own).
 */
export function registrationActions(services: RegistrationServices): WebAction[] {
  return [createRegisterAction(services), createConfRegoAction(services), createPassResetAction(services)];
}
