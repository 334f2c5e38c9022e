/**
 * A TCP proxy on 127.0.0.1 that a test can take down and bring back on the same port: what a
 * Chain server sees when its node restarts from its data directory (connections reset, the
 * port refusing for a while, then the same chain again). The embedded chain keeps running
 * behind it, so blocks can be mined while the node is "down".
 */
import net from 'node:net';

/** A proxy in front of one TCP address. */
export interface TcpProxy {
  /** `http://127.0.0.1:<port>`: the URL to give the client instead of the node's. */
  readonly url: string;
  /** Stops listening and resets every open connection (RST, not a polite FIN). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
}

/** Starts a proxy to `target` (a `http://host:port` URL) on a free port. */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;

  const listen = async () => {
    const next = net.createServer((client) => {
      const upstream = net.connect({ host: hostname, port: Number(targetPort) });
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        // Either side failing ends both: a half-open pair would leave the client waiting.
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        next.off('error', reject);
        resolve();
      });
    });
    port = (next.address() as net.AddressInfo).port;
    server = next;
  };

  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    async down() {
      const closing = server;
      server = undefined;
      if (closing === undefined) return;
      const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
      for (const s of sockets) s.resetAndDestroy();
      await closed;
    },
    async up() {
      if (server === undefined) await listen();
    },
  };
}
