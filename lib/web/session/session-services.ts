import { RupError } from '../../errors.js';
import type { Tracker } from '../../tracker/tracker.js';
import { type RecordData, type SessionBackend, newOneTimeKey, timestampForLifetime } from './session-store.js';
import { databaseDir } from '../../tracker/storage-factory.js';
import { sqlSessionBackend, sqliteSessionBackend } from './sql-session-store.js';

/** Seconds between two cleanups of expired records (Roundup's `clean_up`: once an hour). */
export const CLEANUP_INTERVAL_SECONDS = 3600;

/** The one-time key holding the time of the last cleanup (Roundup's `last_clean` key, field `last_use`). */
export const LAST_CLEAN_KEY = 'last_clean';

/** Seconds since the epoch, as Roundup's `time.time()`. */
export type Clock = () => number;

const systemClock: Clock = () => Date.now() / 1000;

/**
 * Registration and password-reset keys as the registration actions use
 * them: random single-use keys whose records expire after a given time.
 */
export interface OneTimeKeyStore {
  /** Stores `data` under a new key (32 random bytes, URL-safe base64) and returns it. */
  create(data: RecordData, lifetimeSeconds: number): Promise<string>;
  /** The data under `key`, or null when unknown or expired; the key stays usable. */
  get(key: string): Promise<RecordData | null>;
  /** Like `get`, and destroys the key in the same atomic step. */
  take(key: string): Promise<RecordData | null>;
}

/** Options for {@link configureSessionServices}. */
export interface SessionServicesOptions {
  /** The clock (tests move it instead of waiting). */
  now?: Clock;
  /** A backend of your own (the default follows `[sessiondb] backend`). */
  backend?: SessionBackend;
}

/**
 * What the web layer of one tracker uses for sessions and one-time keys in
 * one process: the stores, the clock, and the hourly cleanup.
 */
export class SessionServices {
  readonly backend: SessionBackend;
  readonly now: Clock;
  /** Before this time (seconds) no cleanup can be due; saves reading the marker on every request. */
  private quietUntil = -Infinity;
  private cleaning: Promise<void> | null = null;

  constructor(backend: SessionBackend, now: Clock = systemClock) {
    this.backend = backend;
    this.now = now;
  }

  /**
   * Deletes expired sessions and one-time keys if the last cleanup (by any
   * process) was an hour ago or more, as Roundup's `clean_up` does on web
   * requests. Concurrent calls share one run.
   */
  cleanUpIfDue(): Promise<void> {
    if (this.now() < this.quietUntil) return Promise.resolve();
    this.cleaning ??= this.cleanUp().finally(() => {
      this.cleaning = null;
    });
    return this.cleaning;
  }

  private async cleanUp(): Promise<void> {
    const otks = this.backend.otks;
    const now = this.now();
    const lastUse = (record: { data: RecordData } | null) => Number(record?.data.last_use ?? 0);
    const marker = await otks.get(LAST_CLEAN_KEY, now);
    if (now - lastUse(marker) < CLEANUP_INTERVAL_SECONDS) {
      this.quietUntil = lastUse(marker) + CLEANUP_INTERVAL_SECONDS;
      return;
    }
    // Claim the cleanup atomically, so of several processes only one runs it.
    let claimed = false;
    await otks.update(LAST_CLEAN_KEY, now, (current) => {
      if (now - lastUse(current) < CLEANUP_INTERVAL_SECONDS) return current;
      claimed = true;
      return { data: { last_use: now }, timestamp: now };
    });
    this.quietUntil = now + CLEANUP_INTERVAL_SECONDS;
    if (!claimed) return;
    await this.backend.sessions.clean(now);
    await otks.clean(now);
  }

  /** The one-time key store as the registration and password-reset actions use it. */
  oneTimeKeys(): OneTimeKeyStore {
    const otks = this.backend.otks;
    return {
      create: async (data, lifetimeSeconds) => {
        const key = newOneTimeKey();
        await otks.set(key, data, timestampForLifetime(this.now(), lifetimeSeconds));
        return key;
      },
      get: async (key) => (await otks.get(key, this.now()))?.data ?? null,
      take: async (key) => (await otks.take(key, this.now()))?.data ?? null,
    };
  }
}

const services = new WeakMap<Tracker, SessionServices>();
const backends = new WeakMap<Tracker, SessionBackend>();

/**
 * The store `[sessiondb] backend` names: empty (the default) or the main
 * backend's name keeps both stores with the tracker's database (on
 * SQLite in files of their own beside it, as Roundup does). Redis is the
 * planned alternative; until it exists, naming it (or anydbm) is refused
 * with a message saying what to do. Made once per tracker and process,
 * closed with the tracker.
 */
function backendFor(tracker: Tracker): SessionBackend {
  const made = backends.get(tracker);
  if (made) return made;
  const config = tracker.config;
  const configured = (config.SESSIONDB_BACKEND as string | null) ?? '';
  const main = config.RDBMS_BACKEND as string;
  if (configured !== '' && configured !== main) {
    throw new RupError(
      'RUP_ERR_CONFIG',
      `${config.file}: [sessiondb] backend: "${configured}" is not available; leave it empty to keep sessions in the ${main} database`,
      { location: { file: config.file, section: 'sessiondb', option: 'backend' } },
    );
  }
  const backend =
    main === 'sqlite'
      ? sqliteSessionBackend(databaseDir(config), Number(config.RDBMS_SQLITE_TIMEOUT) * 1000)
      : sqlSessionBackend(tracker.storage.backend);
  backends.set(tracker, backend);
  tracker.onClose(() => backend.close());
  return backend;
}

/** The session services of a tracker in this process, made on first use. */
export function sessionServices(tracker: Tracker): SessionServices {
  let s = services.get(tracker);
  if (!s) {
    s = new SessionServices(backendFor(tracker));
    services.set(tracker, s);
  }
  return s;
}

/**
 * Sets up a tracker's session services with a clock or backend of your
 * own, replacing any made before. Call it before the tracker serves
 * requests (tests use it to control time).
 */
export function configureSessionServices(tracker: Tracker, options: SessionServicesOptions): SessionServices {
  const s = new SessionServices(options.backend ?? backendFor(tracker), options.now ?? systemClock);
  services.set(tracker, s);
  return s;
}
