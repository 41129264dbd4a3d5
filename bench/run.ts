import { buildTracker, indexPage, medianMs, textSearch } from './core.js';
import { benchExportImport, describeExportImport } from './export-import.js';
import { benchWeb } from './web.js';
import { benchMailgw } from './mailgw.js';
import { benchNosy } from './nosy.js';
import { benchFrontends } from './frontends.js';
import { benchServer } from './server.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../test/support/paths.js';
import { createTestTracker, postgresUnavailable, type BackendName } from '../test/support/trackers.js';

/**
 * `npm run bench`: builds a 20,000-issue tracker (3 messages each) on each
 * backend and reports numbers (not pass/fail): the core's index page and
 * search, export/import, and the web pages over HTTP (bench/web.ts).
 * ISSUES=n changes the size.
 */
function workDir(): string {
  const dir = process.env.BENCH_DIR ?? join(repoRoot, 'bench', '.work');
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function benchBackend(backend: BackendName, issues: number): Promise<void> {
  // Tracker homes live on an ordinary disk, as in production (not in the system's temp folder).
  const t = await createTestTracker({ backend, parentDir: workDir() });
  try {
    const build = await buildTracker(t.tracker, issues, 3);
    const items = build.issues + build.messages;
    console.log(`[${backend}] created ${build.issues} issues with ${build.messages} messages in ${build.seconds.toFixed(1)} s: ${Math.round(items / build.seconds)} items/s`);
    let rows = 0;
    const page = await medianMs(async () => {
      rows = await indexPage(t.tracker);
    });
    console.log(`[${backend}] index page (filtered, sorted, grouped, ${rows} rows with their data): median ${page.toFixed(2)} ms`);
    let hits = 0;
    await textSearch(t.tracker, 'warmup');
    const search = await medianMs(async () => {
      hits = await textSearch(t.tracker, 'unicode encoding');
    });
    console.log(`[${backend}] full-text search over ${build.messages} messages ("unicode encoding", ${hits} issues): median ${search.toFixed(2)} ms`);
    for (const line of describeExportImport(backend, await benchExportImport(t.tracker, backend, workDir()))) console.log(line);
    for (const line of await benchWeb(t.tracker, backend, build.issues)) console.log(line);
  } finally {
    await t.cleanup();
  }
}

async function main(): Promise<void> {
  const issues = Number(process.env.ISSUES ?? 20000);
  await benchBackend('sqlite', issues);
  const reason = await postgresUnavailable();
  if (reason) console.log(`[postgresql] skipped: ${reason}`);
  else await benchBackend('postgresql', issues);
  for (const line of await benchMailgw()) console.log(line);
  for (const line of await benchNosy()) console.log(line);
  for (const line of await benchFrontends(workDir())) console.log(line);
  for (const line of await benchServer(workDir())) console.log(line);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
