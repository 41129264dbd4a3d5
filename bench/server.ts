import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Tracker } from '../lib/tracker/tracker.js';
import { createTrackerApp } from '../lib/web/app.js';
import { handToServerUser, removeAll, serverHome, serverUserArgs, startServer } from '../test/server/server-process.js';
import type { TestTracker } from '../test/support/trackers.js';
import { buildTracker } from './core.js';
import { LoadGenerator, timedGet } from './load-generator.js';
import type { LoadResult } from './web-client.js';

/**
 * roundup-server with many trackers, and what the server adds per request:
 *
 * - TRACKERS (100) small trackers (minimal template, empty) under one
 *   port: the server's resident memory at start and once every tracker
 *   has been loaded, and the latency of each tracker's first request
 *   (which loads it) and of a warm one.
 * - One classic tracker with 50 issues: requests per second for its
 *   issue index page straight from `createTrackerApp` in a plain
 *   `http.Server`, and through the stand-alone server (`-t none`), by 8
 *   concurrent keep-alive clients in another process.
 *
 * Numbers, not pass/fail. REQUESTS changes the requests per throughput
 * measurement (1000).
 */

const CLIENTS = 8;

/** Resident memory of a process, in MiB (Linux /proc). */
function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(/(\d+)/.exec(line)![1]) / 1024;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

function summary(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  return `median ${percentile(sorted, 0.5).toFixed(1)} ms, p90 ${percentile(sorted, 0.9).toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms`;
}

/** One load job in the load-generator process (bench/web-client.ts). */
function load(clients: LoadGenerator, port: number, path: string, total: number): Promise<LoadResult> {
  return clients.run({ port, paths: [path], total, clients: CLIENTS, headers: { host: 'tracker.example' } });
}

function describeLoad(what: string, r: LoadResult): string {
  const failed = r.failures.map(([status, n]) => `${n} × ${status}`).join(', ');
  return `[server] ${what}: ${Math.round(r.requests / r.seconds)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms${failed ? ` (non-200: ${failed})` : ''}`;
}

async function manyTrackers(workDir: string, count: number): Promise<string[]> {
  const lines: string[] = [];
  const homes: TestTracker[] = [];
  const dir = mkdtempSync(join(workDir, 'server-many-'));
  handToServerUser(dir);
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    for (let i = 0; i < count; i++) homes.push(await serverHome({ template: 'minimal', parentDir: dir, initialise: true }));
    const ini = join(dir, 'roundup-server.ini');
    writeFileSync(ini, `[main]\nmultiprocess = none\n\n[trackers]\n${homes.map((h, i) => `t${i} = ${h.home}\n`).join('')}`);
    server = await startServer(['-C', ini, '-n', '127.0.0.1', '-p', '0', ...serverUserArgs()]);
    const atStart = rssMiB(server.child.pid!);
    const first: number[] = [];
    for (let i = 0; i < count; i++) first.push(await timedGet(server.port, `/t${i}/`));
    const loaded = rssMiB(server.child.pid!);
    const warm: number[] = [];
    for (let i = 0; i < count; i++) warm.push(await timedGet(server.port, `/t${i}/`));
    lines.push(`[server] ${count} trackers under one port: resident memory ${atStart.toFixed(0)} MiB at start, ${loaded.toFixed(0)} MiB with all loaded (${((loaded - atStart) / count).toFixed(1)} MiB per tracker)`);
    lines.push(`[server] first request per tracker (loads it): ${summary(first)}`);
    lines.push(`[server] warm request per tracker: ${summary(warm)}`);
  } finally {
    if (server) {
      server.kill('SIGTERM');
      await server.exited;
    }
    for (const home of homes) await home.cleanup();
    removeAll(dir);
  }
  return lines;
}

async function throughput(workDir: string, total: number): Promise<string[]> {
  const lines: string[] = [];
  const home = await serverHome({ parentDir: workDir });
  const clients = new LoadGenerator();
  let direct: Server | null = null;
  let tracker: Tracker | null = null;
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    tracker = await Tracker.open(home.home);
    await buildTracker(tracker, 50, 1);
    const app = createTrackerApp(tracker, { basePath: '/support/' });
    direct = createServer(app.callback());
    await new Promise<void>((resolve) => direct!.listen(0, '127.0.0.1', resolve));
    const directPort = (direct.address() as AddressInfo).port;
    await load(clients, directPort, '/support/issue', 2 * CLIENTS);
    lines.push(describeLoad('issue index page, createTrackerApp in a plain http.Server', await load(clients, directPort, '/support/issue', total)));
    handToServerUser(home.home);
    server = await startServer(['-t', 'none', '-n', '127.0.0.1', '-p', '0', ...serverUserArgs(), `support=${home.home}`]);
    await load(clients, server.port, '/support/issue', 2 * CLIENTS);
    lines.push(describeLoad('issue index page, through roundup-server -t none', await load(clients, server.port, '/support/issue', total)));
    await load(clients, server.port, '/favicon.ico', 2 * CLIENTS);
    lines.push(describeLoad('favicon, roundup-server alone (router, access log)', await load(clients, server.port, '/favicon.ico', total)));
  } finally {
    clients.close();
    if (server) {
      server.kill('SIGTERM');
      await server.exited;
    }
    if (direct) await new Promise((resolve) => direct!.close(resolve));
    await tracker?.close();
    await home.cleanup();
  }
  return lines;
}

/** Runs both measurements and returns the lines to print. */
export async function benchServer(workDir: string): Promise<string[]> {
  const count = Number(process.env.TRACKERS ?? 100);
  const total = Number(process.env.REQUESTS ?? 1000);
  return [...(await manyTrackers(workDir, count)), ...(await throughput(workDir, total))];
}
