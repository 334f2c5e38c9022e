import { once } from 'node:events';
import type { AddressInfo, Server } from 'node:net';

/** Listens on a free 127.0.0.1 port and returns it. */
export async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Closes a server, ending idle keep-alive/HTTP2 sessions so afterAll does not hang. */
export async function close(server: Server & { closeAllConnections?: () => void }): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
