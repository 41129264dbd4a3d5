import { type ChildProcess, fork } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { LoadRequest, LoadResult } from './web-client.js';

/**
 * The load generator, a child process (bench/web-client.ts) that runs one
 * job at a time, so the clients take neither the server's thread nor its
 * CPU time.
 */
export class LoadGenerator {
  private readonly child: ChildProcess = fork(fileURLToPath(new URL('./web-client.js', import.meta.url)), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });

  run(job: LoadRequest): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      const exit = (code: number | null): void => reject(new Error(`the load generator stopped (exit code ${code})`));
      this.child.once('exit', exit);
      this.child.once('message', (result: LoadResult) => {
        this.child.off('exit', exit);
        resolve(result);
      });
      this.child.send(job);
    });
  }

  close(): void {
    this.child.kill();
  }
}

/** Milliseconds for one GET read to the end (a new connection each time); throws unless it answers 200. */
export function timedGet(port: number, path: string): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - start) / 1e6) : reject(new Error(`${path} answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}
