import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { installTracker } from '../../lib/tracker/install.js';
import { Tracker, nukeTrackerData } from '../../lib/tracker/tracker.js';

export type BackendName = 'sqlite' | 'postgresql';

/** Connection settings for this machine's PostgreSQL, from the usual PG* variables. */
export function pgSettings(database = process.env.PGDATABASE ?? 'test') {
  return {
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    user: process.env.PGUSER ?? 'postgres',
    password: process.env.PGPASSWORD ?? '',
    database,
  };
}

let pgProbe: Promise<string | null> | null = null;

/** Null when PostgreSQL is reachable, else the reason it is not (for skip messages). */
export function postgresUnavailable(): Promise<string | null> {
  pgProbe ??= (async () => {
    const client = new pg.Client({ ...pgSettings(), connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return null;
    } catch (err) {
      return `PostgreSQL not reachable at ${pgSettings().host}:${pgSettings().port}: ${(err as Error).message}`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return pgProbe;
}

/**
 * Mocha hook body: skips the suite (with the reason printed) when the
 * backend is PostgreSQL and no server can be reached.
 */
export async function skipWithoutBackend(ctx: Mocha.Context, backend: BackendName): Promise<void> {
  if (backend !== 'postgresql') return;
  const reason = await postgresUnavailable();
  if (reason) {
    console.log(`      skipped: ${reason}`);
    ctx.skip();
  }
}

let counter = 0;

/** The `[rdbms]` settings of a test tracker on the given backend (a fresh PostgreSQL database each time). */
export function backendSettings(backend: BackendName): Record<string, string> {
  if (backend === 'sqlite') return {};
  const s = pgSettings();
  return {
    rdbms_host: s.host,
    rdbms_port: String(s.port),
    rdbms_user: s.user,
    rdbms_password: s.password,
    rdbms_name: `rup_test_${process.pid}_${++counter}_${Date.now().toString(36)}`,
  };
}

export interface TestTracker {
  home: string;
  tracker: Tracker;
  /** Closes the tracker and deletes its home and database. */
  cleanup(): Promise<void>;
}

/** Installs a template into a temporary home, initialises it (admin password "admin") and opens it. */
export async function createTestTracker(
  options: { template?: string; backend?: BackendName; settings?: Record<string, string>; initialise?: boolean; parentDir?: string } = {},
): Promise<TestTracker> {
  const backend = options.backend ?? 'sqlite';
  const home = mkdtempSync(join(options.parentDir ?? tmpdir(), 'rup-tracker-'));
  installTracker({
    home,
    template: options.template ?? 'classic',
    backend,
    settings: {
      tracker_web: 'http://tracker.example/demo/',
      mail_domain: 'example.com',
      mail_host: 'localhost',
      // Mail a test causes (nosy messages of the classic template) goes to a file in the home, never to a real SMTP server.
      mail_debug: 'mail-debug.txt',
      password_pbkdf2_default_rounds: '1000',
      ...backendSettings(backend),
      ...(options.settings ?? {}),
    },
  });
  const tracker = await Tracker.open(home);
  if (options.initialise ?? true) await tracker.initialise('admin');
  return {
    home,
    tracker,
    async cleanup() {
      await tracker.close();
      await nukeTrackerData(home).catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
