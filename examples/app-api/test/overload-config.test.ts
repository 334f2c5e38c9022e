import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config-error.ts';
import { loadOverloadConfig, OVERLOAD_DEFAULTS } from '../src/overload/config.ts';

describe('loadOverloadConfig', () => {
  it('has the documented defaults', () => {
    expect(loadOverloadConfig({})).toEqual({
      pgPoolMax: 10,
      pgConnectTimeoutMs: 2_000,
      pgStatementTimeoutMs: 5_000,
      storeTimeoutMs: 5_000,
      cosmosRequestTimeoutMs: 10_000,
      pgSaturatedAfterMs: 1_000,
    });
    expect(loadOverloadConfig({})).toEqual(OVERLOAD_DEFAULTS);
  });

  it('reads every variable', () => {
    expect(
      loadOverloadConfig({
        PG_POOL_MAX: '20',
        PG_CONNECT_TIMEOUT_MS: '500',
        PG_STATEMENT_TIMEOUT_MS: '3000',
        STORE_TIMEOUT_MS: '4000',
        COSMOS_REQUEST_TIMEOUT_MS: '6000',
        PG_SATURATED_AFTER_MS: '250',
      }),
    ).toEqual({
      pgPoolMax: 20,
      pgConnectTimeoutMs: 500,
      pgStatementTimeoutMs: 3_000,
      storeTimeoutMs: 4_000,
      cosmosRequestTimeoutMs: 6_000,
      pgSaturatedAfterMs: 250,
    });
  });

  it('refuses 0 (which would mean "wait forever"), negatives and non-integers, naming the variable', () => {
    for (const [name, value] of [
      ['PG_STATEMENT_TIMEOUT_MS', '0'],
      ['PG_CONNECT_TIMEOUT_MS', '-1'],
      ['STORE_TIMEOUT_MS', '1.5'],
      ['PG_POOL_MAX', 'ten'],
    ] as const) {
      expect(() => loadOverloadConfig({ [name]: value })).toThrow(ConfigError);
      expect(() => loadOverloadConfig({ [name]: value })).toThrow(name);
    }
  });
});
