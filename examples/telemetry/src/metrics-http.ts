/**
 * `/metrics` for hosts that are not Fastify apps (the Chain server host): a node:http request
 * listener answering GET <path> with the Prometheus text and 404 otherwise.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Telemetry } from './setup.ts';

export function metricsListener(
  telemetry: Pick<Telemetry, 'prometheusText' | 'prometheusContentType'>,
  path = '/metrics',
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    if (
      (q < 0 ? url : url.slice(0, q)) !== path ||
      (req.method !== 'GET' && req.method !== 'HEAD')
    ) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    telemetry.prometheusText().then(
      (text) => {
        res.writeHead(200, { 'content-type': telemetry.prometheusContentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`# metrics collection failed: ${String(err)}\n`);
      },
    );
  };
}
