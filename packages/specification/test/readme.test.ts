/** The README example is runnable: extract it, run it with Node against the built package. */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('the README example runs and prints what it claims', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const code = /```ts runnable\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const file = join(import.meta.dirname, '.readme-example.ts');
  writeFileSync(file, code!);
  try {
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[2]).toMatch(/^[0-9a-f]{64}$/);
    expect(lines[4]).toBe('20 20 more');
  } finally {
    rmSync(file, { force: true });
  }
});
