import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { Tracker } from '../lib/tracker/tracker.js';
import { repoRoot } from '../test/support/paths.js';
import { freePort, handToServerUser, removeAll, serverHome, serverUserArgs, startServer } from '../test/server/server-process.js';
import { commonValues } from '../test/frontends/support/deployment.js';
import { renderExample } from '../test/frontends/support/example-configs.js';
import { type ServerProcess, missingProgram, startLighttpd, startNginx, startProcess } from '../test/frontends/support/web-servers.js';
import { buildTracker } from './core.js';
import { LoadGenerator, timedGet } from './load-generator.js';
import type { LoadResult } from './web-client.js';

/**
 * What each deployment frontend costs: the same requests to one tracker
 * straight to roundup-server, through nginx proxying to it
 * (frontends/nginx-proxy.conf), and through nginx to the FastCGI
 * responder (frontends/nginx-fastcgi.conf), by 8 concurrent keep-alive
 * clients; and the latency of roundup.cgi under lighttpd, which starts a
 * process per request. Two requests: the favicon, answered by the
 * multi-tracker router alone (the transport's own cost), and the issue
 * index page of a small tracker. Numbers, not pass/fail. REQUESTS changes
 * the requests per measurement (1000).
 */

const CLIENTS = 8;

/** `total` GET requests for `path` by CLIENTS concurrent clients. */
function load(clients: LoadGenerator, port: number, path: string, total: number): Promise<LoadResult> {
  return clients.run({ port, paths: [path], total, clients: CLIENTS, headers: { host: `127.0.0.1:${port}` } });
}

function describe(what: string, r: LoadResult): string {
  const failed = r.failures.map(([status, n]) => `${n} × ${status}`).join(', ');
  return `[frontends] ${what}: ${Math.round(r.requests / r.seconds)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms${failed ? ` (non-200 answers: ${failed})` : ''}`;
}

/** Measures every frontend and returns the lines to print. */
export async function benchFrontends(workDir: string, total = Number(process.env.REQUESTS ?? 1000)): Promise<string[]> {
  const lines: string[] = [];
  const nginxPort = await freePort();
  const dir = mkdtempSync(join(workDir, 'frontends-'));
  handToServerUser(dir);
  const tracker = await serverHome({ parentDir: workDir, settings: { tracker_web: `http://127.0.0.1:${nginxPort}/roundup/support/` } });
  const started: Array<ServerProcess | { stop(): Promise<void> }> = [];
  const clients = new LoadGenerator();
  try {
    const open = await Tracker.open(tracker.home);
    await buildTracker(open, 50, 1);
    await open.close();
    // The server's user must own what building the tracker wrote.
    handToServerUser(tracker.home);
    // Mounted where nginx forwards to (frontends/nginx-proxy.conf).
    const backend = await startServer(['-t', 'none', '-n', '127.0.0.1', '-p', '0', ...serverUserArgs(), '--base_path=/roundup/', '--trusted_proxies=127.0.0.1', `support=${tracker.home}`]);
    started.push({
      stop: async () => {
        backend.kill('SIGTERM');
        await backend.exited;
      },
    });

    const measure = async (label: string, port: number, pathPrefix: string): Promise<void> => {
      for (const [what, path] of [
        ['favicon (router only)', `${pathPrefix}favicon.ico`],
        ['issue index page', `${pathPrefix}support/issue`],
      ] as const) {
        await load(clients, port, path, 2 * CLIENTS);
        lines.push(describe(`${label}, ${what}`, await load(clients, port, path, total)));
      }
    };

    await measure('roundup-server direct', backend.port, '/roundup/');

    if (missingProgram('nginx')) lines.push(`[frontends] nginx: skipped (${missingProgram('nginx')})`);
    else {
      const proxy = await startNginx(
        join(dir, 'proxy'),
        renderExample('nginx-proxy.conf', { ...commonValues(tracker.home), LISTEN: `127.0.0.1:${nginxPort}`, BACKEND: `127.0.0.1:${backend.port}` }),
        [nginxPort],
      );
      started.push(proxy);
      await measure('nginx proxying to roundup-server', nginxPort, '/roundup/');
      // The FastCGI set-up below takes over the port.
      await proxy.stop();

      const socket = join(dir, 'fastcgi.socket');
      const responder = await startProcess(process.execPath, [join(repoRoot, 'bin', 'roundup-fastcgi.js'), '--socket', socket, `support=${tracker.home}`], { ready: [{ path: socket }] });
      started.push(responder);
      const nginx = await startNginx(
        join(dir, 'fastcgi'),
        renderExample('nginx-fastcgi.conf', { ...commonValues(tracker.home), LISTEN: `127.0.0.1:${nginxPort}`, FASTCGI_SOCKET: socket }),
        [nginxPort],
      );
      started.push(nginx);
      await measure('nginx to the FastCGI responder', nginxPort, '/roundup/');
    }

    if (missingProgram('lighttpd')) lines.push(`[frontends] CGI: skipped (${missingProgram('lighttpd')})`);
    else {
      const cgiPort = await freePort();
      const lighttpd = await startLighttpd(join(dir, 'cgi'), renderExample('lighttpd-cgi.conf', { ...commonValues(tracker.home), LISTEN: `127.0.0.1:${cgiPort}` }), cgiPort);
      started.push(lighttpd);
      const times: number[] = [];
      for (let i = 0; i < 10; i++) times.push(await timedGet(cgiPort, '/roundup/support/issue'));
      times.sort((a, b) => a - b);
      lines.push(`[frontends] roundup.cgi under lighttpd, issue index page, one request at a time: median ${times[5]!.toFixed(0)} ms (a process per request)`);
    }
  } finally {
    clients.close();
    for (const server of started.reverse()) await server.stop();
    removeAll(dir);
    await tracker.cleanup();
  }
  return lines;
}
