import { type IncomingHttpHeaders, type Server, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Tracker } from '../lib/tracker/tracker.js';
import { createTrackerApp } from '../lib/web/app.js';
import { LoadGenerator } from './load-generator.js';
import type { LoadResult } from './web-client.js';

/**
 * Web benchmark, on a tracker bench/core.ts built (20,000 issues with 3
 * messages each, 2,000 users): the default issue index page (50 rows), an
 * issue page with 3 messages and a search, each fetched by 8 concurrent
 * clients over loopback HTTP from the real request handler, anonymous and
 * logged in as admin (through the login form, then the session cookie, as
 * a browser does). Reports requests/s and p50/p99 latency, not pass/fail,
 * and the server's CPU time per request (all threads of this process,
 * SQLite's included, PostgreSQL's own work not): on a shared machine it
 * moves far less with the load of others than requests/s do. The clients
 * run in a child process (bench/web-client.ts).
 *
 * Pages are kept rendered (lib/web/render/page-cache.ts) while the data
 * does not change: each measurement is reported in the steady state (every
 * page shown once before) and with every request for a page not rendered
 * before, which is what a request costs after a change to the data.
 *
 * The Python Roundup 2.6 reference on the same tracker: index ~22 req/s
 * (p50 340 ms); issue page ~9 req/s as admin (its menus list the 2,000
 * users) and 93 req/s anonymous; search ~12 req/s (p50 650 ms). The
 * target is 20 times that for pages, 10 times for search, p99 < 50 ms.
 * REQUESTS changes the number of requests of a steady-state measurement
 * (2,000: about a second, long enough for what the pages rendered anew
 * just before left behind, garbage and the optimising compiler's work, to
 * be a small part of it); a tenth of that are pages rendered anew.
 */

const CLIENTS = 8;

/** Where requests go, and the headers every request carries (Host of `[tracker] web`, session cookie). */
interface Target {
  port: number;
  headers: Record<string, string>;
}

/**
 * `total` GET requests for `paths` (round robin) by CLIENTS concurrent
 * clients, with the CPU time this (the server's) process spent meanwhile.
 */
async function load(clients: LoadGenerator, target: Target, paths: string[], total: number): Promise<LoadResult & { serverCpuMs: number }> {
  const cpu = process.cpuUsage();
  const result = await clients.run({ port: target.port, headers: target.headers, paths, total, clients: CLIENTS });
  const used = process.cpuUsage(cpu);
  return { ...result, serverCpuMs: (used.user + used.system) / 1000 };
}

/** The line printed for one measurement. */
function describeLoad(backend: string, what: string, r: LoadResult & { serverCpuMs: number }): string {
  const failed = r.failures.map(([status, n]) => `${n} × ${status}`).join(', ');
  return (
    `[${backend}] web ${what}: ${Math.round(r.requests / r.seconds)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ` +
    `server CPU ${(r.serverCpuMs / r.requests).toFixed(2)} ms/request` +
    (failed ? ` (non-200 answers: ${failed})` : '')
  );
}

/** One request of the login, its body read. */
function send(
  target: Target,
  path: string,
  extra: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: target.port, path, method: extra.method ?? 'GET', headers: { ...target.headers, ...extra.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(extra.body);
  });
}

/**
 * Logs in through the home page's login form, as a browser does: the
 * form's `@csrf` token and any cookie it came with, posted with the
 * tracker's Origin and Referer. Returns the session cookie, or throws
 * saying why the login did not work.
 */
async function logIn(target: Target, basePath: string, origin: string, username: string, password: string): Promise<string> {
  const home = await send(target, basePath);
  const token = /name="@csrf" value="([^"]*)"/.exec(home.body)?.[1];
  if (token === undefined) throw new Error(`the home page (${home.status}) has no login form with a @csrf token`);
  const earlier = cookieOf(home.headers['set-cookie']);
  const answer = await send(target, basePath, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin,
      referer: `${origin}${basePath}`,
      ...(earlier ? { cookie: earlier } : {}),
    },
    body: new URLSearchParams({ '@action': 'login', __login_name: username, __login_password: password, '@csrf': token }).toString(),
  });
  const session = cookieOf(answer.headers['set-cookie']);
  if (answer.status !== 302 || !session) throw new Error(`the login form answered ${answer.status} without a session cookie`);
  return session;
}

/** The `name=value` pairs of `Set-Cookie` headers, as a `Cookie` header. */
function cookieOf(setCookie: string | string[] | undefined): string {
  return [setCookie ?? []].flat().map((c) => c.split(';')[0]!).filter((c) => !/=$/.test(c)).join('; ');
}

/**
 * Serves `tracker` (built by bench/core.ts with `issues` issues) on a
 * loopback port and returns the lines of the measurements.
 */
export async function benchWeb(tracker: Tracker, backend: string, issues: number, total = Number(process.env.REQUESTS ?? 2000)): Promise<string[]> {
  const web = new URL(String(tracker.config.TRACKER_WEB));
  const basePath = web.pathname.endsWith('/') ? web.pathname : `${web.pathname}/`;
  // As roundup-server does when it loads a tracker (lib/server/tracker-slot.ts).
  await tracker.warm();
  const server: Server = createServer(createTrackerApp(tracker).callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const lines: string[] = [];
  const clients = new LoadGenerator();
  try {
    const port = (server.address() as AddressInfo).port;
    // Requests name the tracker's own host, as they do behind its address.
    const anonymous: Target = { port, headers: { host: web.host } };
    const index = `${basePath}issue?@columns=id,activity,title,creator,status&@sort=-activity&@group=priority&@filter=status&status=-1,1,2,3,4,5,6,7&@pagesize=50&@startwith=0`;
    const issuePages = Array.from({ length: 50 }, (_, i) => `${basePath}issue${1 + Math.floor((i * issues) / 50)}`);
    const search = `${basePath}issue?@columns=id,activity,title,status&@sort=-activity&@search_text=unicode+encoding&@pagesize=50`;
    const who: Array<[string, Target | string]> = [['anonymous', anonymous]];
    try {
      const cookie = await logIn(anonymous, basePath, web.origin, 'admin', 'admin');
      who.push(['admin', { port, headers: { ...anonymous.headers, cookie } }]);
    } catch (err) {
      who.push(['admin', `not measured, the login failed: ${(err as Error).message}`]);
    }
    for (const [name, target] of who) {
      if (typeof target === 'string') {
        lines.push(`[${backend}] web, logged in as ${name}: ${target}`);
        continue;
      }
      for (const [what, paths] of [
        ['index page, 50 rows', [index]],
        ['issue page, 3 messages', issuePages],
        ['search "unicode encoding"', [search]],
      ] as const) {
        // The first requests load what later ones reuse (a server answers many): timed apart.
        const start = process.hrtime.bigint();
        const first = await send(target, paths[0]);
        const firstMs = Number(process.hrtime.bigint() - start) / 1e6;
        if (first.status !== 200) throw new Error(`${what} (${name}) answered ${first.status}`);
        // Pages not rendered before: a parameter the pages ignore makes each URL new to the page cache.
        const fresh = Array.from({ length: Math.max(CLIENTS, Math.round(total / 10)) }, (_, i) => `${paths[i % paths.length]}${paths[i % paths.length]!.includes('?') ? '&' : '?'}bench=${i}`);
        const uncached = await load(clients, target, fresh, fresh.length);
        // Steady state: every page has been shown once, as on a server that has been up a while.
        await load(clients, target, [...paths], paths.length + 2 * CLIENTS);
        lines.push(`${describeLoad(backend, `${what} (${name})`, await load(clients, target, [...paths], total))}; first request ${firstMs.toFixed(0)} ms`);
        lines.push(`${describeLoad(backend, `${what} (${name}), each page rendered anew`, uncached)}`);
      }
    }
  } finally {
    clients.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return lines;
}
