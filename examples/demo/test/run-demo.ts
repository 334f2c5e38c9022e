/**
 * Runs `node examples/demo/src/main.ts` as a user would (a child process), on free ports and a
 * given data folder, and collects what it printed.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

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

export function runDemo(options: {
  args?: string[];
  dataDir?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<DemoRun> {
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
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  // A hung demo must not hang the suite: SIGINT first (clean stop), SIGKILL if that is ignored.
  const timer = setTimeout(() => {
    output += '\n[test] timed out: SIGINT\n';
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  }, options.timeoutMs ?? 90_000);
  return new Promise((done) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}
