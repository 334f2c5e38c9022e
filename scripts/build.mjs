#!/usr/bin/env node
// Builds every workspace that has a build script, dependencies first: a package's .d.ts build
// reads the .d.ts of the @mystira packages it imports, so they must exist before it runs.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const workspaces = [];
for (const folder of ['packages', 'examples', '.']) {
  const base = join(root, folder);
  const dirs = folder === '.' ? ['bench'] : existsSync(base) ? readdirSync(base) : [];
  for (const dir of dirs) {
    const manifest = join(base, dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    workspaces.push({ dir: join(folder, dir), pkg });
  }
}
const byName = new Map(workspaces.map((w) => [w.pkg.name, w]));

const order = [];
const state = new Map(); // name -> 'visiting' | 'done'
// Runtime and peer dependencies must build first. devDependencies only serve tests (which run
// after every build), so they order the build when they can but may form cycles, e.g. two
// adapters whose tests each use the other.
function visit(w) {
  const name = w.pkg.name;
  if (state.get(name) === 'done') return;
  if (state.get(name) === 'visiting') throw new Error(`dependency cycle through ${name}`);
  state.set(name, 'visiting');
  for (const dep of Object.keys({ ...w.pkg.dependencies, ...w.pkg.peerDependencies })) {
    const target = byName.get(dep);
    if (target) visit(target);
  }
  for (const dep of Object.keys(w.pkg.devDependencies ?? {})) {
    const target = byName.get(dep);
    if (target && state.get(target.pkg.name) !== 'visiting') visit(target);
  }
  state.set(name, 'done');
  order.push(w);
}
for (const w of workspaces) visit(w);

// --changed (used by `npm run demo`): skip a workspace whose dist/ is newer than every input and
// none of whose workspace dependencies was rebuilt in this run. `npm run build` alone builds all.
const onlyChanged = process.argv.includes('--changed');
const ignoredDirs = new Set(['node_modules', 'dist', 'test', 'coverage', '.turbo']);
function newestInput(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && (ignoredDirs.has(entry.name) || entry.name.startsWith('.')))
      continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestInput(path) : statSync(path).mtimeMs);
  }
  return newest;
}
function oldestOutput(dir) {
  if (!existsSync(dir)) return 0;
  let oldest = Number.POSITIVE_INFINITY;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    oldest = Math.min(oldest, entry.isDirectory() ? oldestOutput(path) : statSync(path).mtimeMs);
  }
  return oldest === Number.POSITIVE_INFINITY ? 0 : oldest;
}
const rebuilt = new Set();
for (const w of order) {
  if (!w.pkg.scripts?.build) continue;
  if (onlyChanged) {
    const dir = join(root, w.dir);
    const deps = Object.keys({ ...w.pkg.dependencies, ...w.pkg.peerDependencies });
    const fresh =
      !deps.some((d) => rebuilt.has(d)) && oldestOutput(join(dir, 'dist')) > newestInput(dir);
    if (fresh) {
      process.stderr.write(`✓ ${w.pkg.name} is up to date\n`);
      continue;
    }
  }
  process.stderr.write(`\n▶ build ${w.pkg.name} (${w.dir})\n`);
  execFileSync('npm', ['run', 'build', '--silent', '-w', w.dir], { cwd: root, stdio: 'inherit' });
  rebuilt.add(w.pkg.name);
}
