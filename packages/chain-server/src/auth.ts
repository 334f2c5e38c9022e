/**
 * Authentication and per-RPC scopes.
 *
 * Callers present either an API key (`x-api-key: <key>`) or a bearer token
 * (`authorization: Bearer <token>`). API keys are configured by their SHA-256 hash, never in
 * clear, and compared in constant time. Bearer tokens go to a verifier function; {@link jwtVerifier}
 * is a ready one on `jose`. Each RPC needs a scope: `chain:read` for queries, `chain:write` for
 * anything that submits a transaction.
 *
 * - no credentials, or credentials that do not verify → UNAUTHENTICATED
 * - valid credentials without the RPC's scope → PERMISSION_DENIED
 * - RPCs listed in `openProcedures` (health and reflection by default) need nothing.
 */
import { createHash, type KeyObject, timingSafeEqual, type webcrypto } from 'node:crypto';
import type { DescService } from '@bufbuild/protobuf';
import { Code, ConnectError, createContextKey } from '@connectrpc/connect';
import {
  ChainService,
  CollectionService,
  IpAssetService,
  LicensingService,
} from '@mystira/chain-protos';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';

/**
 * A permission an RPC needs: `chain:read` for queries, `chain:write` for the RPCs that submit
 * transactions, or your own.
 */
export type Scope = 'chain:read' | 'chain:write' | (string & {});

/** Who is calling. `id` scopes idempotency keys, so two callers never share a key. */
export interface Principal {
  /** The caller's id (an API key's `id`, a token's `sub`). */
  id: string;
  /** The scopes the credentials grant. */
  scopes: ReadonlySet<string>;
}

/** A configured API key: its SHA-256 hash (hex), never the key itself. */
export interface ApiKeyEntry {
  /** The id calls with this key run as (logs, idempotency keys, rate limits). */
  id: string;
  /** The SHA-256 of the key, in hex (see {@link hashApiKey}). */
  sha256: string;
  /** The scopes the key grants. */
  scopes: readonly Scope[];
}

/**
 * Verifies a bearer token; returns undefined (or throws) when it does not verify. A thrown
 * ConnectError reaches the client with its code (e.g. UNAVAILABLE when the keys cannot be
 * fetched); any other throw is UNAUTHENTICATED.
 */
export type BearerVerifier = (
  token: string,
  signal?: AbortSignal,
) => Promise<Principal | undefined>;

/**
 * Options of {@link Authenticator} (`ChainServerOptions.auth`). Give API keys, a bearer verifier,
 * or both.
 */
export interface AuthOptions {
  /** The accepted API keys (`x-api-key`), by hash. */
  apiKeys?: readonly ApiKeyEntry[];
  /**
   * Verifies bearer tokens (`authorization: Bearer`), e.g. {@link jwtVerifier}; without it bearer
   * tokens are refused.
   */
  verifyBearer?: BearerVerifier;
  /** Scope per procedure path ("/pkg.Service/Method"); defaults to {@link defaultProcedureScopes}. */
  procedureScopes?: Record<string, Scope>;
  /**
   * Procedures (or service prefixes ending in "/") callable without credentials. Default: the
   * grpc.health.v1 service, both reflection services and the contract's HealthCheck.
   */
  openProcedures?: readonly string[];
}

/** The SHA-256 (hex) of an API key, the form in which keys are configured. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The RPCs that submit transactions, per service; every other RPC of the service reads. */
const WRITE_METHODS = new Map<DescService, ReadonlySet<string>>([
  [
    ChainService,
    new Set([
      'RegisterIpAsset',
      'BatchRegisterIpAssets',
      'UpdateRoyaltySplit',
      'PayRoyalties',
      'ClaimRoyalties',
    ]),
  ],
  [CollectionService, new Set(['CreateCollection'])],
  [LicensingService, new Set(['RegisterLicenseTerms', 'AttachLicenseTerms', 'MintLicenseTokens'])],
  [IpAssetService, new Set(['MintAndRegisterIpAsset'])],
]);

/**
 * chain:write for the RPCs that submit transactions (ChainService's five, and the writes of
 * CollectionService, LicensingService and IpAssetService), chain:read for the rest.
 */
export const defaultProcedureScopes: Readonly<Record<string, Scope>> = Object.fromEntries(
  [...WRITE_METHODS].flatMap(([service, writes]) =>
    service.methods.map((m) => [
      `/${service.typeName}/${m.name}`,
      writes.has(m.name) ? 'chain:write' : 'chain:read',
    ]),
  ),
);

/**
 * Callable without credentials by default: grpc.health.v1, both reflection services, and the
 * contract's HealthCheck.
 */
export const defaultOpenProcedures: readonly string[] = [
  '/grpc.health.v1.Health/',
  '/grpc.reflection.v1.ServerReflection/',
  '/grpc.reflection.v1alpha.ServerReflection/',
  `/${ChainService.typeName}/HealthCheck`,
];

/** Whether `procedure` is in `open` (exact paths, or service prefixes ending in "/"). */
export function isOpenProcedure(open: readonly string[], procedure: string): boolean {
  return open.some((p) => (p.endsWith('/') ? procedure.startsWith(p) : procedure === p));
}

/** Where the interceptor leaves the authenticated principal for the handlers. */
export const principalKey = createContextKey<Principal | undefined>(undefined, {
  description: 'principal',
});

/**
 * A function that reads a request header (case-insensitive name).
 *
 * @inline
 */
export type HeaderGetter = (name: string) => string | null | undefined;

/**
 * The authentication decision, shared by the Connect interceptor and the lean gRPC path so both
 * behave the same. Returns the principal, or undefined for an open procedure.
 */
export class Authenticator {
  private readonly keys: { entry: ApiKeyEntry; hash: Buffer; scopes: Set<string> }[];
  private readonly verifyBearer?: BearerVerifier;
  private readonly scopes: Record<string, Scope>;
  private readonly open: readonly string[];

  constructor(options: AuthOptions) {
    this.keys = (options.apiKeys ?? []).map((entry) => {
      const hash = Buffer.from(entry.sha256, 'hex');
      if (hash.length !== 32)
        throw new TypeError(`API key ${entry.id}: sha256 must be 64 hex digits`);
      return { entry, hash, scopes: new Set(entry.scopes) };
    });
    this.verifyBearer = options.verifyBearer;
    this.scopes = { ...defaultProcedureScopes, ...options.procedureScopes };
    this.open = options.openProcedures ?? defaultOpenProcedures;
  }

  /** Whether `procedure` needs no credentials. */
  isOpen(procedure: string): boolean {
    return isOpenProcedure(this.open, procedure);
  }

  /**
   * The principal of a call to `procedure` (undefined for an open one); rejects with
   * UNAUTHENTICATED or PERMISSION_DENIED.
   */
  async authenticate(
    procedure: string,
    header: HeaderGetter,
    signal?: AbortSignal,
  ): Promise<Principal | undefined> {
    if (this.isOpen(procedure)) return undefined;
    const principal = await this.identify(header, signal);
    const needed = this.scopes[procedure];
    if (needed === undefined) {
      // An unknown procedure is refused rather than left open by accident.
      throw new ConnectError(`no scope is configured for ${procedure}`, Code.PermissionDenied);
    }
    if (!principal.scopes.has(needed)) {
      throw new ConnectError(`${procedure} needs scope ${needed}`, Code.PermissionDenied);
    }
    return principal;
  }

  private async identify(header: HeaderGetter, signal?: AbortSignal): Promise<Principal> {
    const apiKey = header('x-api-key');
    if (apiKey) {
      const presented = createHash('sha256').update(apiKey, 'utf8').digest();
      let match: (typeof this.keys)[number] | undefined;
      // Compare against every key, always: the time taken does not depend on which one matched.
      for (const k of this.keys) {
        if (timingSafeEqual(presented, k.hash) && !match) match = k;
      }
      if (!match) throw new ConnectError('invalid API key', Code.Unauthenticated);
      return { id: `key:${match.entry.id}`, scopes: match.scopes };
    }
    const authorization = header('authorization');
    if (authorization) {
      const m = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!m || !this.verifyBearer)
        throw new ConnectError('unsupported authorization', Code.Unauthenticated);
      let principal: Principal | undefined;
      try {
        principal = await this.verifyBearer(m[1] as string, signal);
      } catch (e) {
        // A verifier that names a code means it (UNAVAILABLE: the issuer's keys could not be
        // fetched, retry); anything else is a token that does not verify.
        if (e instanceof ConnectError) throw e;
        principal = undefined;
      }
      if (!principal) throw new ConnectError('invalid bearer token', Code.Unauthenticated);
      return principal;
    }
    throw new ConnectError(
      'credentials required: x-api-key or authorization: Bearer',
      Code.Unauthenticated,
    );
  }
}

/**
 * Options of {@link jwtVerifier}. Give `jwksUrl` or `key`, and `issuer` and `audience` (or opt out
 * explicitly).
 */
export interface JwtVerifierOptions {
  /** A JWKS URL (keys fetched and cached by jose), or a key / shared secret. */
  jwksUrl?: string | URL;
  /**
   * A public key, or a shared secret (HS256/384/512), when the keys are not fetched from `jwksUrl`.
   */
  key?: Uint8Array | KeyObject | webcrypto.CryptoKey;
  /**
   * The issuer(s) whose tokens are accepted (`iss`). Required: without it any service's tokens
   * signed by the same key set would pass. Opt out only with `allowAnyIssuer: true`.
   */
  issuer?: string | string[];
  /** This server's audience(s) (`aud`). Required, unless `allowAnyAudience: true`. */
  audience?: string | string[];
  /** Accept tokens from any issuer (only where the key set is this service's alone). */
  allowAnyIssuer?: boolean;
  /** Accept tokens for any audience (only where the key set is this service's alone). */
  allowAnyAudience?: boolean;
  /**
   * Accepted signature algorithms. Default: the asymmetric ones (RS, PS, ES, EdDSA) for a JWKS
   * URL or a public key, HS256/384/512 for a shared secret; never `none`.
   */
  algorithms?: string[];
  /** Claims that hold scopes: a space-separated string or an array. Default ["scope", "scp"]. */
  scopeClaims?: string[];
  /** Accepted clock skew in seconds. Default 30. */
  clockToleranceSec?: number;
}

/**
 * The issuer's key set (fetched and cached by jose, 5 s per fetch). A key it does not publish is
 * the token's fault; a set that cannot be fetched is not: UNAVAILABLE, so clients retry rather
 * than drop their credentials.
 */
function reachableKeys(url: URL) {
  const jwks = createRemoteJWKSet(url, { timeoutDuration: 5000 });
  return async (...args: Parameters<typeof jwks>) => {
    try {
      return await jwks(...args);
    } catch (e) {
      if (
        e instanceof errors.JWKSNoMatchingKey ||
        e instanceof errors.JWKSMultipleMatchingKeys ||
        e instanceof errors.JOSEAlgNotAllowed ||
        e instanceof errors.JOSENotSupported
      )
        throw e;
      throw new ConnectError(
        "the token issuer's signing keys could not be fetched",
        Code.Unavailable,
        undefined,
        undefined,
        e,
      );
    }
  };
}

const ASYMMETRIC = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
const SYMMETRIC = ['HS256', 'HS384', 'HS512'];

/**
 * A bearer verifier for JWTs on `jose`. A token must be signed with an accepted algorithm, carry
 * `exp` and a non-empty `sub`, and match the configured issuer and audience. The principal id is
 * `jwt:<sub>` (`jwt:<iss>|<sub>` when several issuers are accepted, so two issuers' users never
 * share an id, an idempotency scope or a rate-limit bucket); scopes come from `scope`/`scp`.
 *
 * Throws a TypeError at creation when issuer or audience is missing and not explicitly waived.
 */
export function jwtVerifier(options: JwtVerifierOptions): BearerVerifier {
  const key = options.jwksUrl ? reachableKeys(new URL(options.jwksUrl)) : options.key;
  if (!key) throw new TypeError('jwtVerifier needs jwksUrl or key');
  if (options.issuer === undefined && !options.allowAnyIssuer)
    throw new TypeError('jwtVerifier needs issuer (or allowAnyIssuer: true)');
  if (options.audience === undefined && !options.allowAnyAudience)
    throw new TypeError('jwtVerifier needs audience (or allowAnyAudience: true)');
  const claims = options.scopeClaims ?? ['scope', 'scp'];
  const algorithms =
    options.algorithms ?? (options.key instanceof Uint8Array ? SYMMETRIC : ASYMMETRIC);
  const qualify = Array.isArray(options.issuer) && options.issuer.length > 1;
  return async (token) => {
    // Both key kinds go through the same call; the cast only picks one overload for TypeScript.
    const { payload } = await jwtVerify(token, key as Uint8Array, {
      issuer: options.issuer,
      audience: options.audience,
      algorithms,
      requiredClaims: ['exp', 'sub'],
      clockTolerance: options.clockToleranceSec ?? 30,
    });
    // Tokens without a subject would all be one caller: one idempotency scope, one bucket.
    if (typeof payload.sub !== 'string' || payload.sub === '') return undefined;
    const scopes = new Set<string>();
    for (const claim of claims) {
      const value = payload[claim];
      if (typeof value === 'string') for (const s of value.split(' ')) if (s) scopes.add(s);
      if (Array.isArray(value)) for (const s of value) if (typeof s === 'string') scopes.add(s);
    }
    return { id: qualify ? `jwt:${payload.iss}|${payload.sub}` : `jwt:${payload.sub}`, scopes };
  };
}
