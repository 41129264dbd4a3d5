import { connect } from 'node:net';
import { RupError } from '../errors.js';

/** Where roundup-demo starts looking for a free port (Roundup's "fairly odd, random port"). */
export const DEFAULT_DEMO_PORT = 8917;
/** How far it steps when a port is taken. */
export const PORT_STEP = 100;

/** How long one probe waits for an answer before giving up on that host. */
const PROBE_TIMEOUT_MS = 3000;

/**
 * Whether something accepts connections on `host:port`: true when a
 * connection is made, false when it is refused. Any other outcome (no
 * such host, no route, no answer in time) is an error, as in Roundup,
 * which only treats "connection refused" as a free port.
 */
export function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(PROBE_TIMEOUT_MS);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new RupError('RUP_ERR_TRACKER', `No answer from ${host}:${port} while looking for a free port`));
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.destroy();
      if (err.code === 'ECONNREFUSED') resolve(false);
      else reject(new RupError('RUP_ERR_TRACKER', `Cannot check port ${port} on ${host}: ${err.message}`, { cause: err }));
    });
  });
}

/**
 * Roundup's demo port search: starting at `start`, try to connect to
 * `host`; while something answers, add 100. Each try is reported through
 * `log` as Roundup prints it ("Trying to set up web server on port 8917
 * ... should be ok." / "... already in use."). Resolves with the first
 * port nobody answers on.
 */
export async function probeFreePort(host: string, start: number = DEFAULT_DEMO_PORT, log: (line: string) => void = () => undefined): Promise<number> {
  for (let port = start; port <= 65535; port += PORT_STEP) {
    const taken = await portInUse(host, port);
    log(`Trying to set up web server on port ${port} ... ${taken ? 'already in use.' : 'should be ok.'}`);
    if (!taken) return port;
  }
  throw new RupError('RUP_ERR_TRACKER', `No free port found on ${host} from ${start} in steps of ${PORT_STEP}`);
}
