import { Agent, request } from 'node:http';

/**
 * The load generator of bench/web.ts, run as a child process so the
 * clients take neither the server's thread nor its CPU time: for each
 * job, `clients` concurrent clients on keep-alive connections send
 * `total` GET requests for `paths` (round robin) and report the
 * latencies.
 */

export interface LoadRequest {
  port: number;
  paths: string[];
  total: number;
  clients: number;
  headers: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  /** Answers other than 200: [status, count]. */
  failures: Array<[number, number]>;
}

function get(agent: Agent, job: LoadRequest, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: job.port, path, headers: job.headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function run(job: LoadRequest): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.clients });
  const times: number[] = [];
  const failures = new Map<number, number>();
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: job.clients }, async () => {
      while (next < job.total) {
        const path = job.paths[next++ % job.paths.length]!;
        const t = process.hrtime.bigint();
        const status = await get(agent, job, path);
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (status !== 200) failures.set(status, (failures.get(status) ?? 0) + 1);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  times.sort((a, b) => a - b);
  return { requests: times.length, seconds, p50: times[Math.floor(times.length * 0.5)]!, p99: times[Math.floor(times.length * 0.99)]!, failures: [...failures] };
}

// One job per message from the parent; a failure ends the process (the parent sees the exit).
process.on('message', (job: LoadRequest) => {
  run(job).then(
    (result) => process.send!(result),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
