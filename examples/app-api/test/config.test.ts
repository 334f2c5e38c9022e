import { describe, expect, it } from 'vitest';
import { ConfigError, loadAppApiConfig, requireDatabaseUrl } from '../src/config.ts';

/** What every deployment must set: there is no default issuer or audience. */
const AUTH = {
  AUTH_JWKS_URL: 'https://tenant.example/.well-known/jwks.json',
  AUTH_ISSUER: 'https://tenant.example/',
  AUTH_AUDIENCE: 'https://api.mystira.example/app',
};

describe('loadAppApiConfig', () => {
  it('has the documented defaults', () => {
    const config = loadAppApiConfig(AUTH);
    expect(config).toMatchObject({
      pgSchema: 'app',
      cosmos: { database: 'mystira', profile: 'azure', tlsInsecure: false },
      redisUrl: undefined,
      cacheSigningKeys: undefined,
      chain: { url: 'http://localhost:50051', credential: { type: 'none' } },
      auth: {
        jwksUrl: AUTH.AUTH_JWKS_URL,
        issuer: AUTH.AUTH_ISSUER,
        audience: [AUTH.AUTH_AUDIENCE],
        algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
        clockToleranceSec: 30,
        rolesClaim: 'roles',
      },
      rateLimit: { max: 300, anonymousMax: 120, windowMs: 60_000 },
      trustProxy: false,
      accountsPhase: 'SecondaryOnly',
      port: 8080,
      host: '0.0.0.0',
      logLevel: 'info',
      healthVerbose: false,
    });
  });

  it('reads every variable', () => {
    const config = loadAppApiConfig({
      ...AUTH,
      AUTH_AUDIENCE: 'api://mystira-app, https://api.mystira.example/app',
      AUTH_ALGORITHMS: 'RS256',
      AUTH_CLOCK_TOLERANCE_S: '5',
      AUTH_ROLES_CLAIM: 'https://mystira.app/roles',
      RATE_LIMIT_MAX: '50',
      RATE_LIMIT_ANONYMOUS_MAX: '10',
      RATE_LIMIT_WINDOW_MS: '1000',
      TRUST_PROXY: '10.0.0.0/8, 192.168.1.1',
      DATABASE_URL: 'postgres://u@db:5432/app',
      PG_SCHEMA: 'tenant_a',
      COSMOS_ENDPOINT: 'https://127.0.0.1:8081',
      COSMOS_KEY: 'k',
      COSMOS_DATABASE: 'd',
      COSMOS_PROFILE: 'cosmosdb-server',
      COSMOS_TLS_INSECURE: '1',
      REDIS_URL: 'redis://cache:6379',
      CACHE_SIGNING_KEYS: 'n'.repeat(44),
      CHAIN_URL: 'https://chain:50051',
      CHAIN_API_KEY: 'secret',
      ACCOUNTS_PHASE: 'DualWritePrimaryRead',
      PORT: '9000',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      HEALTH_VERBOSE: '1',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://u@db:5432/app',
      pgSchema: 'tenant_a',
      cosmos: {
        endpoint: 'https://127.0.0.1:8081',
        key: 'k',
        database: 'd',
        profile: 'cosmosdb-server',
        tlsInsecure: true,
      },
      redisUrl: 'redis://cache:6379',
      cacheSigningKeys: ['n'.repeat(44)],
      chain: { url: 'https://chain:50051', credential: { type: 'apiKey', apiKey: 'secret' } },
      auth: {
        audience: ['api://mystira-app', 'https://api.mystira.example/app'],
        algorithms: ['RS256'],
        clockToleranceSec: 5,
        rolesClaim: 'https://mystira.app/roles',
      },
      rateLimit: { max: 50, anonymousMax: 10, windowMs: 1000 },
      trustProxy: ['10.0.0.0/8', '192.168.1.1'],
      accountsPhase: 'DualWritePrimaryRead',
      port: 9000,
      host: '127.0.0.1',
      logLevel: 'debug',
      healthVerbose: true,
    });
  });

  it('names the variable it cannot use', () => {
    const load = (env: Record<string, string>) => () => loadAppApiConfig({ ...AUTH, ...env });
    expect(load({ COSMOS_PROFILE: 'emulator' })).toThrow(/COSMOS_PROFILE/);
    expect(load({ ACCOUNTS_PHASE: 'Later' })).toThrow(/ACCOUNTS_PHASE/);
    expect(load({ PORT: '-1' })).toThrow(/PORT/);
    expect(load({ PG_SCHEMA: 'drop table;' })).toThrow(/PG_SCHEMA/);
    expect(load({ CHAIN_URL: 'ftp://x' })).toThrow(ConfigError);
    expect(load({ REDIS_URL: 'nope' })).toThrow(/REDIS_URL/);
    expect(() => requireDatabaseUrl({})).toThrow(/DATABASE_URL is required/);
  });

  it('requires cache signing keys with REDIS_URL, unless CACHE_SIGNING=off', () => {
    const load = (env: Record<string, string>) => () => loadAppApiConfig({ ...AUTH, ...env });
    const REDIS = { REDIS_URL: 'redis://cache:6379' };
    const key1 = 'a'.repeat(32);
    const key2 = 'b'.repeat(44);
    // The memory store needs none (nothing else can write to it); a given key is still used.
    expect(load({})().cacheSigningKeys).toBeUndefined();
    expect(load({ CACHE_SIGNING_KEYS: key1 })().cacheSigningKeys).toEqual([key1]);
    // A shared Redis is where forged entries come from: no key, no start.
    expect(load(REDIS)).toThrow(/^CACHE_SIGNING_KEYS is required with REDIS_URL/);
    expect(load({ ...REDIS, CACHE_SIGNING_KEYS: '' })).toThrow(/CACHE_SIGNING_KEYS is required/);
    expect(load({ ...REDIS, CACHE_SIGNING_KEYS: ` ${key2} , ${key1}` })().cacheSigningKeys).toEqual(
      [key2, key1],
    );
    // Running unsigned is said explicitly (and logged as a warning at start, see stores.ts).
    expect(load({ ...REDIS, CACHE_SIGNING: 'off' })().cacheSigningKeys).toBeUndefined();
    expect(load({ ...REDIS, CACHE_SIGNING: 'off', CACHE_SIGNING_KEYS: key1 })).toThrow(
      /CACHE_SIGNING=off and CACHE_SIGNING_KEYS are both set/,
    );
    expect(load({ CACHE_SIGNING: 'no' })).toThrow(/^CACHE_SIGNING must be "on" or "off"/);
  });

  it('refuses a cache signing key under 32 bytes without printing it', () => {
    const load = (keys: string) => () =>
      loadAppApiConfig({ ...AUTH, REDIS_URL: 'redis://cache:6379', CACHE_SIGNING_KEYS: keys });
    const short = 'x'.repeat(31);
    expect(load(short)).toThrow(ConfigError);
    expect(load(short)).toThrow(
      /^CACHE_SIGNING_KEYS: key 1 of 1 is 31 bytes; each key must be at least 32 bytes/,
    );
    // The rotation list is checked key by key; an empty entry (",,", a trailing comma) too.
    expect(load(`${'k'.repeat(32)},${short}`)).toThrow(/key 2 of 2 is 31 bytes/);
    expect(load(`${'k'.repeat(32)},`)).toThrow(/key 2 of 2 is 0 bytes/);
    // Bytes, not characters: 11 three-byte characters are 33 bytes.
    expect(load('€'.repeat(11))().cacheSigningKeys).toEqual(['€'.repeat(11)]);
    try {
      load(short)();
    } catch (e) {
      expect((e as Error).message).not.toContain(short);
    }
  });

  it('refuses to run without an issuer, an audience and a JWKS URL: there is no anonymous mode', () => {
    expect(() => loadAppApiConfig({})).toThrow(
      /AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE are required/,
    );
    expect(() => loadAppApiConfig({ ...AUTH, AUTH_AUDIENCE: ' , ' })).toThrow(
      /^AUTH_AUDIENCE is required/,
    );
    expect(() => loadAppApiConfig({ ...AUTH, AUTH_ISSUER: '' })).toThrow(
      /^AUTH_ISSUER is required/,
    );
  });

  it('refuses what would weaken authentication', () => {
    const load = (env: Record<string, string>) => () => loadAppApiConfig({ ...AUTH, ...env });
    // A shared-secret algorithm would let the published public key act as an HMAC secret.
    expect(load({ AUTH_ALGORITHMS: 'RS256,HS256' })).toThrow(
      /AUTH_ALGORITHMS must list asymmetric/,
    );
    expect(load({ AUTH_ALGORITHMS: 'none' })).toThrow(/AUTH_ALGORITHMS/);
    // Keys over plain HTTP could be swapped on the way, except on this machine.
    expect(load({ AUTH_JWKS_URL: 'http://idp.example/jwks' })).toThrow(
      /AUTH_JWKS_URL must be https/,
    );
    expect(load({ AUTH_JWKS_URL: 'http://127.0.0.1:9000/jwks' })()).toMatchObject({
      auth: { jwksUrl: 'http://127.0.0.1:9000/jwks' },
    });
    expect(load({ AUTH_CLOCK_TOLERANCE_S: '3600' })).toThrow(/AUTH_CLOCK_TOLERANCE_S/);
    expect(load({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY=true/);
    expect(load({ RATE_LIMIT_MAX: '0' })).toThrow(/RATE_LIMIT_MAX/);
    // The static admin token is gone; a deployment still setting it is told what replaced it.
    expect(load({ ADMIN_TOKEN: 'secret' })).toThrow(/ADMIN_TOKEN is no longer read.*admin" role/);
  });

  it('reads the Chain credential: an API key, or client credentials, never both', () => {
    const load = (env: Record<string, string>) => loadAppApiConfig({ ...AUTH, ...env }).chain;
    const clientCredentials = {
      CHAIN_TOKEN_URL: 'https://tenant.example/oauth/token',
      CHAIN_CLIENT_ID: 'app-api',
      CHAIN_CLIENT_SECRET: 's3cret',
    };
    expect(load({ ...clientCredentials, CHAIN_TOKEN_AUDIENCE: 'chain' }).credential).toEqual({
      type: 'clientCredentials',
      tokenUrl: 'https://tenant.example/oauth/token',
      clientId: 'app-api',
      clientSecret: 's3cret',
      audience: 'chain',
    });
    expect(() => load({ ...clientCredentials, CHAIN_API_KEY: 'k' })).toThrow(/not both/);
    expect(() => load({ CHAIN_CLIENT_ID: 'app-api' })).toThrow(/CHAIN_TOKEN_URL, CHAIN_CLIENT_ID/);
  });
});

describe('CACHE_L1_TTL_MS', () => {
  it('turns L1 on only when set above 0, and only with Redis', () => {
    const env = { ...AUTH, REDIS_URL: 'redis://127.0.0.1:6379', CACHE_SIGNING: 'off' };
    expect(loadAppApiConfig(env).cacheL1).toBeUndefined();
    expect(loadAppApiConfig({ ...env, CACHE_L1_TTL_MS: '5000' }).cacheL1).toEqual({
      ttlMs: 5000,
      max: 10_000,
    });
    expect(
      loadAppApiConfig({ ...env, CACHE_L1_TTL_MS: '5000', CACHE_L1_MAX: '100' }).cacheL1,
    ).toEqual({ ttlMs: 5000, max: 100 });
    expect(loadAppApiConfig({ ...AUTH, CACHE_L1_TTL_MS: '5000' }).cacheL1).toBeUndefined();
    expect(() => loadAppApiConfig({ ...env, CACHE_L1_TTL_MS: '-1' })).toThrow(/CACHE_L1_TTL_MS/);
  });
});
