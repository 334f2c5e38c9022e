/**
 * Serves an in-process node's EIP-1193 provider as JSON-RPC over HTTP on 127.0.0.1, so that
 * child processes can share one chain (the multi-process nonce test).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

type Provider = { request(args: { method: string; params?: unknown }): Promise<unknown> };

/** Starts the server on a free port; returns its URL and the function that stops it. */
export async function serveJsonRpc(
  provider: Provider,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as
        | { id: unknown; method: string; params?: unknown }
        | { id: unknown; method: string; params?: unknown }[];
      const answer = async (call: { id: unknown; method: string; params?: unknown }) => {
        try {
          const result = await provider.request({ method: call.method, params: call.params ?? [] });
          return { jsonrpc: '2.0', id: call.id, result };
        } catch (e) {
          const error = e as { code?: number; message?: string; data?: unknown };
          return {
            jsonrpc: '2.0',
            id: call.id,
            error: {
              code: typeof error.code === 'number' ? error.code : -32603,
              message: error.message ?? String(e),
              ...(typeof error.data === 'string' && { data: error.data }),
            },
          };
        }
      };
      const reply = Array.isArray(body) ? await Promise.all(body.map(answer)) : await answer(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply));
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
