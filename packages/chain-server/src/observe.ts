/**
 * Per-call observation for access logs and metrics, the same on both serving paths: once per call
 * that got past decoding (so auth failures, validation errors, deadlines and handler results are
 * all seen; undecodable bodies and unknown paths are answered before this stage).
 */
import { type Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { principalKey } from './auth.js';

/** One call, as {@link ChainServerOptions.onCall} observes it. */
export interface CallInfo {
  /** "/mystira.chain.v1.ChainService/RegisterIpAsset" */
  procedure: string;
  /** The wire protocol, from the content type. */
  protocol: 'grpc' | 'grpc-web' | 'connect';
  /** The status code, undefined when the call succeeded. */
  code: Code | undefined;
  /** From the start of the call (after decoding) to its response or its stream's end. */
  durationMs: number;
  /** The authenticated principal's id, if any. */
  principal?: string;
  /** Whether the call streams (WatchTransactions, BatchRegisterIpAssets). */
  streaming: boolean;
}

/** Receives every call that got past decoding, after it ended. */
export type CallObserver = (info: CallInfo) => void;

/** The protocol of a request, from its content type. */
export function protocolOf(contentType: string | null | undefined): CallInfo['protocol'] {
  if (contentType?.startsWith('application/grpc-web')) return 'grpc-web';
  if (contentType?.startsWith('application/grpc')) return 'grpc';
  return 'connect';
}

function codeOf(error: unknown): Code {
  return ConnectError.from(error).code;
}

/** A Connect interceptor reporting each call to `observe`; put it first (outermost). */
export function observingInterceptor(observe: CallObserver): Interceptor {
  return (next) => async (req) => {
    const start = performance.now();
    const procedure = `/${req.service.typeName}/${req.method.name}`;
    const protocol = protocolOf(req.header.get('content-type'));
    let reported = false;
    const done = (code: Code | undefined) => {
      if (reported) return;
      reported = true;
      const principal = req.contextValues.get(principalKey)?.id;
      try {
        observe({
          procedure,
          protocol,
          code,
          durationMs: performance.now() - start,
          principal,
          streaming: req.stream,
        });
      } catch {
        // An observer's bug must not fail the call.
      }
    };
    try {
      const res = await next(req);
      if (!res.stream) {
        done(undefined);
        return res;
      }
      const source = res.message;
      return {
        ...res,
        message: (async function* () {
          let failed = false;
          try {
            yield* source;
          } catch (error) {
            failed = true;
            done(codeOf(error));
            throw error;
          } finally {
            // Ended normally, or the client went away (the iterator was returned early).
            if (!failed) done(undefined);
          }
        })(),
      };
    } catch (error) {
      done(codeOf(error));
      throw error;
    }
  };
}
