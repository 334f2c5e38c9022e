/**
 * Admission: who is calling (authentication and scopes, see src/auth.ts) and whether they may call
 * now (a per-caller rate limit). It reads only headers, so the lean path decides it before it
 * reads a byte of the body; the Connect router decides it in an interceptor. Both answer alike:
 * UNAUTHENTICATED, PERMISSION_DENIED, or RESOURCE_EXHAUSTED with google.rpc.RetryInfo.
 */
import {
  type ContextValues,
  createContextKey,
  createContextValues,
  type Interceptor,
} from '@connectrpc/connect';
import {
  type Authenticator,
  defaultOpenProcedures,
  type HeaderGetter,
  isOpenProcedure,
  type Principal,
  principalKey,
} from './auth.js';
import { retryLater } from './retry-later.js';

/** A rate limiter's answer (the shape of `@mystira/resilience`'s RateLimitDecision). */
export interface RateLimitDecision {
  /** Whether the call may go ahead. */
  allowed: boolean;
  /** When refused: ms until the call would be allowed. */
  retryAfterMs: number;
}

/**
 * Per-key token buckets, e.g. `memoryRateLimiter` or `redisRateLimiter` (shared by every
 * instance) from `@mystira/resilience`.
 */
export interface RateLimiter {
  /**
   * Takes `cost` (default 1) tokens from `key`'s bucket, if it has them; resolves with `allowed:
   * false` when it has not.
   */
  take(key: string, cost?: number, signal?: AbortSignal): Promise<RateLimitDecision>;
}

/** Who a call is charged to. */
export interface CallerInfo {
  /** The procedure path, e.g. `/mystira.chain.v1.ChainService/RegisterIpAsset`. */
  procedure: string;
  /** The authenticated caller, undefined for an open procedure or a server without auth. */
  principal: Principal | undefined;
  /** The client's IP address, as the socket sees it. */
  peer: string | undefined;
}

/** The per-caller rate limit of a server (`ChainServerOptions.rateLimit`). */
export interface RateLimitOptions {
  /** The buckets calls draw from. */
  limiter: RateLimiter;
  /**
   * The bucket a call draws from; undefined exempts the call. Default: the principal's id when
   * the call is authenticated, else `ip:<address>`; open procedures (health, reflection) are
   * exempt.
   */
  key?: (caller: CallerInfo) => string | undefined;
  /** Tokens a call takes. Default 1. */
  cost?: (procedure: string) => number;
}

/** The client's address, for the interceptor (the router sees no socket). */
export const peerKey = createContextKey<string | undefined>(undefined, { description: 'peer' });

/**
 * The admission decision (authentication, then the rate limit), shared by the Connect interceptor
 * and the lean gRPC path so both answer alike.
 */
export class Admission {
  private readonly key: (caller: CallerInfo) => string | undefined;

  constructor(
    private readonly authenticator: Authenticator | undefined,
    private readonly rateLimit: RateLimitOptions | undefined,
  ) {
    this.key = rateLimit?.key ?? ((c) => this.defaultKey(c));
  }

  /** Whether admitting costs anything; when not, callers skip it (no promise on the hot path). */
  get active(): boolean {
    return this.authenticator !== undefined || this.rateLimit !== undefined;
  }

  /**
   * Authenticates the call and charges it to its caller's bucket. Resolves with the principal
   * (undefined for an open procedure or without auth); rejects with UNAUTHENTICATED,
   * PERMISSION_DENIED, or RESOURCE_EXHAUSTED with a retry delay. A limiter that fails lets the call
   * through.
   */
  async admit(
    procedure: string,
    header: HeaderGetter,
    peer: string | undefined,
    signal?: AbortSignal,
  ): Promise<Principal | undefined> {
    const principal = await this.authenticator?.authenticate(procedure, header, signal);
    if (this.rateLimit) await this.limit({ procedure, principal, peer }, this.rateLimit, signal);
    return principal;
  }

  private async limit(caller: CallerInfo, options: RateLimitOptions, signal?: AbortSignal) {
    const key = this.key(caller);
    if (key === undefined) return;
    let decision: RateLimitDecision;
    try {
      decision = await options.limiter.take(key, options.cost?.(caller.procedure) ?? 1, signal);
    } catch {
      // A limiter that fails (its store is down) must not take the service down with it.
      return;
    }
    if (!decision.allowed) {
      throw retryLater(
        `rate limit exceeded for ${key}; retry in ${Math.ceil(decision.retryAfterMs)} ms`,
        decision.retryAfterMs,
      );
    }
  }

  private defaultKey({ procedure, principal, peer }: CallerInfo): string | undefined {
    const open = this.authenticator
      ? this.authenticator.isOpen(procedure)
      : isOpenProcedure(defaultOpenProcedures, procedure);
    if (open) return undefined;
    if (principal) return principal.id;
    return `ip:${peer ?? 'unknown'}`;
  }
}

/** The Connect interceptor: admits the call, then leaves the principal in the context values. */
export function admissionInterceptor(admission: Admission): Interceptor {
  return (next) => async (req) => {
    const principal = await admission.admit(
      `/${req.service.typeName}/${req.method.name}`,
      (name) => req.header.get(name),
      req.contextValues.get(peerKey),
      req.signal,
    );
    req.contextValues.set(principalKey, principal);
    return next(req);
  };
}

/** The Connect interceptor for authentication alone (no rate limit). */
export function authInterceptor(authenticator: Authenticator): Interceptor {
  return admissionInterceptor(new Admission(authenticator, undefined));
}

/** The router's context values: the client's address, for the rate limiter's default key. */
export function peerContextValues(req: { socket?: { remoteAddress?: string } }): ContextValues {
  return createContextValues().set(peerKey, req.socket?.remoteAddress);
}
