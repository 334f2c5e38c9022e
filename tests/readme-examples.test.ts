/**
 * A README example that does not run is worse than none. Every code block fenced as
 * ```ts runnable in a package README is run here, as a user would paste it, against the
 * built packages; it must exit 0 within the timeout.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { publishedPackages, root } from './lib/tools.js';

const scratch = join(root, 'tests', '.tmp');
mkdirSync(scratch, { recursive: true });
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const examples = publishedPackages().flatMap((pkg) => {
  const path = join(pkg.dir, 'README.md');
  const readme = existsSync(path) ? readFileSync(path, 'utf8') : '';
  return [...readme.matchAll(/^```ts runnable\n([\s\S]*?)^```$/gm)].map(
    (m, i) => [`${pkg.manifest.name} #${i + 1}`, m[1]!] as const,
  );
});

describe('README examples', () => {
  it('exist: every package has at least one runnable example', () => {
    const named = new Set(examples.map(([name]) => name.split(' ')[0]));
    for (const pkg of publishedPackages()) expect(named).toContain(pkg.manifest.name);
  });

  it.each(examples)('%s runs', (name, code) => {
    // Inside the repo, so that `@mystira/*` imports resolve to the built workspace packages.
    const file = join(scratch, `${name.replace(/[^a-z0-9]+/gi, '-')}.mts`);
    writeFileSync(file, code);
    const run = spawnSync(process.execPath, [file], {
      cwd: scratch,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  });
});
