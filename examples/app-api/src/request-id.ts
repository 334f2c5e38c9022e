/**
 * The request id: the caller's `X-Request-Id` when it is a plausible id, else a fresh UUID. It is
 * echoed in every answer and written into every log line of the request, so an unchecked value
 * would let any caller put 10 KB, markup or forged log text into both. A bad value is replaced,
 * never refused: the id is a convenience for tracing, not a reason to fail a request.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** 1-128 characters that need no escaping in a header, a log line or a URL. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function isSafeRequestId(value: unknown): value is string {
  return typeof value === 'string' && SAFE_REQUEST_ID.test(value);
}

/** Fastify's `genReqId`: the caller's id when safe, otherwise a new UUID. */
export function requestIdOf(req: Pick<IncomingMessage, 'headers'>): string {
  const given = req.headers['x-request-id'];
  return isSafeRequestId(given) ? given : randomUUID();
}
