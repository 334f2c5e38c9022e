/**
 * Authentication interceptors: a static API key header, a bearer token from an async provider
 * (cached and refreshed before it expires), or any interceptor of your own.
 *
 * The token provider is shaped like Azure's `TokenCredential.getToken(scopes)` →
 * `{ token, expiresOnTimestamp }`, so an `@azure/identity` credential can be passed as is.
 */
import type { Interceptor } from '@connectrpc/connect';
import { Code } from '@connectrpc/connect';
import { raceAbort } from '../../../../shared/waiting.js';
import { ChainError, chainError } from './errors.js';

/** What a token provider returns; `expiresOnTimestamp` is Unix ms (as in `@azure/core-auth`). */
export interface AccessToken {
  /** The token, sent as `authorization: Bearer <token>`. */
  token: string;
  /** When it expires, in Unix ms. */
  expiresOnTimestamp: number;
}

/** Structurally compatible with `@azure/core-auth`'s `TokenCredential`. */
export interface TokenCredentialLike {
  /** A token for `scopes`, or null when none can be had. */
  getToken(
    scopes: string | string[],
    options?: { abortSignal?: AbortSignal },
  ): Promise<AccessToken | null>;
}

/**
 * How the client authenticates: a static API key, a bearer token from a credential (cached and
 * refreshed before it expires), or an interceptor of your own.
 */
export type ChainAuth =
  | {
      /** An API key header on every call. */
      type: 'apiKey';
      /** The key. */
      apiKey: string;
      /** The header carrying it. Default `x-api-key`. */
      header?: string;
    }
  | {
      /** A bearer token on every call. */
      type: 'bearer';
      /** Where tokens come from, e.g. an `@azure/identity` credential. */
      credential: TokenCredentialLike;
      /** The scopes a token is asked for. */
      scopes: string | string[];
      /** Refresh this long before expiry, so a token never expires in flight. Default 120 000 ms. */
      refreshBeforeMs?: number;
      /** Clock (Unix ms), injectable for tests. */
      now?: () => number;
    }
  | {
      /** Your own Connect interceptor, run first on every call. */
      type: 'interceptor';
      /** The interceptor. */
      interceptor: Interceptor;
    };

/** `x-api-key: <key>` on every call. */
export function apiKeyInterceptor(apiKey: string, header = 'x-api-key'): Interceptor {
  return (next) => (req) => {
    req.header.set(header, apiKey);
    return next(req);
  };
}

/**
 * A cache around a token provider: one `getToken` in flight at a time (concurrent calls share it),
 * refreshed once the token is within `refreshBeforeMs` of expiry. If a refresh fails while the old
 * token is still valid the old one is used, so a flaky identity endpoint does not fail calls early.
 */
export class TokenCache {
  private current: AccessToken | undefined;
  private inflight: Promise<AccessToken> | undefined;
  constructor(
    private readonly credential: TokenCredentialLike,
    private readonly scopes: string | string[],
    private readonly refreshBeforeMs = 120_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Forget the cached token (e.g. after UNAUTHENTICATED), so the next call fetches a new one. */
  invalidate(): void {
    this.current = undefined;
  }

  /**
   * A valid token: the cached one, or a fresh one when it is within `refreshBeforeMs` of expiry.
   */
  async get(signal?: AbortSignal): Promise<string> {
    const t = this.now();
    const cur = this.current;
    if (cur && t < cur.expiresOnTimestamp - this.refreshBeforeMs) return cur.token;
    if (!this.inflight) {
      this.inflight = this.fetch().finally(() => {
        this.inflight = undefined;
      });
    }
    try {
      return (await raceAbort(this.inflight, signal)).token;
    } catch (err) {
      if (cur && t < cur.expiresOnTimestamp && !signal?.aborted) return cur.token;
      throw err;
    }
  }

  private async fetch(): Promise<AccessToken> {
    let token: AccessToken | null;
    try {
      token = await this.credential.getToken(this.scopes);
    } catch (err) {
      throw chainError({
        code: Code.Unauthenticated,
        message: `token provider failed: ${String(err)}`,
        cause: err,
      });
    }
    if (!token?.token)
      throw chainError({ code: Code.Unauthenticated, message: 'token provider returned no token' });
    this.current = token;
    return token;
  }
}

/** `authorization: Bearer <token>` from a {@link TokenCache}; an UNAUTHENTICATED answer drops the cached token. */
export function bearerInterceptor(cache: TokenCache): Interceptor {
  return (next) => async (req) => {
    req.header.set('authorization', `Bearer ${await cache.get(req.signal)}`);
    try {
      return await next(req);
    } catch (err) {
      const code = err instanceof ChainError ? err.code : (err as { code?: unknown }).code;
      if (code === Code.Unauthenticated) cache.invalidate();
      throw err;
    }
  };
}

export function authInterceptor(auth: ChainAuth): Interceptor {
  switch (auth.type) {
    case 'apiKey':
      return apiKeyInterceptor(auth.apiKey, auth.header);
    case 'bearer':
      return bearerInterceptor(
        new TokenCache(auth.credential, auth.scopes, auth.refreshBeforeMs, auth.now),
      );
    case 'interceptor':
      return auth.interceptor;
  }
}
