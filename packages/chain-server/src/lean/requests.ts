/**
 * The lean path's {@link CallRequest} per kind of request: a raw HTTP/2 stream, or a request and
 * response of node:http or node:http2's compatibility API. They differ only in how they tell that
 * the client went away; as classes, a call costs one object here and no closures.
 */
import type * as http2 from 'node:http2';
import type { Principal } from '../auth.js';
import type { CallRequest, UnaryRoute } from './invoke.js';
import type { AnyResponse } from './replies.js';

export class StreamCallRequest implements CallRequest {
  principal: Principal | undefined = undefined;

  constructor(
    readonly route: UnaryRoute,
    readonly headers: http2.IncomingHttpHeaders,
    readonly timeoutMs: number | undefined,
    private readonly stream: http2.ServerHttp2Stream,
  ) {}

  onClientGone(abort: () => void): void {
    const s = this.stream;
    // Once the answer's headers are out, a close is the end of an answered call.
    if (s.destroyed) abort();
    else s.once('close', () => (s.headersSent ? undefined : abort()));
  }
}

export class CompatCallRequest implements CallRequest {
  principal: Principal | undefined = undefined;

  constructor(
    readonly route: UnaryRoute,
    readonly headers: http2.IncomingHttpHeaders,
    readonly timeoutMs: number | undefined,
    private readonly res: AnyResponse,
  ) {}

  onClientGone(abort: () => void): void {
    const res = this.res;
    // The client went away when the response closes before it was finished (a request's own
    // 'close' also fires after a normal end of its body, so it cannot tell).
    if (res.destroyed) abort();
    else res.once('close', () => (res.writableFinished ? undefined : abort()));
  }
}
