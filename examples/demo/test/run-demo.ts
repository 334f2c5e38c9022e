/**
 * Runs `node examples/demo/src/main.ts` as a user would (a child process), on free ports and a
 * given data folder, and collects what it printed.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { LICENSING_STEPS } from '../src/licensing-steps.ts';

export const MAIN = resolve(import.meta.dirname, '../src/main.ts');

/** Variables that would swap an embedded component for a real one; cleared unless a test sets them. */
const OVERRIDES = [
  'DATABASE_URL',
  'REDIS_URL',
  'COSMOS_ENDPOINT',
  'COSMOS_KEY',
  'CHAIN_URL',
  'CHAIN_API_KEY',
  'PG_SCHEMA',
];

export interface DemoRun {
  code: number | null;
  output: string;
}

const SCENARIO_STEPS = [
  'create two accounts',
  'create a story with three scenarios',
  'read it twice',
  'publish',
  'watch the registration until it is confirmed',
  'anyone reads the published story',
  'Pat \\(payer role\\) pays 1 token',
  'show the split and the claimable balances',
  'the author claims her share',
];

/**
 * Every scenario step printed with ✓, the licensing steps included (both of the demo's ledgers
 * serve the licensing services), and none with ✗.
 */
export function expectScenarioPassed(output: string) {
  for (const step of SCENARIO_STEPS) expect(output).toMatch(new RegExp(`✓ +\\d+\\. ${step}`));
  expect(output).not.toContain('licensing steps skipped');
  for (const step of LICENSING_STEPS)
    expect(output).toMatch(new RegExp(`✓ +\\d+\\. ${escapeRegExp(step)}`));
  expect(output).not.toContain('✗');
  expect(output).toContain('scenario passed');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface DemoOptions {
  args?: string[];
  dataDir?: string;
  env?: Record<string, string>;
}

function spawnDemo(options: DemoOptions) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of OVERRIDES) delete env[name];
  Object.assign(env, {
    DEMO_WEB_PORT: '0',
    DEMO_API_PORT: '0',
    DEMO_CHAIN_PORT: '0',
    DEMO_ISSUER_PORT: '0',
    DEMO_POSTGRES_PORT: '0',
    DEMO_COSMOS_PORT: '0',
    LOG_LEVEL: 'warn',
    ...(options.dataDir ? { DEMO_DATA_DIR: options.dataDir } : {}),
    ...options.env,
  });
  const child = spawn(process.execPath, [MAIN, ...(options.args ?? ['--once', '--no-build'])], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = { output: '' };
  child.stdout.on('data', (chunk: Buffer) => {
    run.output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    run.output += chunk.toString();
  });
  const closed = new Promise<number | null>((done) => child.on('close', done));
  return { child, run, closed };
}

export function runDemo(options: DemoOptions & { timeoutMs?: number }): Promise<DemoRun> {
  const { child, run, closed } = spawnDemo(options);
  // A hung demo must not hang the suite: SIGINT first (clean stop), SIGKILL if that is ignored.
  const timer = setTimeout(() => {
    run.output += '\n[test] timed out: SIGINT\n';
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  }, options.timeoutMs ?? 90_000);
  return closed.then((code) => {
    clearTimeout(timer);
    return { code, output: run.output };
  });
}

/** A demo left serving (no --once) until the test stops it. */
export interface ServingDemo {
  pid: number;
  /** What it printed so far. */
  output(): string;
  /** Resolves once the output matches `pattern`; rejects when it exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` (SIGINT by default: Ctrl-C) and waits for it to exit (SIGKILL after 20 s). */
  stop(signal?: NodeJS.Signals): Promise<DemoRun>;
}

export function startDemo(options: DemoOptions): ServingDemo {
  const { child, run, closed } = spawnDemo({ ...options, args: options.args ?? ['--no-build'] });
  let exited = false;
  void closed.then(() => {
    exited = true;
  });
  return {
    pid: child.pid!,
    output: () => run.output,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(run.output);
        if (match) return match;
        if (exited) throw new Error(`the demo exited before printing ${pattern}:\n${run.output}`);
        if (Date.now() > deadline)
          throw new Error(`no ${pattern} in ${timeoutMs} ms:\n${run.output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop(signal = 'SIGINT') {
      if (!exited) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await closed;
      clearTimeout(timer);
      return { code, output: run.output };
    },
  };
}
