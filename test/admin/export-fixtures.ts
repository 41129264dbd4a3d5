/**
 * Shared set-up of the export/import tests: the Roundup fixture export,
 * trackers it was imported into, a snapshot of everything an import can
 * change, and roundup-admin run in-process with the export/import commands.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { main } from '../../lib/admin/cli.js';
import { ADMIN_COMMANDS } from '../../lib/admin/commands/index.js';
import { exportCommand, exporttablesCommand } from '../../lib/admin/export.js';
import { importCommand, importTracker, importtablesCommand } from '../../lib/admin/import.js';
import type { Database } from '../../lib/hyperdb/database.js';
import { DateTime } from '../../lib/hyperdb/date.js';
import { Interval } from '../../lib/hyperdb/interval.js';
import type { Tracker } from '../../lib/tracker/tracker.js';
import { sharedFixtures } from '../support/paths.js';
import { type BackendName, type TestTracker, createTestTracker } from '../support/trackers.js';
import { CaptureIO } from './admin-fixtures.js';

/** Roundup 2.6's export of a classic tracker (see the fixtures README). */
export const classicExport = join(sharedFixtures, 'roundup-classic-export');

/** Every file under `dir`, by relative path, with its bytes. */
export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), readFileSync(path));
    }
  };
  walk(dir);
  return out;
}

/** An unchecked unit of work acting as the admin (user 1). */
export function adminDb(tracker: Tracker): Promise<Database> {
  return tracker.open({ userid: '1' }, { checked: false });
}

/** A new, empty (not initialised) tracker into which the fixture export was imported and committed. */
export async function importedFixture(backend: BackendName = 'sqlite'): Promise<TestTracker> {
  const t = await createTestTracker({ backend, initialise: false });
  const db = await adminDb(t.tracker);
  try {
    await importTracker(db, classicExport);
    await db.commit();
  } finally {
    await db.close();
  }
  return t;
}

function plainData(value: unknown): unknown {
  if (value instanceof DateTime) return `date:${value.serialise()}`;
  if (value instanceof Interval) return `interval:${value.serialise()}`;
  if (Array.isArray(value)) return value.map(plainData);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainData(v)]));
  return value;
}

/**
 * Everything an import could change, as plain data: per class the items
 * (values and retired flags), journal, next id and file content.
 */
export async function snapshot(tracker: Tracker): Promise<unknown> {
  const db = await adminDb(tracker);
  try {
    const out: Record<string, unknown> = {};
    for (const name of db.getclasses()) {
      const cl = db.getclass(name);
      const ids = await cl.getnodeids(null);
      const files: Record<string, string> = {};
      if (cl.def.kind === 'file') for (const id of ids) files[id] = ((await cl.get(id, 'binary_content')) as Buffer).toString('base64');
      out[name] = {
        items: plainData(Object.fromEntries(await cl.getMany(ids))),
        retired: await cl.getnodeids(true),
        // Per item, oldest first; the order between items of one instant is not kept by design.
        journal: plainData((await cl.journal(ids)).sort((a, b) => Number(a.nodeid) - Number(b.nodeid))),
        nextId: await cl.getNextId(),
        files,
      };
    }
    return out;
  } finally {
    await db.close();
  }
}

const COMMANDS = [...ADMIN_COMMANDS, exportCommand, exporttablesCommand, importCommand, importtablesCommand].sort((a, b) => (a.name < b.name ? -1 : 1));

/** Runs roundup-admin in-process on a tracker home, with the export and import commands added. */
export async function admin(home: string, argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const io = new CaptureIO();
  const status = await main(['-i', home, ...argv], io, {}, COMMANDS);
  return { status, stdout: io.stdout, stderr: io.stderr };
}
