import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { deletePrefix } from '../../../test-support/delete-prefix.ts';
import { LOCK_FILE } from '../src/data-folder.ts';
import { expectScenarioPassed, runDemo } from './run-demo.ts';
import { tempFolders } from './temp-folders.ts';

const tempDataDir = tempFolders('mystira-demo-test-', { traversable: true });

describe('npm run demo -- --once', () => {
  it('passes on embedded defaults, and a restart on the same data folder keeps the first run’s data', async () => {
    const dataDir = await tempDataDir();
    const first = await runDemo({ dataDir });
    expect(first.output).toMatch(/✓ PostgreSQL +postgres:\/\/mystira:\*\*\*@127\.0\.0\.1/);
    expect(first.output).toContain('memory cache store');
    // The Chain host runs on the Story ledger over an embedded chain by default, and says what
    // that chain is.
    expect(first.output).toMatch(
      /✓ Chain host +http:\/\/127\.0\.0\.1:\d+ .*\n +Story ledger on an embedded EVM chain \(chain id 1315, http:\/\/127\.0\.0\.1:\d+\) with Story TEST contracts: not Story Protocol/,
    );
    expect(first.output).toMatch(/Chain node +http:\/\/127\.0\.0\.1:\d+ .*Story TEST contracts/);
    expectScenarioPassed(first.output);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/Publisher page +http:\/\/127\.0\.0\.1:\d+/);
    expect(first.output).toMatch(/API docs +http:\/\/127\.0\.0\.1:\d+\/docs/);
    // A token for each demo user, and the page's sign-in link.
    expect(first.output).toMatch(/✓ Token issuer +http:\/\/127\.0\.0\.1:\d+/);
    for (const subject of ['demo\\|ada', 'demo\\|grace', 'demo\\|pat', 'demo\\|ops'])
      expect(first.output).toMatch(
        new RegExp(`sub ${subject}.*\\n +eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+\\n`),
      );
    expect(first.output).toMatch(/as Ada +http:\/\/127\.0\.0\.1:\d+\/#token=eyJ/);

    const second = await runDemo({ dataDir });
    // The account (PostgreSQL) and the story (Cosmos DB snapshot) of run 1 are read back first.
    expect(second.output).toMatch(/✓ +1\. the previous run’s data is still there/);
    expectScenarioPassed(second.output);
    expect(second.code, second.output).toBe(0);
  });

  it('passes on the real PostgreSQL and Redis of this machine (own schema, own key prefix), with --ledger devnet', async () => {
    const suffix = randomBytes(4).toString('hex');
    const schema = `demo_c_${suffix}`;
    const keyPrefix = `demo-c-test-${suffix}:`;
    // The shared database (trust auth); the user is named because USER may be unset (CI).
    const databaseUrl = 'postgres://postgres@127.0.0.1:5432/test';
    const redisUrl = 'redis://127.0.0.1:6379';
    try {
      const run = await runDemo({
        dataDir: await tempDataDir(),
        // The in-process devnet instead of the default Story ledger on an embedded chain.
        args: ['--once', '--no-build', '--ledger', 'devnet'],
        env: {
          DATABASE_URL: databaseUrl,
          PG_SCHEMA: schema,
          REDIS_URL: redisUrl,
          CACHE_KEY_PREFIX: keyPrefix,
        },
      });
      expect(run.output).toMatch(
        /✓ PostgreSQL +postgres:\/\/postgres@127\.0\.0\.1:5432\/test \(from the environment\)/,
      );
      expect(run.output).toMatch(/✓ Cache +redis:\/\/127\.0\.0\.1:6379 \(from the environment\)/);
      expect(run.output).toContain('devnet ledger (in process, simulated');
      expect(run.output).not.toContain('Story TEST contracts');
      // The devnet serves licensing (DevnetLedger.ip): the licensing steps must have run.
      expectScenarioPassed(run.output);
      expect(run.output).toMatch(/claimable Ada +0\.07 token \(70000000000000000 wei\)/);
      expect(run.code, run.output).toBe(0);
    } finally {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
      await client.end();
      const redis = new Redis(redisUrl);
      await deletePrefix(redis, keyPrefix);
      redis.disconnect();
    }
  });

  it('names the failing component and what to do, and exits 1', async () => {
    // Something else holds the port embedded PostgreSQL is told to use.
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const { port } = squatter.address() as AddressInfo;
    try {
      const dataDir = await tempDataDir();
      const run = await runDemo({
        dataDir,
        env: { DEMO_POSTGRES_PORT: String(port) },
        timeoutMs: 60_000,
      });
      expect(run.code, run.output).toBe(1);
      expect(run.output).toContain('✗ PostgreSQL did not start');
      expect(run.output).toContain(`Is port ${port} (DEMO_POSTGRES_PORT) free?`);
      expect(run.output).not.toContain('Publish-a-story scenario');
      // Released on the error path too: the next demo may use the folder.
      expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('explains itself with --help', async () => {
    const run = await runDemo({ args: ['--help'] });
    expect(run.code).toBe(0);
    expect(run.output).toContain('--once');
    expect(run.output).toContain('DATABASE_URL');
    expect(run.output).toContain('--ledger LEDGER');
  });
});
