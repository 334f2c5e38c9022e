/**
 * Vitest global setup of the browser tests: builds the page once, before any test file runs,
 * when dist/ is missing or older than src/, index.html or the Vite config, so no test drives a
 * stale page and two test files never build into dist/ at the same time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export default function buildPageWhenStale(): void {
  const built = join(root, 'dist/index.html');
  const newest = Math.max(
    ...[
      'index.html',
      'vite.config.ts',
      ...readdirSync(join(root, 'src'), { recursive: true }).map((f) => `src/${f}`),
    ].map((f) => statSync(join(root, f)).mtimeMs),
  );
  if (!existsSync(built) || statSync(built).mtimeMs < newest) {
    // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build: the
    // tests drive the production page.
    execFileSync('npm', ['run', 'build', '--silent'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    });
  }
}
