import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The `@csrf` token itself: signed, so handing one out stores nothing.
 *
 * Roundup stores every token it puts in a page in its one-time-key
 * database, so each page view is a write; here a token carries what the
 * store would have held — the user, the session (as a keyed fingerprint,
 * never the id itself), the expiry — under an HMAC with the tracker's
 * signing key, and only its use is recorded (csrf.ts): single use,
 * binding and lifetime stay as Roundup's, and reading a page writes
 * nothing.
 *
 * Form: `nonce.expiry.userid.session.mac`, URL-safe base64 and base 36,
 * so it survives HTML escaping and form encoding unchanged.
 */

/** What a genuine token says. */
export interface TokenClaims {
  /** 16 random bytes: the token's identity, recorded when it is used. */
  readonly nonce: string;
  /** Seconds since the epoch after which the token is refused. */
  readonly expires: number;
  readonly userid: string;
  /** The session fingerprint ({@link CsrfSigner.sessionTag}). */
  readonly session: string;
}

const TOKEN_PATTERN = /^([A-Za-z0-9_-]{22})\.([0-9a-z]{1,12})\.([0-9]{1,20})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22})$/;

/** Signs and opens tokens with one key. */
export class CsrfSigner {
  constructor(private readonly key: Buffer) {}

  /**
   * A fingerprint of a session id (or of "no session") that can be shown
   * in pages and logs: equal for equal ids, useless for finding the id.
   */
  sessionTag(sessionId: string | null): string {
    return this.mac(sessionId === null ? 'no-session' : `session:${sessionId}`).subarray(0, 12).toString('base64url');
  }

  /** A new token for this user and session, valid until `expires` (seconds since the epoch). */
  issue(userid: string, sessionId: string | null, expires: number): string {
    const body = `${randomBytes(16).toString('base64url')}.${Math.ceil(expires).toString(36)}.${userid}.${this.sessionTag(sessionId)}`;
    return `${body}.${this.mac(body).subarray(0, 16).toString('base64url')}`;
  }

  /** The claims of a token this key signed, or null for anything else (malformed, forged, signed by another key). */
  open(token: string): TokenClaims | null {
    const m = TOKEN_PATTERN.exec(token);
    if (!m) return null;
    const body = token.slice(0, token.lastIndexOf('.'));
    const expected = this.mac(body).subarray(0, 16);
    if (!timingSafeEqual(expected, Buffer.from(m[5]!, 'base64url'))) return null;
    return { nonce: m[1]!, expires: parseInt(m[2]!, 36), userid: m[3]!, session: m[4]! };
  }

  private mac(text: string): Buffer {
    return createHmac('sha256', this.key).update(text).digest();
  }
}

/** A new random signing key. */
export function newSigningKey(): Buffer {
  return randomBytes(32);
}
