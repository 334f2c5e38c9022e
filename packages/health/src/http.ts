import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HealthRegistry, HealthReport, HealthStatus } from './registry.js';

/** Options of {@link healthHttpHandler}. */
export interface HealthHttpOptions {
  /** Liveness path. Default `/healthz`. */
  livenessPath?: string;
  /** Readiness path. Default `/readyz`. */
  readinessPath?: string;
  /** Tags run by the liveness probe. Default `['live']` (no checks: the process answers, so it lives). */
  livenessTags?: readonly string[];
  /** Tags run by the readiness probe. Default `['ready']`. */
  readinessTags?: readonly string[];
  /**
   * Include per-check entries (and their error messages) in the body. Default true; set false
   * when the probe port is reachable from outside and errors could leak internals.
   */
  verbose?: boolean;
  /** Report statuses answered with 200; the rest get 503. Default `healthy` and `degraded`. */
  okWhen?: readonly HealthStatus[];
}

/** The JSON body of /healthz and /readyz. */
export interface HealthHttpBody extends Omit<HealthReport, 'checks'> {
  /** One entry per check that ran; left out when `verbose` is false. */
  checks?: HealthReport['checks'];
  /** Set on /readyz while the server's overall status was set NOT_SERVING by hand (draining). */
  draining?: true;
}

/** Minimal request shape: Node's IncomingMessage, Express's req, Fastify's `request.raw`. */
export type HealthRequest = Pick<IncomingMessage, 'method' | 'url'>;
/** Minimal response shape: Node's ServerResponse, Express's res, Fastify's `reply.raw`. */
export type HealthResponse = Pick<
  ServerResponse,
  'statusCode' | 'setHeader' | 'end' | 'once' | 'writableEnded' | 'headersSent'
>;

/**
 * A Node request handler serving liveness and readiness as JSON: 200 when the report's status is
 * in `okWhen`, 503 otherwise. Works as a `node:http` listener, as Express middleware (other paths
 * go to `next()`), and from Fastify (`reply.hijack(); handler(request.raw, reply.raw)`).
 * Other paths get 404 when there is no `next`; methods other than GET/HEAD get 405.
 */
export function healthHttpHandler(
  registry: HealthRegistry,
  options: HealthHttpOptions = {},
): (req: HealthRequest, res: HealthResponse, next?: (err?: unknown) => void) => void {
  const livenessPath = options.livenessPath ?? '/healthz';
  const readinessPath = options.readinessPath ?? '/readyz';
  const livenessTags = options.livenessTags ?? ['live'];
  const readinessTags = options.readinessTags ?? ['ready'];
  const verbose = options.verbose ?? true;
  const okWhen = options.okWhen ?? ['healthy', 'degraded'];

  function send(res: HealthResponse, status: number, body: unknown, head: boolean): void {
    if (res.writableEnded) return;
    const json = JSON.stringify(body);
    res.statusCode = status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    // Probes must see the live answer, never a cached one.
    res.setHeader('cache-control', 'no-store');
    res.setHeader('content-length', Buffer.byteLength(json));
    res.end(head ? undefined : json);
  }

  return (req, res, next) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const probe = path === livenessPath ? 'live' : path === readinessPath ? 'ready' : undefined;
    if (!probe) {
      if (next) return next();
      return send(res, 404, { error: 'not found' }, req.method === 'HEAD');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, { error: 'method not allowed' }, false);
    }
    const head = req.method === 'HEAD';
    // Drain: once the host set the server NOT_SERVING (statusBoard.shutdown()), readiness fails
    // at once so the load balancer stops routing here; liveness stays up so it is not killed.
    if (probe === 'ready' && registry.statusBoard.get('') === 'NOT_SERVING') {
      const body: HealthHttpBody = {
        status: 'unhealthy',
        draining: true,
        durationMs: 0,
        timestamp: new Date().toISOString(),
      };
      return send(res, 503, body, head);
    }
    // A probe that gave up (timeout, closed socket) should not keep the checks running.
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableEnded) controller.abort(new Error('health probe client went away'));
    });
    registry
      .run({ tags: probe === 'live' ? livenessTags : readinessTags, signal: controller.signal })
      .then(
        (report) => {
          const body: HealthHttpBody = verbose
            ? report
            : { status: report.status, durationMs: report.durationMs, timestamp: report.timestamp };
          send(res, okWhen.includes(report.status) ? 200 : 503, body, head);
        },
        (err: unknown) => {
          if (controller.signal.aborted) return;
          send(res, 500, { error: err instanceof Error ? err.message : String(err) }, head);
        },
      );
  };
}
