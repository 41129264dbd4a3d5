import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { type Server, createServer, request as httpRequest, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Tracker } from '../lib/tracker/tracker.js';
import { type TrackerAppOptions, createTrackerApp } from '../lib/web/app.js';
import { anonymousUserId, emptySession } from '../lib/web/web-hooks.js';
import { repoRoot } from '../test/support/paths.js';
import { type BackendName, createTestTracker, postgresUnavailable } from '../test/support/trackers.js';
import { buildTracker } from './core.js';

/**
 * Web benchmark: on a tracker of ISSUES issues (20,000 by default, 3
 * messages each), the default issue index page (50 rows), an issue page
 * with 3 messages and a search, each fetched by 8 concurrent clients over
 * loopback HTTP, logged in and anonymous; prints requests/s and p50/p99
 * latency. Reports numbers, not pass/fail. The Python Roundup reference:
 * index ~22 req/s (p50 340 ms), issue page ~9 req/s as admin and 93 req/s
 * anonymous, search ~12 req/s (p50 650 ms). ISSUES, REQUESTS (per
 * measurement) and BENCH_TEMPLATES (an html directory to use instead of
 * the classic templates) change the set-up.
 */

const CLIENTS = 8;

/** The logged-in user comes from a header: the session middleware is not what is measured. */
const benchAuthenticate: NonNullable<TrackerAppOptions['authenticate']> = async (ctx, tracker) => {
  const userid = ctx.get('x-bench-user');
  if (!userid) return { user: { userid: await anonymousUserId(tracker), username: 'anonymous', anonymous: true }, session: emptySession() };
  return { user: { userid, username: ctx.get('x-bench-username'), anonymous: false }, session: emptySession() };
};

interface Result {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  failures: number;
}

function fetchOnce(agent: Agent, port: number, path: string, headers: Record<string, string>): Promise<{ status: number; ms: number }> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - start) / 1e6 }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `total` requests for `paths` (round robin) by CLIENTS concurrent clients. */
async function load(port: number, paths: readonly string[], headers: Record<string, string>, total: number): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const times: number[] = [];
  let failures = 0;
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < total) {
        const path = paths[next++ % paths.length]!;
        const r = await fetchOnce(agent, port, path, headers);
        if (r.status !== 200) failures++;
        times.push(r.ms);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  times.sort((a, b) => a - b);
  return { requests: times.length, seconds, p50: times[Math.floor(times.length * 0.5)]!, p99: times[Math.floor(times.length * 0.99)]!, failures };
}

function report(backend: string, what: string, r: Result): void {
  console.log(
    `[${backend}] ${what}: ${Math.round(r.requests / r.seconds)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms` +
      (r.failures ? ` (${r.failures} non-200 answers)` : ''),
  );
}

async function benchBackend(backend: BackendName, issues: number, total: number): Promise<void> {
  const dir = process.env.BENCH_DIR ?? join(repoRoot, 'bench', '.work');
  mkdirSync(dir, { recursive: true });
  const t = await createTestTracker({ backend, parentDir: dir });
  let server: Server | null = null;
  try {
    if (process.env.BENCH_TEMPLATES) {
      // Templates of one's own (a tracker's html directory) instead of the classic ones.
      rmSync(join(t.home, 'html'), { recursive: true, force: true });
      cpSync(process.env.BENCH_TEMPLATES, join(t.home, 'html'), { recursive: true });
    }
    const build = await buildTracker(t.tracker, issues, 3);
    console.log(`[${backend}] ${build.issues} issues, ${build.messages} messages`);
    const app = createTrackerApp(t.tracker, { authenticate: benchAuthenticate });
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const user = await someUser(t.tracker);
    const index = '/demo/issue?@columns=id,activity,title,creator,status&@sort=-activity&@group=priority&@filter=status&status=-1,1,2,3,4,5,6,7&@pagesize=50&@startwith=0';
    const issuePages = Array.from({ length: 50 }, (_, i) => `/demo/issue${1 + Math.floor((i * issues) / 50)}`);
    const search = '/demo/issue?@columns=id,activity,title,status&@sort=-activity&@search_text=unicode+encoding&@pagesize=50';
    for (const [who, headers] of [
      ['anonymous', {}],
      ['logged in', { 'x-bench-user': user.id, 'x-bench-username': user.name }],
    ] as const) {
      await load(port, [index], headers, 20);
      report(backend, `index page, 50 rows (${who})`, await load(port, [index], headers, total));
      report(backend, `issue page, 3 messages (${who})`, await load(port, issuePages, headers, total));
      report(backend, `search (${who})`, await load(port, [search], headers, total));
    }
  } finally {
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    await t.cleanup();
  }
}

async function someUser(tracker: Tracker): Promise<{ id: string; name: string }> {
  const db = await tracker.open({ userid: '1' }, { checked: false });
  try {
    return { id: await db.getclass('user').lookup('user1'), name: 'user1' };
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  const issues = Number(process.env.ISSUES ?? 20000);
  const total = Number(process.env.REQUESTS ?? 400);
  if (!process.env.BENCH_TEMPLATES && !existsSync(join(repoRoot, 'templates/classic/html/page.html'))) {
    console.log('[web] skipped: templates/classic/html has no page.html yet (BENCH_TEMPLATES=<html dir> uses others)');
    return;
  }
  await benchBackend('sqlite', issues, total);
  const reason = await postgresUnavailable();
  if (reason) console.log(`[postgresql] skipped: ${reason}`);
  else await benchBackend('postgresql', issues, total);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
