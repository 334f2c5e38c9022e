/**
 * A user's project outside the workspace: every published package packed with `npm pack` and
 * installed from its tarball, beside the third-party packages the READMEs tell a user to install.
 * Inside the workspace every @mystira import resolves to the source tree, which hides missing
 * dependencies, "*" ranges and types that need a package the user does not have; out here none of
 * that is hidden. One install serves every check (it is the slow part).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readReadme } from './readme.js';
import { publishedPackages, root, runOk } from './tools.js';

export interface InstalledProject {
  dir: string;
  /** Package name -> the package.json inside its tarball, as npm installed it. */
  manifests: Map<string, Record<string, unknown> & { name: string; version: string }>;
}

/** The versions the repo itself builds and type-checks with, so the scratch project agrees. */
function rootDevVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return manifest.devDependencies[name];
}

export function createInstalledProject(): InstalledProject {
  // Under the OS temp folder, never under the repo: Node and TypeScript resolve packages by
  // walking up the folders, and the workspace's node_modules must not be found.
  const dir = mkdtempSync(join(tmpdir(), 'mystira-installed-'));
  const tarballs = join(dir, 'tarballs');
  mkdirSync(tarballs);

  const packages = publishedPackages();
  const dependencies: Record<string, string> = {
    typescript: rootDevVersion('typescript'),
    '@types/node': rootDevVersion('@types/node'),
  };
  for (const pkg of packages) {
    const [packed] = JSON.parse(
      runOk('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tarballs], pkg.dir),
    );
    dependencies[pkg.manifest.name] = `file:./tarballs/${packed.filename}`;
  }
  // What the READMEs tell a user to install, at the versions npm picks for a user today.
  for (const pkg of packages) {
    for (const name of readReadme(pkg.dir).installs) dependencies[name] ??= 'latest';
  }
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'a-user-project', private: true, type: 'module', dependencies }, null, 2)}\n`,
  );
  runOk('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline'], dir);

  const manifests: InstalledProject['manifests'] = new Map();
  for (const pkg of packages) {
    const path = join(dir, 'node_modules', pkg.manifest.name, 'package.json');
    manifests.set(pkg.manifest.name, JSON.parse(readFileSync(path, 'utf8')));
  }
  return { dir, manifests };
}

/**
 * A Node.js binary of the given version from the npm registry (the `node-<os>-<arch>` packages
 * that the `node` package itself installs from), kept in tests/.cache between runs.
 */
export function nodeBinary(version: string): string {
  const cache = join(root, 'tests', '.cache', `node-${version}`);
  const binary = join(cache, 'package', 'bin', 'node');
  if (existsSync(binary)) return binary;
  mkdirSync(cache, { recursive: true });
  const [packed] = JSON.parse(
    runOk('npm', ['pack', '--json', `node-${process.platform}-${process.arch}@${version}`], cache),
  );
  runOk('tar', ['xzf', packed.filename], cache);
  return binary;
}
