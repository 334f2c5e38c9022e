/**
 * Bearer token verification on `jose`: signature by a key from the issuer's JWKS, one of the
 * configured asymmetric algorithms, the exact issuer, one of our audiences, `exp` and `sub`
 * present, within a small clock tolerance. The result is the `Caller`; a failure says why in
 * words a client can act on (and that give an attacker nothing a token does not already hold).
 */
import {
  createRemoteJWKSet,
  errors,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import type { AuthConfig } from './config.ts';

/** Who is calling, as the token says. */
export interface Caller {
  /** The token's `sub`: the identity accounts are owned by. */
  subject: string;
  roles: ReadonlySet<string>;
}

/**
 * Why a token was refused. `invalid` is the caller's problem (401, `error="invalid_token"`);
 * `unavailable` is ours: the issuer's keys could not be fetched (503, retry later).
 */
export class TokenRejected extends Error {
  override readonly name = 'TokenRejected';
  readonly kind: 'invalid' | 'unavailable';
  constructor(kind: 'invalid' | 'unavailable', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

export type TokenVerifier = (token: string) => Promise<Caller>;

/** The JWKS could not be fetched or read: not something the token can be blamed for. */
class KeysUnavailable extends Error {}

export function createTokenVerifier(config: AuthConfig): TokenVerifier {
  const jwks = createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 5_000 });
  // A key the set does not have is the token's fault (401); a set that cannot be loaded is ours.
  const keys = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    try {
      return await jwks(header, token);
    } catch (err) {
      if (
        err instanceof errors.JWKSNoMatchingKey ||
        err instanceof errors.JWKSMultipleMatchingKeys ||
        err instanceof errors.JOSEAlgNotAllowed ||
        err instanceof errors.JOSENotSupported
      )
        throw err;
      throw new KeysUnavailable('the signing keys could not be fetched', { cause: err });
    }
  };

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: config.algorithms,
        clockTolerance: config.clockToleranceSec,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      throw rejection(err);
    }
    if (typeof payload.sub !== 'string' || payload.sub.trim() === '')
      throw new TokenRejected('invalid', 'the token has no subject (sub)');
    return { subject: payload.sub, roles: rolesOf(payload[config.rolesClaim]) };
  };
}

function rolesOf(claim: unknown): Set<string> {
  if (typeof claim === 'string') return new Set(claim.split(' ').filter(Boolean));
  if (Array.isArray(claim)) return new Set(claim.filter((r): r is string => typeof r === 'string'));
  return new Set();
}

function rejection(err: unknown): TokenRejected {
  if (err instanceof KeysUnavailable)
    return new TokenRejected('unavailable', err.message, { cause: err.cause });
  if (err instanceof errors.JWTExpired)
    return new TokenRejected('invalid', 'the token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    const claim = err.claim;
    if (err.reason === 'missing')
      return new TokenRejected('invalid', `the token has no ${claim} claim`);
    if (claim === 'iss') return new TokenRejected('invalid', 'the token is from another issuer');
    if (claim === 'aud') return new TokenRejected('invalid', 'the token is not for this API (aud)');
    if (claim === 'nbf') return new TokenRejected('invalid', 'the token is not valid yet');
    return new TokenRejected('invalid', `the token's ${claim} claim is invalid`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed)
    return new TokenRejected(
      'invalid',
      'the token is signed with an algorithm this API does not accept',
    );
  if (err instanceof errors.JWKSNoMatchingKey)
    return new TokenRejected('invalid', 'the token is signed by a key the issuer does not publish');
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return new TokenRejected('invalid', 'the token signature does not verify');
  return new TokenRejected('invalid', 'the token is malformed');
}
