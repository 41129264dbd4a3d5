import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { SERVER_USER, runningAsRoot } from '../../server/server-process.js';

/**
 * Debian's web servers (nginx, Apache httpd, lighttpd) run by a test:
 * the main configuration is written into the test's own directory (pid,
 * logs, temporary files and sockets all in there, ports on 127.0.0.1),
 * and includes the example site configuration from frontends/ as given.
 * Each server runs in the foreground as a child of the test and is
 * stopped by it.
 */

/** A started web server or backend process. */
export interface ServerProcess {
  /** Stops it and waits for it to exit. */
  stop(): Promise<void>;
  /** What it logged (error log and output), for failure messages. */
  log(): string;
}

/** Why a web server cannot be used here (for a skip message), or null. */
export function missingProgram(program: 'nginx' | 'apache2' | 'lighttpd' | 'openssl'): string | null {
  return spawnSync('sh', ['-c', `command -v ${program}`]).status === 0 ? null : `${program} is not installed (Debian package ${program})`;
}

function canConnect(target: { port: number } | { path: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = 'port' in target ? connect(target.port, '127.0.0.1') : connect(target.path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts `command` and waits until every target accepts connections.
 * Rejects with the process output and `logFiles` when it exits first or
 * is not ready within 30 seconds.
 */
export async function startProcess(
  command: string,
  args: readonly string[],
  options: { ready: ReadonlyArray<{ port: number } | { path: string }>; logFiles?: readonly string[]; env?: NodeJS.ProcessEnv; cwd?: string; stopSignal?: NodeJS.Signals },
): Promise<ServerProcess & { child: ChildProcess; output(): string }> {
  const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env, cwd: options.cwd });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (output += text));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const log = (): string =>
    [`$ ${command} ${args.join(' ')}`, output, ...(options.logFiles ?? []).filter((f) => existsSync(f)).map((f) => `--- ${f}\n${readFileSync(f, 'utf8')}`)].join('\n');
  const deadline = Date.now() + 30_000;
  for (const target of options.ready) {
    while (!(await canConnect(target))) {
      if (gone || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${command} did not start:\n${log()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    child,
    output: () => output,
    log,
    async stop() {
      if (gone) return;
      child.kill(options.stopSignal ?? 'SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** nginx with `site` (an example server block) inside its http block. */
export async function startNginx(dir: string, site: string, ports: readonly number[]): Promise<ServerProcess> {
  mkdirSync(join(dir, 'nginx'), { recursive: true });
  const base = join(dir, 'nginx');
  // Files the example includes by relative name, as on a Debian system.
  for (const file of ['fastcgi_params', 'mime.types']) copyFileSync(join('/etc/nginx', file), join(base, file));
  writeFileSync(join(base, 'site.conf'), site);
  writeFileSync(
    join(base, 'nginx.conf'),
    `daemon off;
${runningAsRoot() ? 'user root;\n' : ''}worker_processes 1;
pid ${base}/nginx.pid;
error_log ${base}/error.log info;
events { worker_connections 256; }
http {
    include mime.types;
    default_type application/octet-stream;
    access_log ${base}/access.log;
    client_body_temp_path ${base}/client_body;
    proxy_temp_path ${base}/proxy;
    fastcgi_temp_path ${base}/fastcgi;
    uwsgi_temp_path ${base}/uwsgi;
    scgi_temp_path ${base}/scgi;
    include site.conf;
}
`,
  );
  return startProcess('nginx', ['-p', `${base}/`, '-c', join(base, 'nginx.conf'), '-e', join(base, 'error.log')], {
    ready: ports.map((port) => ({ port })),
    logFiles: [join(base, 'error.log')],
  });
}

/** The group of the unprivileged account (Debian's nobody is in nogroup). */
function groupOf(user: string): string {
  return spawnSync('id', ['-gn', user], { encoding: 'utf8' }).stdout.trim();
}

/**
 * Apache httpd with `site` (an example virtual host), loading `modules`
 * (names as in mod_<name>.so). Apache will not serve as root: started as
 * root, its children (and so CGI programs) run as the tests' unprivileged
 * user, to whom the tracker homes are handed.
 */
export async function startApache(dir: string, site: string, ports: readonly number[], modules: readonly string[]): Promise<ServerProcess> {
  const base = join(dir, 'apache');
  mkdirSync(base, { recursive: true });
  writeFileSync(join(base, 'site.conf'), site);
  const all = ['mpm_event', 'authz_core', 'mime', ...modules];
  const load = all.map((name) => `LoadModule ${name}_module /usr/lib/apache2/modules/mod_${name}.so`).join('\n');
  writeFileSync(
    join(base, 'httpd.conf'),
    `ServerRoot ${base}
DefaultRuntimeDir ${base}
PidFile ${base}/httpd.pid
ErrorLog ${base}/error.log
LogLevel warn
Mutex file:${base} default
ServerName 127.0.0.1
${ports.map((port) => `Listen 127.0.0.1:${port}`).join('\n')}
${load}
${runningAsRoot() ? `User ${SERVER_USER}\nGroup ${groupOf(SERVER_USER)}\n` : ''}TypesConfig /etc/mime.types
${modules.includes('cgid') ? `ScriptSock ${base}/cgid.sock\n` : ''}${modules.includes('ssl') ? `SSLSessionCache none\n` : ''}Include ${base}/site.conf
`,
  );
  return startProcess('apache2', ['-f', join(base, 'httpd.conf'), '-DFOREGROUND'], {
    ready: ports.map((port) => ({ port })),
    logFiles: [join(base, 'error.log')],
    // Apache's graceful stop is SIGWINCH; SIGTERM stops at once, which is what a test wants.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' },
  });
}

/** lighttpd with `site` (an example snippet) included, on `port`. */
export async function startLighttpd(dir: string, site: string, port: number): Promise<ServerProcess> {
  const base = join(dir, 'lighttpd');
  mkdirSync(join(base, 'htdocs'), { recursive: true });
  writeFileSync(join(base, 'site.conf'), site);
  writeFileSync(
    join(base, 'lighttpd.conf'),
    `server.document-root = "${base}/htdocs"
server.bind = "127.0.0.1"
server.port = ${port}
server.pid-file = "${base}/lighttpd.pid"
server.errorlog = "${base}/error.log"
server.upload-dirs = ( "${base}" )
include "${base}/site.conf"
`,
  );
  return startProcess('lighttpd', ['-D', '-f', join(base, 'lighttpd.conf')], {
    ready: [{ port }],
    logFiles: [join(base, 'error.log')],
  });
}
