import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The mystira-pg bin's own checks: its command words. Migrations through the bin are tested in
// migrations.test.ts; the Node.js version rules, shared with mystira-polyglot, in
// tests/node-version.test.ts.
const bin = resolve(import.meta.dirname, '../dist/cli.js');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('mystira-pg usage errors', () => {
  it.each([
    [['migrate', 'sideways'], 'unknown command "sideways"'],
    [['sideways'], 'unknown command "sideways"'],
    [['migrate'], 'migrate needs a subcommand: up, down or status'],
    [[], 'no command given'],
    [['migrate', 'up', 'extra'], 'unexpected argument "extra"'],
    [['migrate', 'up', '--bogus'], "Unknown option '--bogus'"],
  ])('%j: names the problem on stderr, then the usage, exit code 2', (args, problem) => {
    const r = cli(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const [first, blank, usage] = r.stderr.split('\n');
    expect(first).toContain(`mystira-pg: ${problem}`);
    expect([blank, usage]).toEqual(['', 'usage: mystira-pg migrate <up|down|status> [options]']);
  });

  it('--help prints the usage on stdout, exit code 0', () => {
    const r = cli('--help');
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^usage: mystira-pg migrate/);
  });
});
