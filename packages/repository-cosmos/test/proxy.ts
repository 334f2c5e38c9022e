/**
 * A small HTTPS proxy in front of the in-process Cosmos server that can answer a request itself
 * (a 429 with `x-ms-retry-after-ms`, a 503, an empty query page) instead of forwarding it. It
 * reuses cosmosdb-server's own self-signed certificate; its upstream agent trusts that
 * certificate for the upstream connection only.
 */
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface Injected {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Decides per request: answer it (return a response) or forward it (return undefined). */
export type Fault = (req: SeenRequest) => Injected | undefined;

export interface FaultProxy {
  endpoint: string;
  seen: SeenRequest[];
  /** Faults tried in order; a fault that answers is removed when `once` (the default). */
  inject(fault: Fault, options?: { once?: boolean }): void;
  clear(): void;
  close(): Promise<void>;
}

const dir = dirname(createRequire(import.meta.url).resolve('@vercel/cosmosdb-server/package.json'));

export async function startProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
  const faults: { fault: Fault; once: boolean }[] = [];
  const seen: SeenRequest[] = [];
  const server = https.createServer(
    { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) },
    (req, res) => {
      const info: SeenRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
      };
      seen.push(info);
      for (let i = 0; i < faults.length; i++) {
        const answer = faults[i]!.fault(info);
        if (!answer) continue;
        if (faults[i]!.once) faults.splice(i, 1);
        req.resume();
        const body = JSON.stringify(
          answer.body ?? { code: String(answer.status), message: 'injected by the fault proxy' },
        );
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(body);
        return;
      }
      const up = https.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
          agent,
        },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    inject(fault, options = {}) {
      faults.push({ fault, once: options.once ?? true });
    },
    clear() {
      faults.length = 0;
      seen.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

/** A document query (not the query-plan request the SDK sends first). */
export const isQuery = (r: SeenRequest) =>
  r.method === 'POST' &&
  String(r.headers['x-ms-documentdb-isquery']).toLowerCase() === 'true' &&
  !r.headers['x-ms-cosmos-is-query-plan-request'];
