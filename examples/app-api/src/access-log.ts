/**
 * The access log: one info line per request, written when it is answered ("request completed":
 * method, URL, host, remote address, status, milliseconds) or when the client goes away first
 * ("request aborted"). Fastify's own request logging (turned off in app.ts) writes two lines per
 * request, "incoming request" and "request completed", and only the first names the URL.
 *
 * Lines are written through `req.log`, so they carry the request id (`reqId`) and, through the
 * logger's mixin, the trace id. Nothing is registered when the logger's level is above info:
 * the hooks would run on every request to write nothing.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export function accessLog(app: FastifyInstance, log: Logger): void {
  if (!log.isLevelEnabled('info')) return;
  app.addHook('onResponse', (req, reply, done) => {
    // Fastify's serializers turn these into what its own lines held: method, URL, host and
    // remote address; the status code.
    req.log.info({ req, res: reply, responseTime: reply.elapsedTime }, 'request completed');
    done();
  });
  app.addHook('onRequestAbort', (req, done) => {
    req.log.info({ req }, 'request aborted');
    done();
  });
}
