/**
 * Who is calling, on every request, and what each route demands of them.
 *
 * Authentication runs first (a global `onRequest` hook): a bearer token is verified and leaves
 * `req.caller`, or `req.authFailure` when it does not verify. It does not answer yet, so that the
 * rate limit (the next `onRequest` hook) counts a caller with a bad token by IP like any anonymous
 * one. Each route then states its access in `preValidation` (before the body is validated, so an
 * anonymous caller learns nothing about the body schema of a route it may not call):
 *
 *   - `public`: anyone; a token that was sent must still be valid (an expired one is a 401 the
 *     client should hear about, not a silent downgrade to anonymous);
 *   - `signed-in`: a valid token;
 *   - `{ role }`: a valid token carrying the role (403 without it).
 *
 * 401 carries `WWW-Authenticate: Bearer` (RFC 6750), with `error="invalid_token"` when a token was
 * refused; both are problem+json like every other error.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../problems.ts';
import { problems } from '../schemas.ts';
import { type Caller, TokenRejected, type TokenVerifier } from './verifier.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller, or undefined for an anonymous request (or a refused token). */
    caller: Caller | undefined;
    /** Why the token sent with this request was refused. */
    authFailure: TokenRejected | undefined;
  }
}

export type Access = 'public' | 'signed-in' | { role: Role };

/** Roles carried in the token's roles claim (AUTH_ROLES_CLAIM). */
export type Role = 'payer' | 'admin';

const REALM = 'mystira-app-api';
/** RFC 6750's b64token: the only characters a bearer token may have. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
/** How long a client should wait when the issuer's keys could not be fetched. */
const KEYS_RETRY_AFTER_S = 5;

export function authentication(app: FastifyInstance, verify: TokenVerifier): void {
  app.decorateRequest('caller', undefined);
  app.decorateRequest('authFailure', undefined);
  app.addHook('onRequest', async (req) => {
    const header = req.headers.authorization;
    if (header === undefined) return;
    const token = BEARER.exec(header)?.[1];
    if (!token) {
      req.authFailure = new TokenRejected(
        'invalid',
        'the Authorization header must be "Bearer <token>"',
      );
      return;
    }
    try {
      req.caller = await verify(token);
    } catch (err) {
      req.authFailure =
        err instanceof TokenRejected ? err : new TokenRejected('invalid', 'the token is malformed');
      if (req.authFailure.kind === 'unavailable')
        req.log.warn({ err: (err as Error).cause ?? err }, 'cannot fetch the token signing keys');
    }
  });
}

/** The `preValidation` hook enforcing `access` on a route. */
export function requireAccess(access: Access) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.authFailure) throw refused(req.authFailure, reply);
    if (access === 'public') return;
    const caller = signedIn(req, reply);
    if (typeof access === 'object' && !caller.roles.has(access.role))
      throw forbidden(`this needs the "${access.role}" role`);
  };
}

/** The caller of a route guarded by `signed-in` or a role (401 if somehow there is none). */
export function signedIn(req: FastifyRequest, reply: FastifyReply): Caller {
  if (req.caller) return req.caller;
  reply.header('www-authenticate', `Bearer realm="${REALM}"`);
  throw new ApiError(
    401,
    'unauthorized',
    'Unauthorized',
    'sign in: send Authorization: Bearer <token>',
  );
}

export function forbidden(detail: string): ApiError {
  return new ApiError(403, 'forbidden', 'Forbidden', detail);
}

function refused(failure: TokenRejected, reply: FastifyReply): ApiError {
  if (failure.kind === 'unavailable') {
    reply.header('retry-after', String(KEYS_RETRY_AFTER_S));
    return new ApiError(
      503,
      'unavailable',
      'Service unavailable',
      'the identity provider cannot be reached to check the token; retry later',
      { retryable: true },
    );
  }
  // The description is ours (never the token's content) and quoted safely: no quotes or
  // backslashes appear in it.
  reply.header(
    'www-authenticate',
    `Bearer realm="${REALM}", error="invalid_token", error_description="${failure.message}"`,
  );
  return new ApiError(401, 'invalid-token', 'Unauthorized', failure.message);
}

/**
 * Everything a route declares for `access`: the hook, its OpenAPI `security` (the bearer scheme
 * in app.ts; public routes take a token or none) and the answers it adds.
 */
export function guard(access: Access) {
  const security: Record<string, string[]>[] =
    access === 'public' ? [{}, { bearer: [] }] : [{ bearer: [] }];
  return {
    hook: requireAccess(access),
    security,
    responses:
      access === 'public'
        ? { 401: problems[401], 429: problems[429] }
        : { 401: problems[401], 403: problems[403], 429: problems[429] },
  };
}
