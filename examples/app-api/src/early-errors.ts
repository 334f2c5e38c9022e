/**
 * problem+json for requests refused before any route or error handler runs, which Fastify and
 * Node would otherwise answer in their own JSON:
 *
 * - Fastify's router: a path parameter longer than `maxParamLength` (414) and a malformed
 *   percent-encoding in the path (400), via the `frameworkErrors` option;
 * - Node's HTTP parser: a request line or headers beyond `maxHeaderSize` (16 KB; a request line
 *   alone that long is 414, otherwise 431), a request that is not HTTP (400), a request not
 *   received in time (408), via `clientErrorHandler`. The socket is then closed.
 *
 * The offending URL or header is never echoed: it is what the caller got wrong, and may be huge.
 */
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { Problem } from './problems.ts';
import { requestIdOf } from './request-id.ts';

const TYPE_BASE = 'https://mystira.app/problems/';

function problem(status: number, slug: string, title: string, detail: string): Problem {
  return { type: `${TYPE_BASE}${slug}`, title, status, detail };
}

const URI_TOO_LONG = problem(
  414,
  'uri-too-long',
  'URI too long',
  'the request path (or a part of it) is longer than this API accepts',
);

/** For Fastify's `frameworkErrors` option (router-level errors). */
export function frameworkErrorHandler(
  error: Error & { code?: string; statusCode?: number },
  req: FastifyRequest,
  reply: FastifyReply,
): void {
  const answer =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? URI_TOO_LONG
      : error.code === 'FST_ERR_BAD_URL'
        ? problem(400, 'bad-request', 'Bad request', 'the request path is not a valid URL')
        : problem(500, 'internal', 'Internal server error', 'an unexpected error occurred');
  // Routing failed, so no route hook runs for this answer: the request id is set here.
  void reply
    .code(answer.status)
    .header('x-request-id', req.id)
    .type('application/problem+json')
    .send(answer);
}

/** The request line of a packet starting with one (`GET /path HTTP/1.1`), up to its end or the packet's. */
function requestLineTooLong(packet: unknown): boolean {
  if (!Buffer.isBuffer(packet) || !/^[A-Z]{3,10} /.test(packet.subarray(0, 11).toString('latin1')))
    return false;
  const end = packet.indexOf('\r\n');
  // Node's limit covers the request line and the headers together; a request line that by itself
  // fills most of it is the URL's fault, not the headers'.
  return end === -1 || end > 8 * 1024;
}

/** What Node passes to 'clientError': a parser error with the packet it failed on. */
type ParserError = Error & { code?: string; rawPacket?: unknown };

function parserProblem(err: ParserError): Problem {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return problem(
      408,
      'request-timeout',
      'Request timeout',
      'the request was not received in time',
    );
  if (err.code === 'HPE_HEADER_OVERFLOW')
    return requestLineTooLong(err.rawPacket)
      ? URI_TOO_LONG
      : problem(
          431,
          'headers-too-large',
          'Request header fields too large',
          'the request headers are larger than this API accepts (16 KB with the request line)',
        );
  return problem(400, 'bad-request', 'Bad request', 'the request is not valid HTTP/1.1');
}

/** For Fastify's `clientErrorHandler` option (HTTP parser errors on a raw socket). */
export function clientErrorHandler(log: FastifyBaseLogger) {
  return (err: ParserError, socket: Socket): void => {
    // A reset or already destroyed connection has nobody left to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const answer = parserProblem(err);
    const id = requestIdOf({ headers: {} });
    log.debug(
      { reqId: id, code: err.code, status: answer.status },
      'request refused by the HTTP parser',
    );
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(answer);
    // end(), not destroy(): the answer is flushed before the connection closes, as Node does.
    socket.end(
      `HTTP/1.1 ${answer.status} ${answer.title}\r\n` +
        'Content-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${id}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  };
}
