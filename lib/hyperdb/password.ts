/**
 * Password hashes in Roundup's stored form, `{SCHEME}encoded`, so users
 * imported from a Python Roundup tracker can log in and hashes made here
 * verify there (Roundup's `roundup/password.py`).
 *
 * Schemes (the order roundup-admin's `perftest scheme=` lists, default
 * first):
 * - `PBKDF2S5`: PBKDF2-HMAC-SHA512, `rounds$salt$digest` with a 20-byte
 *   salt and a 64-byte digest, both in Roundup's base64 variant ({@link h64encode}).
 *   New hashes use it with `[main] password_pbkdf2_default_rounds` rounds.
 * - `PBKDF2`: the same layout with HMAC-SHA1 and a 20-byte digest.
 * - `SSHA`: base64(SHA1(password + salt) + salt), salt of 36 to 51 bytes.
 * - `SHA`, `MD5`: hex digest of the password.
 * - `crypt`: Unix crypt(3), see `unix-crypt.ts`.
 * - `plaintext`: the password itself.
 *
 * Every scheme but PBKDF2S5 is deprecated: a password stored with one of
 * them verifies but `needsMigration` is true, as it is for PBKDF2S5 with
 * fewer rounds than configured, so the web login can re-hash it.
 */

import { createHash, pbkdf2, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { RupError } from '../errors.js';
import { CRYPT_ALPHABET, unixCrypt } from './unix-crypt.js';

const pbkdf2Async = promisify(pbkdf2);

/** Every scheme Roundup knows, the default first (as `perftest scheme=` prints them). */
export const KNOWN_SCHEMES = ['PBKDF2S5', 'PBKDF2', 'SSHA', 'SHA', 'MD5', 'crypt', 'plaintext'] as const;
export type PasswordScheme = (typeof KNOWN_SCHEMES)[number];
/** Scheme of new hashes. */
export const DEFAULT_SCHEME: PasswordScheme = 'PBKDF2S5';
/** Schemes that verify but call for re-hashing. */
export const DEPRECATED_SCHEMES: readonly PasswordScheme[] = ['PBKDF2', 'SSHA', 'SHA', 'MD5', 'crypt', 'plaintext'];
/** Default of `[main] password_pbkdf2_default_rounds`. */
export const DEFAULT_PBKDF2_ROUNDS = 250000;
/** Fewest PBKDF2 rounds Roundup accepts for a new hash. */
export const MIN_PBKDF2_ROUNDS = 1000;

/** Bytes of salt in new PBKDF2 and PBKDF2S5 hashes. */
const PBKDF2_SALT_BYTES = 20;
/** Same shape as Roundup's `pwre`: `{word}` then at least one character. */
const STORED_RE = /^\{(\w+)\}(.+)/u;

function valueError(message: string): RupError {
  return new RupError('RUP_ERR_VALUE', message);
}

function isKnownScheme(scheme: string): scheme is PasswordScheme {
  return (KNOWN_SCHEMES as readonly string[]).includes(scheme);
}

/**
 * Roundup's base64 variant for PBKDF2 salts and digests: standard base64
 * with `.` instead of `+` and no `=` padding.
 */
export function h64encode(data: Uint8Array): string {
  return Buffer.from(data).toString('base64').replace(/=+$/u, '').replace(/\+/gu, '.');
}

/** Inverse of {@link h64encode}; RUP_ERR_VALUE for a length no base64 text can have. */
export function h64decode(text: string): Buffer {
  if (text.length % 4 === 1) throw valueError('Invalid base64 input');
  return Buffer.from(text.replace(/\./gu, '+'), 'base64');
}

/** A stored password split into its parts. */
export interface StoredPassword {
  readonly scheme: PasswordScheme;
  /** Everything after `{SCHEME}`. */
  readonly encoded: string;
}

/** True when `value` has the `{SCHEME}encoded` shape of a stored password (any scheme name). */
export function isEncodedPassword(value: string): boolean {
  return STORED_RE.test(value);
}

/**
 * Split a stored `{SCHEME}encoded` value. RUP_ERR_VALUE for a value of
 * another shape or with a scheme Roundup does not know (its message:
 * "Unknown encryption scheme: 'XYZ'").
 */
export function parseStoredPassword(value: string): StoredPassword {
  const m = STORED_RE.exec(value);
  if (!m) throw valueError(`not an encoded password ({SCHEME}data): ${JSON.stringify(value)}`);
  if (!isKnownScheme(m[1])) throw valueError(`Unknown encryption scheme: '${m[1]}'`);
  return { scheme: m[1], encoded: m[2] };
}

interface Pbkdf2Parts {
  rounds: number;
  salt: string;
  rawSalt: Buffer;
  digest: string;
}

/** Split `rounds$salt$digest` with Roundup's checks and messages (`pbkdf2_unpack`). */
function unpackPbkdf2(encoded: string): Pbkdf2Parts {
  const parts = encoded.split('$');
  if (parts.length !== 3) throw valueError('invalid PBKDF2 hash (wrong number of separators)');
  const [roundsText, salt, digest] = parts;
  if (roundsText.startsWith('0')) throw valueError('invalid PBKDF2 hash (zero-padded rounds)');
  if (!/^\s*[+-]?\d+\s*$/u.test(roundsText)) throw valueError('invalid PBKDF2 hash (invalid rounds)');
  return { rounds: Number(roundsText), salt, rawSalt: h64decode(salt), digest };
}

async function pbkdf2Encode(
  scheme: 'PBKDF2' | 'PBKDF2S5',
  plain: string,
  rounds: number,
  salt: string,
  rawSalt: Buffer,
): Promise<string> {
  if (rounds < MIN_PBKDF2_ROUNDS) throw valueError('invalid PBKDF2 hash (rounds too low)');
  const digest =
    scheme === 'PBKDF2S5'
      ? await pbkdf2Async(Buffer.from(plain, 'utf8'), rawSalt, rounds, 64, 'sha512')
      : await pbkdf2Async(Buffer.from(plain, 'utf8'), rawSalt, rounds, 20, 'sha1');
  return `${rounds}$${salt}$${h64encode(digest)}`;
}

function sshaEncode(plain: string, salt: Buffer): string {
  const digest = createHash('sha1').update(Buffer.from(plain, 'utf8')).update(salt).digest();
  return Buffer.concat([digest, salt]).toString('base64');
}

function randomCryptSalt(): string {
  return CRYPT_ALPHABET[randomInt(64)] + CRYPT_ALPHABET[randomInt(64)];
}

/**
 * Encode `plain` with `scheme`. With `previous` (the encoded part of a
 * stored hash) its parameters are reused, salt and rounds, so the result
 * can be compared with it; without, fresh ones are made (Roundup's
 * `encodePassword`).
 */
async function encode(plain: string, scheme: PasswordScheme, rounds: number, previous?: string): Promise<string> {
  switch (scheme) {
    case 'PBKDF2S5':
    case 'PBKDF2': {
      if (previous !== undefined) {
        const p = unpackPbkdf2(previous);
        return pbkdf2Encode(scheme, plain, p.rounds, p.salt, p.rawSalt);
      }
      const rawSalt = randomBytes(PBKDF2_SALT_BYTES);
      return pbkdf2Encode(scheme, plain, rounds, h64encode(rawSalt), rawSalt);
    }
    case 'SSHA': {
      const salt = previous !== undefined ? Buffer.from(previous, 'base64').subarray(20) : randomBytes(36 + randomInt(16));
      return sshaEncode(plain, salt);
    }
    case 'SHA':
      return createHash('sha1').update(Buffer.from(plain, 'utf8')).digest('hex');
    case 'MD5':
      return createHash('md5').update(Buffer.from(plain, 'utf8')).digest('hex');
    case 'crypt': {
      const result = unixCrypt(plain, previous ?? randomCryptSalt());
      if (result === undefined) {
        const method = /^(\$[^$]*\$|_)/u.exec(previous ?? '')?.[1] ?? '';
        throw valueError(`Unsupported encryption scheme 'crypt': crypt(3) method ${JSON.stringify(method)} cannot be verified`);
      }
      return result;
    }
    case 'plaintext':
      return plain;
  }
}

/** Options of {@link hashPassword}. */
export interface HashOptions {
  /** Scheme of the new hash; default {@link DEFAULT_SCHEME}. */
  scheme?: string;
  /** PBKDF2 rounds (`[main] password_pbkdf2_default_rounds`); default 250000. */
  rounds?: number;
}

/**
 * Hash `plain` into the stored form `{SCHEME}encoded` with a fresh salt.
 * RUP_ERR_VALUE for an unknown scheme ("Unknown encryption scheme 'X'")
 * or fewer than 1000 PBKDF2 rounds ("invalid PBKDF2 hash (rounds too low)").
 */
export async function hashPassword(plain: string, options: HashOptions = {}): Promise<string> {
  const scheme = options.scheme ?? DEFAULT_SCHEME;
  if (!isKnownScheme(scheme)) throw valueError(`Unknown encryption scheme '${scheme}'`);
  return `{${scheme}}${await encode(plain, scheme, options.rounds ?? DEFAULT_PBKDF2_ROUNDS)}`;
}

/**
 * True when a stored password should be re-hashed with the current
 * scheme and rounds: its scheme is deprecated, or it is PBKDF2S5 with
 * fewer than 1000 or fewer than `rounds` (the configured default) rounds
 * (Roundup's `Password.needs_migration`). RUP_ERR_VALUE for a malformed
 * or unknown stored value.
 */
export function needsMigration(stored: string, options: { rounds?: number } = {}): boolean {
  const { scheme, encoded } = parseLegacyAware(stored);
  if (DEPRECATED_SCHEMES.includes(scheme)) return true;
  const { rounds } = unpackPbkdf2(encoded);
  return rounds < MIN_PBKDF2_ROUNDS || rounds < (options.rounds ?? DEFAULT_PBKDF2_ROUNDS);
}

/**
 * Split a stored value the way Roundup reads the database: a value
 * without the `{SCHEME}` prefix is a plaintext password from a very old
 * tracker; an empty one means no password is set.
 */
function parseLegacyAware(stored: string): StoredPassword {
  if (stored === '') throw valueError('Password not set');
  return isEncodedPassword(stored) ? parseStoredPassword(stored) : { scheme: 'plaintext', encoded: stored };
}

/** Outcome of {@link verifyPassword}. */
export interface VerifyResult {
  /** The password matches. */
  readonly ok: boolean;
  /** It matches and the stored hash should be replaced by a new one (only meaningful when `ok`). */
  readonly needsMigration: boolean;
}

/** Compare two strings in time independent of where they differ. */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    // Still spend a comparison so a length mismatch is not noticeably faster.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/**
 * Check `plain` against a stored password by hashing it with the stored
 * scheme and parameters and comparing in constant time. `rounds` is the
 * configured PBKDF2 default, used to decide `needsMigration`. A stored
 * value without `{SCHEME}` counts as a legacy plaintext password (as in
 * Roundup). RUP_ERR_VALUE for an empty stored value ("Password not set"),
 * an unknown scheme or a malformed hash, with Roundup's messages.
 */
export async function verifyPassword(stored: string, plain: string, options: { rounds?: number } = {}): Promise<VerifyResult> {
  const { scheme, encoded } = parseLegacyAware(stored);
  const candidate = await encode(plain, scheme, options.rounds ?? DEFAULT_PBKDF2_ROUNDS, encoded);
  const ok = sameText(candidate, encoded);
  return { ok, needsMigration: ok && needsMigration(isEncodedPassword(stored) ? stored : `{plaintext}${stored}`, options) };
}

/**
 * What the journal records for a password change: the scheme only, as
 * `{SCHEME}*encrypted*` (Roundup's `JournalPassword`), so hashes never
 * reach the history.
 */
export function journalPasswordText(stored: string): string {
  const m = STORED_RE.exec(stored);
  return `{${m ? m[1] : DEFAULT_SCHEME}}*encrypted*`;
}

const PASSWORD_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PASSWORD_DIGITS = '0123456789';

/**
 * A random password of `length` letters and digits with at least one
 * digit (Roundup's `generatePassword`, used for password resets and users
 * created by mail).
 */
export function generatePassword(length = 12): string {
  const chars = PASSWORD_LETTERS + PASSWORD_DIGITS;
  const out: string[] = [];
  for (let i = 0; i < length - 1; i++) out.push(chars[randomInt(chars.length)]);
  out.splice(randomInt(length), 0, PASSWORD_DIGITS[randomInt(10)]);
  return out.join('');
}
