/**
 * Page cursors come from `@mystira/specification/cursor`: HMAC-signed keysets bound to the
 * query's filter and order, so a client can neither forge nor reuse them across queries.
 * Repositories take a codec; without one they share a process-wide codec with a random secret,
 * which is right for one process. Several instances behind a load balancer must share a codec
 * (`createCursorCodec({ secret })` with a common secret), or a cursor minted by one instance is
 * rejected by the next.
 */
import { randomBytes } from 'node:crypto';
import { type CursorCodec, createCursorCodec } from '@mystira/specification/cursor';

let shared: CursorCodec | undefined;

/** The process-wide default codec (random secret, created on first use). */
export function defaultCursorCodec(): CursorCodec {
  shared ??= createCursorCodec({ secret: randomBytes(32) });
  return shared;
}

export type { CursorCodec };
export { createCursorCodec };
