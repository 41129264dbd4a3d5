import { randomBytes } from 'node:crypto';

/**
 * The two ephemeral stores of a tracker (Roundup's session database and
 * one-time-key database, `roundup/backends/sessions_*.py`), as an
 * interface any backend can implement: the SQL tables of the tracker's
 * own database now, Redis (`[sessiondb] backend = redis`) later.
 *
 * The record model is Roundup's: a key, a free key/value record, and a
 * timestamp (`__timestamp`, seconds since the epoch). A record whose
 * timestamp is more than a week old is expired: it is never returned and
 * the hourly cleanup deletes it. A record meant to live for a shorter or
 * longer time is stored with the timestamp `now - week + lifetime`
 * (Roundup's `lifetime()`), which a Redis store maps to a native TTL.
 *
 * Every method is safe with several processes sharing the store: reads
 * see committed data, `take` and `update` are atomic.
 */

/** Seconds after which an unused record expires (Roundup: one week). */
export const RECORD_EXPIRY_SECONDS = 7 * 24 * 3600;

/** The free key/value part of a record; stored as JSON. */
export type RecordData = Record<string, unknown>;

/** A stored record. */
export interface StoredRecord {
  readonly data: RecordData;
  /** Seconds since the epoch (Roundup's `__timestamp`). */
  readonly timestamp: number;
}

/** What an {@link EphemeralTable.update} callback decides. */
export type RecordUpdate = { data: RecordData; timestamp: number } | null;

/**
 * One store: sessions or one-time keys. `now` (seconds) is passed in by
 * the caller so expiry is decided by one clock.
 */
export interface EphemeralTable {
  /** The record under `key`, or null when there is none or it has expired. */
  get(key: string, now: number): Promise<StoredRecord | null>;
  /** Stores `data` under `key`, replacing what was there, with the given timestamp. */
  set(key: string, data: RecordData, timestamp: number): Promise<void>;
  /**
   * Returns the unexpired record under `key` and deletes it, in one atomic
   * step: of several processes taking the same key, one gets the record.
   * An expired record is deleted too, and null returned.
   */
  take(key: string, now: number): Promise<StoredRecord | null>;
  /**
   * Atomic read-modify-write: `change` gets the current unexpired record
   * (or null) and returns the new record, or null to delete it; no other
   * writer can slip in between. Returns what `change` returned.
   */
  update(key: string, now: number, change: (current: StoredRecord | null) => RecordUpdate): Promise<RecordUpdate>;
  /** Deletes the record (nothing happens when there is none). */
  destroy(key: string): Promise<void>;
  /**
   * Sets the timestamp of an existing record to `now` unless it was set
   * less than `minAgeSeconds` ago (Roundup updates a session's timestamp
   * "once a minute", not on every hit).
   */
  touch(key: string, now: number, minAgeSeconds: number): Promise<void>;
  /** Deletes every expired record; returns how many. */
  clean(now: number): Promise<number>;
}

/** A backend holding both stores (Roundup's `getSessionManager()` and `getOTKManager()`). */
export interface SessionBackend {
  /** Name for messages: `sql` (tables in the tracker database), `sqlite` (files of their own), later `redis`. */
  readonly kind: string;
  readonly sessions: EphemeralTable;
  readonly otks: EphemeralTable;
  /** Closes what the backend opened of its own (called when the tracker closes). */
  close(): Promise<void>;
}

/**
 * The timestamp that makes a record expire `lifetimeSeconds` after `now`
 * (Roundup's `lifetime(key_lifetime)`: `now - week + lifetime`).
 */
export function timestampForLifetime(now: number, lifetimeSeconds: number): number {
  return now - RECORD_EXPIRY_SECONDS + lifetimeSeconds;
}

/** True when a record with this timestamp has expired at `now`. */
export function isExpired(timestamp: number, now: number): boolean {
  return timestamp < now - RECORD_EXPIRY_SECONDS;
}

/**
 * A new one-time key: 32 random bytes, URL-safe base64 without padding
 * (43 characters), as Roundup makes registration, password-reset and CSRF
 * keys.
 */
export function newOneTimeKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * A new session id: 32 random bytes as URL-safe base64 without padding
 * (43 characters). Roundup's `_gen_sid` encodes the same 32 random bytes
 * with the standard alphabet; the URL-safe one keeps the cookie value free
 * of `+` and `/`.
 */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}
