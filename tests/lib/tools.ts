import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'node_modules', '.bin');

/**
 * Runs a repo tool (buf, publint, attw, npm …) with node_modules/.bin first on PATH, the way npm
 * scripts do, so that `buf generate` finds protoc-gen-es and Node 24 runs every JS tool.
 */
export function run(command: string, args: string[], cwd = root): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FORCE_COLOR: '0', NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** `run`, expecting success; a failure shows the tool's own output. */
export function runOk(command: string, args: string[], cwd = root): string {
  const result = run(command, args, cwd);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

export interface Workspace {
  dir: string;
  manifest: {
    name: string;
    private?: boolean;
    exports?: unknown;
    files?: string[];
    [key: string]: unknown;
  };
}

/** The published packages: every packages/* folder whose package.json is not private. */
export function publishedPackages(): Workspace[] {
  const base = join(root, 'packages');
  return readdirSync(base)
    .map((name) => join(base, name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter((w) => !w.manifest.private);
}
