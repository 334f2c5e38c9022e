/**
 * docker-compose.yml cannot be started here (no Docker engine), so its wiring is checked instead:
 * every service has a healthcheck, waits for healthy dependencies, builds a Dockerfile target that
 * exists, and sets only environment variables its host actually reads (found by running each
 * host's config loader over an environment that records what is asked of it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadAppApiConfig } from '../../app-api/src/config.ts';
import { loadConfig as loadChainHostConfig } from '../../chain-server/src/config.ts';

const ROOT = join(import.meta.dirname, '../../..');

interface Service {
  image?: string;
  build?: { context: string; target: string };
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: unknown };
  ports?: string[];
}
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/**
 * The variable names a config loader reads, given the variables it requires (a loader that
 * stops at a missing one would not show what it reads after it).
 */
function namesReadBy(
  load: (env: NodeJS.ProcessEnv) => unknown,
  required: Record<string, string> = {},
): Set<string> {
  const read = new Set<string>();
  const env = new Proxy({} as NodeJS.ProcessEnv, {
    get(_target, name) {
      if (typeof name !== 'string') return undefined;
      read.add(name);
      return required[name];
    },
  });
  load(env);
  return read;
}

/** serve.ts reads its variables inline in its `npm start` branch. */
function namesReadByPublisherWeb(): Set<string> {
  const source = readFileSync(join(ROOT, 'examples/publisher-web/serve.ts'), 'utf8');
  return new Set([...source.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));
}

const readers: Record<string, () => Set<string>> = {
  // The App API refuses to start without an issuer, an audience and their keys.
  'app-api': () =>
    namesReadBy(loadAppApiConfig, {
      AUTH_JWKS_URL: 'https://idp.example/.well-known/jwks.json',
      AUTH_ISSUER: 'https://idp.example/',
      AUTH_AUDIENCE: 'https://api.mystira.example/app',
    }),
  'chain-server': () => namesReadBy(loadChainHostConfig),
  'publisher-web': namesReadByPublisherWeb,
};

describe('docker-compose.yml', () => {
  it('runs PostgreSQL, Redis, the Cosmos DB emulator and the three hosts', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['app-api', 'chain-server', 'cosmos', 'postgres', 'publisher-web', 'redis'].sort(),
    );
    expect(compose.services.cosmos?.image).toMatch(
      /^mcr\.microsoft\.com\/cosmosdb\/linux\/azure-cosmos-emulator/,
    );
  });

  it('gives every service a healthcheck and starts a service only after its dependencies are healthy', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.healthcheck?.test, `${name} has no healthcheck`).toBeDefined();
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(
          compose.services[dependency],
          `${name} depends on unknown ${dependency}`,
        ).toBeDefined();
        expect(condition, `${name} -> ${dependency}`).toBe('service_healthy');
      }
    }
  });

  it('builds the hosts from targets the Dockerfile has', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (!service.build) continue;
      expect(dockerfile, `${name}: no stage ${service.build.target}`).toMatch(
        new RegExp(`^FROM \\S+ AS ${service.build.target}$`, 'm'),
      );
    }
  });

  for (const [name, read] of Object.entries(readers)) {
    it(`sets only variables the ${name} host reads`, () => {
      const known = read();
      const set = Object.keys(compose.services[name]?.environment ?? {});
      expect(set.length).toBeGreaterThan(0);
      expect(set.filter((variable) => !known.has(variable))).toEqual([]);
    });
  }

  it('points each host at services that exist, and lets the page’s origin call the Chain host', () => {
    const env = (name: string) => compose.services[name]?.environment ?? {};
    const hostOf = (url: string) => new URL(url).hostname;
    expect(compose.services[hostOf(env('app-api').DATABASE_URL!)]).toBeDefined();
    expect(compose.services[hostOf(env('app-api').COSMOS_ENDPOINT!)]).toBeDefined();
    expect(compose.services[hostOf(env('app-api').REDIS_URL!)]).toBeDefined();
    expect(compose.services[hostOf(env('app-api').CHAIN_URL!)]).toBeDefined();
    expect(compose.services[hostOf(env('chain-server').REDIS_URL!)]).toBeDefined();
    // The page's Chain URL is used by the browser, so it goes through the published port.
    const pagePort = env('publisher-web').PORT;
    expect(compose.services['publisher-web']?.ports).toContain(`${pagePort}:${pagePort}`);
    expect(env('chain-server').CORS_ORIGINS?.split(',')).toContain(`http://localhost:${pagePort}`);
    expect(new URL(env('publisher-web').CHAIN_URL!).port).toBe(env('chain-server').PORT);
  });
});
