import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { type LogSink, fileSink, stderrSink } from './access-log.js';
import { BindError } from './http-listener.js';
import { type Identity, runningAsRoot, switchIdentity } from './privileges.js';
import type { ServerSettings } from './server-config.js';
import type { ServerLogger } from './server-logger.js';
import { type Serving, sinkLogger, startServing } from './serving.js';
import type { TlsMaterial } from './tls.js';

/**
 * `-t fork`: Roundup forks a process per request, at most `max_children`
 * at a time. Node serves many requests per process, so we keep a pool of
 * worker processes (node:cluster, sharing one listening socket) instead:
 * `max_children` of them, but no more than there are processors. A worker
 * that dies is replaced; SIGHUP's new settings and log reopening are
 * passed on to every worker; a stop lets every worker finish its requests.
 */

/** What a worker is started with (JSON in its environment). */
interface WorkerPlan {
  settings: Omit<ServerSettings, 'trackers'> & { trackers: Array<[string, string]> };
  tls: TlsMaterial | null;
  identity: Identity | null;
}

const PLAN_ENV = 'RUP_SERVER_WORKER_PLAN';

type ToWorker = { kind: 'reload'; settings: WorkerPlan['settings'] } | { kind: 'reopen' } | { kind: 'stop' };
type FromWorker = { kind: 'listening'; port: number } | { kind: 'failed'; message: string; inUse: boolean } | { kind: 'reloaded' };

function toPlanSettings(settings: ServerSettings): WorkerPlan['settings'] {
  return { ...settings, trackers: [...settings.trackers] };
}

function fromPlanSettings(settings: WorkerPlan['settings']): ServerSettings {
  return { ...settings, trackers: new Map(settings.trackers) };
}

/** The number of workers for `max_children`. */
export function workerCount(maxChildren: number): number {
  return Math.max(1, Math.min(maxChildren, availableParallelism()));
}

/** The primary's side of fork mode. */
export interface WorkerPool {
  readonly port: number;
  /** Passes new settings to every worker; resolves once each has applied them. */
  reconfigure(settings: ServerSettings): Promise<void>;
  reopenLogs(): void;
  stop(): Promise<void>;
}

/**
 * Starts the workers and waits until all of them listen; rejects with a
 * BindError (the workers are stopped) when they cannot.
 */
export async function startWorkerPool(settings: ServerSettings, tls: TlsMaterial | null, identity: Identity | null, logger: ServerLogger): Promise<WorkerPool> {
  let plan: WorkerPlan = { settings: toPlanSettings(settings), tls, identity };
  let stopping = false;
  const workers = new Set<Worker>();
  const count = workerCount(settings.maxChildren);

  const fork = (): Promise<number> => {
    const worker = cluster.fork({ [PLAN_ENV]: JSON.stringify(plan) });
    workers.add(worker);
    return new Promise<number>((resolve, reject) => {
      let settled = false;
      worker.on('message', (message: FromWorker) => {
        if (message.kind === 'reloaded') return;
        if (settled) return;
        settled = true;
        if (message.kind === 'listening') resolve(message.port);
        else reject(new BindError(message.message, message.inUse, null));
      });
      worker.on('exit', (code, signal) => {
        workers.delete(worker);
        if (!settled) {
          settled = true;
          reject(new BindError(`A worker process ended before it could serve (status ${code ?? signal}).`, false, null));
          return;
        }
        if (stopping) return;
        logger.error(`worker ${worker.process.pid} ended (${signal ?? `status ${code}`}); starting another`);
        fork().catch((err: Error) => logger.error(`the new worker could not start: ${err.message}`));
      });
    });
  };

  const send = (message: ToWorker): void => {
    // A worker may end between the check and the send (one that failed to bind ends itself): the
    // send then fails with EPIPE, which without a callback is an 'error' event that stops this
    // process. Its 'exit' is handled above; the message it will not read does not matter.
    for (const worker of workers) if (worker.isConnected()) worker.send(message, undefined, () => undefined);
  };
  const stop = (): Promise<void> => {
    stopping = true;
    const exits = [...workers].map((worker) => new Promise<void>((resolve) => (worker.isDead() ? resolve() : worker.once('exit', () => resolve()))));
    send({ kind: 'stop' });
    return Promise.all(exits).then(() => undefined);
  };

  let port: number;
  try {
    const ports = await Promise.all(Array.from({ length: count }, () => fork()));
    port = ports[0]!;
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    port,
    reconfigure(next) {
      plan = { ...plan, settings: toPlanSettings(next) };
      const applied = [...workers]
        .filter((worker) => worker.isConnected())
        .map(
          (worker) =>
            new Promise<void>((resolve) => {
              const onMessage = (message: FromWorker): void => {
                if (message.kind !== 'reloaded') return;
                worker.off('message', onMessage);
                worker.off('exit', onExit);
                resolve();
              };
              const onExit = (): void => {
                worker.off('message', onMessage);
                resolve();
              };
              worker.on('message', onMessage);
              worker.once('exit', onExit);
            }),
        );
      send({ kind: 'reload', settings: plan.settings });
      return Promise.all(applied).then(() => undefined);
    },
    reopenLogs() {
      send({ kind: 'reopen' });
    },
    stop,
  };
}

/** Whether this process is a fork-mode worker. */
export function isWorker(): boolean {
  return cluster.isWorker && process.env[PLAN_ENV] !== undefined;
}

/** A worker's life: serve, follow the primary's messages, stop when told (or on SIGTERM / SIGINT). */
export async function runWorker(): Promise<number> {
  const plan = JSON.parse(process.env[PLAN_ENV]!) as WorkerPlan;
  const settings = fromPlanSettings(plan.settings);
  const sink: LogSink = settings.logfile ? fileSink(settings.logfile) : stderrSink();
  let serving: Serving;
  try {
    serving = await startServing(settings, 'fork', plan.tls, sink);
  } catch (err) {
    const inUse = err instanceof BindError && err.inUse;
    process.send!({ kind: 'failed', message: (err as Error).message, inUse } satisfies FromWorker);
    return 2;
  }
  if (runningAsRoot()) switchIdentity(plan.identity);
  process.send!({ kind: 'listening', port: serving.port } satisfies FromWorker);
  const logger = sinkLogger(sink);
  return new Promise<number>((resolve) => {
    let stopped = false;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      serving.stop().then(
        () => resolve(0),
        (err: Error) => {
          logger.error(`stopping: ${err.message}`);
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    // The primary passes SIGHUP on as messages; the worker's own copy (from a process-group signal) is not needed.
    process.on('SIGHUP', () => undefined);
    process.on('message', (message: ToWorker) => {
      if (message.kind === 'stop') stop();
      else if (message.kind === 'reopen') {
        const problem = sink.reopen();
        if (problem) logger.error(problem);
      } else if (message.kind === 'reload') {
        try {
          serving.reconfigure(fromPlanSettings(message.settings));
        } catch (err) {
          logger.error(`configuration not applied: ${(err as Error).message}`);
        }
        process.send!({ kind: 'reloaded' } satisfies FromWorker);
      }
    });
  });
}
