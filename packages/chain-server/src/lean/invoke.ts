/**
 * Running one lean-path call: the handler (or a refusal) inside the call's deadline, its telemetry
 * scope and its onCall report, as the Connect router's interceptors do for calls it serves.
 */
import type * as http2 from 'node:http2';
import { Code, ConnectError } from '@connectrpc/connect';
import type { Principal } from '../auth.js';
import { toConnectError } from '../connect-errors.js';
import type { CallContext } from '../handlers.js';
import { type CallObserver, protocolOf } from '../observe.js';
import type { RpcTelemetry } from '../telemetry.js';

export interface UnaryRoute {
  input: import('@bufbuild/protobuf').DescMessage;
  output: import('@bufbuild/protobuf').DescMessage;
  procedure: string;
  // biome-ignore lint/suspicious/noExplicitAny: one table for twelve differently typed handlers
  handler: (req: any, call: CallContext) => Promise<any>;
}

export interface InvokeOptions {
  onCall?: CallObserver;
  telemetry?: RpcTelemetry;
}

/** What one call needs to know about its request. */
export interface CallRequest {
  route: UnaryRoute;
  headers: http2.IncomingHttpHeaders;
  principal: Principal | undefined;
  /** Registers what to do when the client goes away before the answer (aborts the signal). */
  onClientGone: (abort: () => void) => void;
  /** The client's deadline in ms (grpc-timeout, connect-timeout-ms), if it gave one. */
  timeoutMs: number | undefined;
}

/**
 * Runs `run(arg, call)` as one call. The argument is passed through rather than closed over, so a
 * call allocates no closure for it: `run` is the route's handler (with the request message) or
 * a refusal (with its error).
 */
export type Invoke = <A>(
  request: CallRequest,
  run: (arg: A, call: CallContext) => Promise<unknown>,
  arg: A,
) => Promise<unknown>;

/** Reads a request header by its (lower-case) name; repeated headers are joined. */
export function headerGetter(headers: http2.IncomingHttpHeaders) {
  return (name: string): string | undefined => {
    const v = headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  };
}

/**
 * What the handler sees of one lean call. Its signal is made only if the handler asks for it: most
 * unary calls never do. A class, so a call costs one object and no closures.
 */
class LeanCallContext implements CallContext {
  controller: AbortController | undefined;
  /** Set when the call's deadline passed: a signal made after that is born aborted with it. */
  expired: ConnectError | undefined;
  readonly principal: Principal | undefined;

  constructor(private readonly request: CallRequest) {
    this.principal = request.principal;
  }

  get signal(): AbortSignal {
    let controller = this.controller;
    if (!controller) {
      const made = new AbortController();
      controller = made;
      this.controller = made;
      if (this.expired) made.abort(this.expired);
      else this.request.onClientGone(() => made.abort());
    }
    return controller.signal;
  }
}

/** Returns the function that runs calls. */
export function createInvoke({ onCall, telemetry }: InvokeOptions): Invoke {
  return (request, run, arg) => {
    const { route, timeoutMs } = request;
    const call = new LeanCallContext(request);
    if (telemetry) return traced(telemetry, onCall, request, call, run, arg);
    const result = runWithin(run, arg, call, timeoutMs);
    if (!onCall) return result;
    const start = performance.now();
    const header = headerGetter(request.headers);
    result.then(
      () => report(onCall, route, header, call, start, undefined),
      (e: unknown) => report(onCall, route, header, call, start, toConnectError(e).code),
    );
    return result;
  };
}

/**
 * The call inside its telemetry scope (and reported to onCall, if set). The handler runs in the
 * scope's closure itself, with no closure of its own per call.
 */
function traced<A>(
  telemetry: RpcTelemetry,
  onCall: CallObserver | undefined,
  request: CallRequest,
  call: LeanCallContext,
  run: (arg: A, call: CallContext) => Promise<unknown>,
  arg: A,
): Promise<unknown> {
  const { route, timeoutMs } = request;
  const header = headerGetter(request.headers);
  // The report's clock; the span and the duration histogram keep their own.
  const start = onCall ? performance.now() : 0;
  const scope = telemetry.startCall(route.procedure, protocolOf(header('content-type')), header);
  // The handler (and so the ledger calls) runs in the call's context, and so does onCall: an
  // access-log line written there can carry the call's trace id.
  return scope.run(() => {
    const result = runWithin(run, arg, call, timeoutMs);
    result.then(
      () => {
        scope.end(undefined);
        if (onCall) report(onCall, route, header, call, start, undefined);
      },
      (e: unknown) => {
        const code = toConnectError(e).code;
        scope.end(code, e);
        if (onCall) report(onCall, route, header, call, start, code);
      },
    );
    return result;
  });
}

function report(
  observer: CallObserver,
  route: UnaryRoute,
  header: (name: string) => string | undefined,
  call: CallContext,
  start: number,
  code: Code | undefined,
): void {
  try {
    observer({
      procedure: route.procedure,
      protocol: protocolOf(header('content-type')),
      code,
      durationMs: performance.now() - start,
      principal: call.principal?.id,
      streaming: false,
    });
  } catch {
    // An observer's bug must not fail the call.
  }
}

/** Runs the handler (or refusal), within the client's deadline if it gave one. */
function runWithin<A>(
  run: (arg: A, call: CallContext) => Promise<unknown>,
  arg: A,
  call: LeanCallContext,
  timeoutMs: number | undefined,
): Promise<unknown> {
  return timeoutMs === undefined ? run(arg, call) : withDeadline(run, arg, call, timeoutMs);
}

/**
 * A deadline: the handler's signal aborts and the client gets DEADLINE_EXCEEDED, as on the
 * Connect router. The signal is not made for it: a handler that never asks for one (most unary
 * calls) costs no AbortController and no close listener; one that asks after the deadline gets
 * it already aborted.
 */
function withDeadline<A>(
  run: (arg: A, call: CallContext) => Promise<unknown>,
  arg: A,
  call: LeanCallContext,
  timeoutMs: number,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const e = new ConnectError(
        `the operation timed out after ${timeoutMs} ms`,
        Code.DeadlineExceeded,
      );
      call.expired = e;
      call.controller?.abort(e);
      reject(e);
    }, timeoutMs);
    run(arg, call).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        // After the deadline this is a no-op: the timer rejected already.
        reject(error);
      },
    );
  });
}
