import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { exportTracker } from '../lib/admin/export.js';
import { importTracker } from '../lib/admin/import.js';
import type { Tracker } from '../lib/tracker/tracker.js';
import { type BackendName, createTestTracker } from '../test/support/trackers.js';

export interface PhaseTiming {
  seconds: number;
  /** Items written or read (journal entries and file contents not counted). */
  items: number;
  itemsPerSecond: number;
}

export interface ExportImportTiming {
  export: PhaseTiming;
  import: PhaseTiming;
  journalEntries: number;
  files: number;
}

function phase(items: number, start: bigint): PhaseTiming {
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, items, itemsPerSecond: items / seconds };
}

/**
 * Exports `source` (every class, file contents included) into a folder of
 * `workDir`, then imports that export into a fresh, empty tracker on
 * `backend` and commits, timing both as `roundup-admin export` / `import`
 * would run. The folder and the second tracker are removed afterwards.
 */
export async function benchExportImport(source: Tracker, backend: BackendName, workDir: string): Promise<ExportImportTiming> {
  const dir = mkdtempSync(join(workDir, 'export-'));
  try {
    const reader = await source.open({ userid: '1' }, { checked: false });
    let start = process.hrtime.bigint();
    let exported;
    try {
      exported = await exportTracker(reader, dir);
    } finally {
      await reader.close();
    }
    const exportTiming = phase(exported.items, start);

    const target = await createTestTracker({ backend, parentDir: workDir, initialise: false });
    try {
      const writer = await target.tracker.open({ userid: '1' }, { checked: false });
      start = process.hrtime.bigint();
      try {
        await importTracker(writer, dir);
        await writer.commit();
      } finally {
        await writer.close();
      }
      return { export: exportTiming, import: phase(exported.items, start), journalEntries: exported.journalEntries, files: exported.files };
    } finally {
      await target.cleanup();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The lines `npm run bench` prints for one backend. */
export function describeExportImport(backend: BackendName, t: ExportImportTiming): string[] {
  const line = (what: string, p: PhaseTiming) =>
    `[${backend}] ${what} ${p.items} items (${t.journalEntries} journal entries, ${t.files} files) in ${p.seconds.toFixed(1)} s: ${Math.round(p.itemsPerSecond)} items/s`;
  return [line('export:', t.export), line('import into a new tracker:', t.import)];
}
