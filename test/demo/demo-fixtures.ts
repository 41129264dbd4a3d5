import { type Server, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Listens on 127.0.0.1:`port` (0 for any free port); resolves with the server, or null when the port is taken already. */
export function occupy(port: number): Promise<Server | null> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(null) : reject(err)));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

export function release(server: Server | null): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

/** A port on 127.0.0.1 that nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = (await occupy(0))!;
  const port = portOf(server);
  await release(server);
  return port;
}
