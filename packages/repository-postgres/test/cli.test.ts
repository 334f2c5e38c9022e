import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem, typeScriptModuleProblem } from '../src/cli.js';

// The mystira-pg bin's own checks: command words and the Node.js version. Migrations through the
// bin are tested in migrations.test.ts.
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

describe('mystira-pg Node.js version checks (version injected)', () => {
  it('below 22.12: one line naming the floor and this version', () => {
    expect(nodeVersionProblem('mystira-pg', '20.20.2')).toBe(
      'mystira-pg needs Node.js 22.12 or newer; this is 20.20.2',
    );
    expect(nodeVersionProblem('mystira-pg', 'v22.11.9')).toContain('this is 22.11.9');
    for (const v of ['22.12.0', '22.18.0', '24.21.0'])
      expect(nodeVersionProblem('mystira-pg', v)).toBeUndefined();
  });

  it('a .ts --module needs 22.18 (or type stripping turned on by a flag)', () => {
    expect(typeScriptModuleProblem('migrations.ts', '22.12.0', false)).toBe(
      'migrations.ts: .ts modules need Node.js 22.18 or newer (this is 22.12.0); use a .js or .mjs module, or upgrade Node.js',
    );
    expect(typeScriptModuleProblem('migrations.ts', '22.12.0', 'strip')).toBeUndefined();
    expect(typeScriptModuleProblem('migrations.ts', '24.21.0', 'strip')).toBeUndefined();
    expect(typeScriptModuleProblem('migrations.ts', '24.21.0', false)).toContain(
      '--no-experimental-strip-types',
    );
    expect(typeScriptModuleProblem('migrations.mjs', '22.12.0', false)).toBeUndefined();
  });
});
