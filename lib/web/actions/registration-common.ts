/**
 * What the register, confrego and passrst actions share: the services
 * they need from the rest of the web layer (one-time keys, logging in,
 * the mailer), the one-time key records they keep, and the page that
 * greets a newly registered user.
 */

import { RupError, isRupError } from '../../errors.js';
import { DateTime } from '../../hyperdb/date.js';
import { Interval } from '../../hyperdb/interval.js';
import type { ClassDef } from '../../hyperdb/schema.js';
import type { HyperValue } from '../../hyperdb/values.js';
import { type Mailer, mailerFor } from '../../mail/mailer.js';
import type { WebRequest } from '../web-types.js';
import { pyQuote } from './url-tools.js';

/**
 * The one-time key store (Roundup's `db.getOTKManager()` for registration
 * and password-reset keys). Keys are random, URL-safe and single use;
 * records expire after `lifetimeSeconds`.
 */
export interface OneTimeKeys {
  /** Stores `data` under a new random key and returns the key. */
  create(data: Record<string, unknown>, lifetimeSeconds: number): Promise<string>;
  /** The data stored under `key`, or null when it is unknown or expired; the key stays usable. */
  get(key: string): Promise<Record<string, unknown> | null>;
  /** Like {@link get}, and destroys the key in the same step (so only one request can use it). */
  take(key: string): Promise<Record<string, unknown> | null>;
}

/** The user a registration logs in. */
export interface RegisteredUser {
  userid: string;
  username: string;
}

/** What the registration actions need from the web layer. */
export interface RegistrationServices {
  /** The tracker's one-time key store, for this request. */
  oneTimeKeys(req: WebRequest): OneTimeKeys;
  /** Makes the request's session belong to `user` (as the login action does). */
  logIn(req: WebRequest, user: RegisteredUser): Promise<void>;
  /** The mailer; the tracker's own (`mailerFor`) when not given. */
  mailer?(req: WebRequest): Mailer;
}

/** How long registration and password-reset keys live: Roundup expires unused one-time keys after a week. */
export const KEY_LIFETIME_SECONDS = 7 * 24 * 3600;

/** The mailer an action uses. */
export function mailerOf(services: RegistrationServices, req: WebRequest): Mailer {
  return services.mailer ? services.mailer(req) : mailerFor(req.tracker);
}

/** What a registration key holds. */
export interface RegistrationRecord {
  kind: 'register';
  /** The new user's properties, as {@link serialiseProps} writes them. */
  props: Record<string, unknown>;
}

/** What a password-reset key holds (Roundup's `uid` and `uaddress`). */
export interface PasswordResetRecord {
  kind: 'passrst';
  uid: string;
  uaddress: string;
}

/**
 * A user's property values in a form JSON can keep (Roundup stores them as
 * strings in its one-time key database): dates as `{ date: epochMs }`,
 * intervals as `{ interval: text }`; passwords are already encoded.
 */
export function serialiseProps(props: Record<string, HyperValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(props)) {
    if (value instanceof DateTime) out[name] = { date: value.epochMs };
    else if (value instanceof Interval) out[name] = { interval: value.toString() };
    else out[name] = value;
  }
  return out;
}

/** The reverse of {@link serialiseProps}, checked against the class; RUP_ERR_VALUE for a record it did not write. */
export function deserialiseProps(cls: ClassDef, data: Record<string, unknown>): Record<string, HyperValue> {
  const out: Record<string, HyperValue> = {};
  for (const [name, value] of Object.entries(data)) {
    const prop = cls.properties.get(name);
    if (!prop) throw new RupError('RUP_ERR_VALUE', `The registration names a property "${name}" that ${cls.name} no longer has`);
    if (prop.kind === 'Date' && value && typeof value === 'object') out[name] = DateTime.fromEpochMs((value as { date: number }).date);
    else if (prop.kind === 'Interval' && value && typeof value === 'object') out[name] = Interval.parse((value as { interval: string }).interval);
    else out[name] = value as HyperValue;
  }
  return out;
}

/**
 * Roundup's message for a user name that is taken when the user is
 * finally created (its confirm_registration turns the key clash into
 * this); other errors are returned unchanged.
 */
export function friendlierCreateError(err: unknown, username: unknown): unknown {
  if (isRupError(err, 'RUP_ERR_DUPLICATE_KEY') && typeof username === 'string') {
    return new RupError('RUP_ERR_DUPLICATE_KEY', `Username '${username}' already exists.`, { cause: err });
  }
  return err;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * Roundup's finishRego: the new user is logged in and gets a small page
 * that sends them on to their user page with "You are now registered,
 * welcome!". Roundup answers with a page rather than a redirect because
 * some mail clients reload a redirected link; it moves on with a script,
 * we with a meta refresh, which needs no script and so passes our
 * Content-Security-Policy.
 */
export async function finishRegistration(services: RegistrationServices, req: WebRequest, user: RegisteredUser) {
  await services.logIn(req, user);
  const message = 'You are now registered, welcome!';
  const url = `${req.baseUrl}user${user.userid}?@ok_message=${pyQuote(message)}`;
  const body =
    `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(message)}</title>` +
    `<meta http-equiv="refresh" content="1; url=${escapeHtml(url)}"></head>\n` +
    `<body><p><a href="${escapeHtml(url)}">${escapeHtml(message)}</a></p></body></html>\n`;
  return { kind: 'response' as const, status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body };
}
