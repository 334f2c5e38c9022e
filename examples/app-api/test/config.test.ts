import { describe, expect, it } from 'vitest';
import { ConfigError, loadAppApiConfig, requireDatabaseUrl } from '../src/config.ts';

describe('loadAppApiConfig', () => {
  it('has the documented defaults', () => {
    const config = loadAppApiConfig({});
    expect(config).toMatchObject({
      pgSchema: 'app',
      cosmos: { database: 'mystira', profile: 'azure', tlsInsecure: false },
      redisUrl: undefined,
      chain: { url: 'http://localhost:50051', apiKey: undefined },
      accountsPhase: 'SecondaryOnly',
      port: 8080,
      host: '0.0.0.0',
      logLevel: 'info',
      adminToken: undefined,
      healthVerbose: false,
    });
  });

  it('reads every variable', () => {
    const config = loadAppApiConfig({
      DATABASE_URL: 'postgres://u@db:5432/app',
      PG_SCHEMA: 'tenant_a',
      COSMOS_ENDPOINT: 'https://127.0.0.1:8081',
      COSMOS_KEY: 'k',
      COSMOS_DATABASE: 'd',
      COSMOS_PROFILE: 'cosmosdb-server',
      COSMOS_TLS_INSECURE: '1',
      REDIS_URL: 'redis://cache:6379',
      CHAIN_URL: 'https://chain:50051',
      CHAIN_API_KEY: 'secret',
      ACCOUNTS_PHASE: 'DualWritePrimaryRead',
      PORT: '9000',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      ADMIN_TOKEN: 't',
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
      chain: { url: 'https://chain:50051', apiKey: 'secret' },
      accountsPhase: 'DualWritePrimaryRead',
      port: 9000,
      host: '127.0.0.1',
      logLevel: 'debug',
      adminToken: 't',
      healthVerbose: true,
    });
  });

  it('names the variable it cannot use', () => {
    expect(() => loadAppApiConfig({ COSMOS_PROFILE: 'emulator' })).toThrow(/COSMOS_PROFILE/);
    expect(() => loadAppApiConfig({ ACCOUNTS_PHASE: 'Later' })).toThrow(/ACCOUNTS_PHASE/);
    expect(() => loadAppApiConfig({ PORT: '-1' })).toThrow(/PORT/);
    expect(() => loadAppApiConfig({ PG_SCHEMA: 'drop table;' })).toThrow(/PG_SCHEMA/);
    expect(() => loadAppApiConfig({ CHAIN_URL: 'ftp://x' })).toThrow(ConfigError);
    expect(() => loadAppApiConfig({ REDIS_URL: 'nope' })).toThrow(/REDIS_URL/);
    expect(() => requireDatabaseUrl({})).toThrow(/DATABASE_URL is required/);
  });
});
