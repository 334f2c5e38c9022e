import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { typecheckConsumer } from './consumer-typecheck.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const repoNodeModules = fileURLToPath(new URL('../../../node_modules', import.meta.url));

/** Runs a CommonJS snippet in a fresh Node (the one running the tests, Node 24) from the package dir. */
function runCjs(code: string) {
  return spawnSync(process.execPath, ['--input-type=commonjs', '-e', code], {
    cwd: packageDir,
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('CommonJS build', () => {
  it('loads with require() and reaches ESM-only cockatiel through require(esm)', () => {
    const run = runCjs(`
      const r = require('@mystira/resilience');
      const policy = r.pipeline({ retry: { maxAttempts: 3, initialDelayMs: 1, idempotent: true } });
      let calls = 0;
      policy.execute(() => {
        calls++;
        if (calls < 2) throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
        return 'ok';
      }).then((value) => {
        console.log(JSON.stringify({
          value, calls,
          breaker: typeof r.circuitBreaker({}).execute,
          cockatiel: typeof r.ExponentialBackoff,
          transient: r.isTransient({ name: 'ConnectError', code: 14, rawMessage: 'x' }, { idempotent: true }),
        }));
      }, (err) => { console.error(err); process.exit(1); });
    `);
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toEqual({
      value: 'ok',
      calls: 2,
      breaker: 'function',
      cockatiel: 'function',
      transient: true,
    });
  });

  it('loads the ./otel entry with require()', () => {
    const run = runCjs(`
      const { bridgeToOpenTelemetry } = require('@mystira/resilience/otel');
      const { ResilienceEvents } = require('@mystira/resilience');
      bridgeToOpenTelemetry(new ResilienceEvents()).dispose();
      console.log(typeof bridgeToOpenTelemetry);
    `);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('function');
  });
});

describe('CommonJS types', () => {
  it('type-check in a CommonJS TypeScript project (module nodenext, skipLibCheck off)', () => {
    // A consumer project outside the repo that sees the repo's node_modules, as an installed
    // dependency would. `module: nodenext` is what Node >= 22 CommonJS projects use (TS knows
    // they can require() ESM-only cockatiel); see the README for `module: node16`.
    const dir = mkdtempSync(join(tmpdir(), 'resilience-cts-'));
    try {
      symlinkSync(repoNodeModules, join(dir, 'node_modules'), 'dir');
      const consumer = [
        "import { BrokenCircuitError, circuitBreaker, isTransient, pipeline, type RetryOptions } from '@mystira/resilience';",
        "import { bridgeToOpenTelemetry } from '@mystira/resilience/otel';",
        'const options: RetryOptions = { maxAttempts: 2, idempotent: true };',
        'const p = pipeline({ retry: options, circuitBreaker: circuitBreaker() });',
        'void p.execute(async ({ signal, attempt }) => (signal.aborted ? 0 : (attempt ?? 0)));',
        'void p.execute(() => 1).catch((e: unknown) => e instanceof BrokenCircuitError && isTransient(e));',
        'export const bridge: typeof bridgeToOpenTelemetry = bridgeToOpenTelemetry;',
      ].join('\n');
      const { output, status } = typecheckConsumer(dir, { 'consumer.cts': consumer });
      expect(output).toBe('');
      expect(status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
