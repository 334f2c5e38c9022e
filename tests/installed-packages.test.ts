/**
 * The packages the way a user meets them: packed with `npm pack`, installed from the tarballs
 * into a project outside the workspace (tests/lib/installed-project.ts), with only what the
 * READMEs tell a user to install. There, every README example must type-check under `nodenext`
 * and `bundler` with `skipLibCheck: false` and run, on Node 24 and on the oldest Node the packages'
 * `engines` allow; both CLIs' documented commands must work against the shared PostgreSQL; and
 * the tarballs must carry real dependency ranges and the licence.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createInstalledProject,
  type InstalledProject,
  nodeBinary,
} from './lib/installed-project.js';
import { importedPackages, readReadme } from './lib/readme.js';
import { publishedPackages, root } from './lib/tools.js';

const packages = publishedPackages().map((pkg) => ({ ...pkg, readme: readReadme(pkg.dir) }));
const examples = packages.flatMap((pkg) =>
  pkg.readme.examples.map((code, i) => ({
    name: `${pkg.manifest.name} #${i + 1}`,
    file: `${pkg.manifest.name.replace(/^@mystira\//, '')}-${i + 1}.ts`,
    code,
  })),
);

/** The oldest Node every package's `engines` admits, e.g. ">=22.12.0" -> "22.12.0". */
function engineFloor(): string {
  const floors = new Set(
    packages.map(
      (p) =>
        /^>=(\d+\.\d+\.\d+)$/.exec(
          String((p.manifest.engines as { node?: string } | undefined)?.node),
        )?.[1],
    ),
  );
  expect([...floors], 'every package states the same floor as >=x.y.z').toHaveLength(1);
  return [...floors][0]!;
}

/** Every subpath a package exports, as a user imports it: '@mystira/x', '@mystira/x/otel'. */
function entryPoints(manifest: { name: string; exports?: unknown }): string[] {
  return Object.keys(manifest.exports as object)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`));
}

/** The environment a user's shell has: no workspace tools on PATH, Node 24 first. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const path = (process.env.PATH ?? '')
    .split(':')
    .filter((p) => !p.startsWith(root))
    .join(':');
  return { ...process.env, PATH: `${dirname(process.execPath)}:${path}`, NO_COLOR: '1', ...extra };
}

function run(command: string, args: string[], cwd: string, env = userEnv(), timeout = 60_000) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}`.trim() };
}

let project: InstalledProject;

beforeAll(() => {
  project = createInstalledProject();
  mkdirSync(join(project.dir, 'examples'));
  for (const example of examples)
    writeFileSync(join(project.dir, 'examples', example.file), example.code);
}, 600_000);

afterAll(() => {
  if (project && !process.env.KEEP_INSTALLED_PROJECT)
    rmSync(project.dir, { recursive: true, force: true });
});

describe('the tarballs', () => {
  it('depend on each other by caret ranges of the released versions, never "*" or a workspace link', () => {
    for (const manifest of project.manifests.values()) {
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
        for (const [name, range] of Object.entries(
          (manifest[field] ?? {}) as Record<string, string>,
        )) {
          expect(range, `${manifest.name} ${field} ${name}`).not.toMatch(
            /^(\*|workspace:|file:|link:)|^$/,
          );
          const internal = project.manifests.get(name);
          if (internal) expect(range, `${manifest.name} -> ${name}`).toBe(`^${internal.version}`);
        }
      }
    }
  });

  it('ship the MIT licence', () => {
    const licence = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(licence).toMatch(/^MIT License/);
    for (const manifest of project.manifests.values()) {
      expect(manifest.license).toBe('MIT');
      const shipped = readFileSync(
        join(project.dir, 'node_modules', manifest.name, 'LICENSE'),
        'utf8',
      );
      expect(shipped, manifest.name).toBe(licence);
    }
  });
});

describe('the READMEs', () => {
  it('every package has at least one runnable example', () => {
    for (const pkg of packages)
      expect(pkg.readme.examples.length, pkg.manifest.name).toBeGreaterThan(0);
  });

  it.each(packages.map((p) => [p.manifest.name, p] as const))(
    '%s: its install lines name every package its examples import',
    (_name, pkg) => {
      const imported = new Set(pkg.readme.examples.flatMap(importedPackages));
      const missing = [...imported].filter((name) => !pkg.readme.installs.has(name));
      expect(
        missing,
        `add them to an \`npm install\` line of ${pkg.manifest.name}'s README`,
      ).toEqual([]);
    },
  );
});

describe('type-checking as a user', () => {
  beforeAll(() => {
    // Every entry point, imported from an ES module and from a CommonJS one (.cts resolves the
    // `require` condition, so the .d.cts files are checked too).
    const entries = packages.flatMap((p) => entryPoints(p.manifest));
    const body = entries
      .map((e, i) => `import * as e${i} from '${e}';\nconsole.log(e${i});`)
      .join('\n');
    writeFileSync(join(project.dir, 'examples', 'entries.ts'), `${body}\nexport {};\n`);
    writeFileSync(join(project.dir, 'examples', 'entries.cts'), `${body}\nexport {};\n`);
  });

  const compilerOptions = {
    target: 'es2022',
    // Connect's type definitions name fetch types (HeadersInit) that only the DOM library
    // declares; the READMEs of the packages built on Connect say so.
    lib: ['es2024', 'dom'],
    types: ['node'],
    strict: true,
    skipLibCheck: false,
    noEmit: true,
  };
  it.each([
    ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }],
    ['bundler', { module: 'preserve', moduleResolution: 'bundler' }],
  ])(
    'README examples and every entry point type-check under %s, skipLibCheck false',
    (kind, options) => {
      const config = `tsconfig.${kind}.json`;
      const include = kind === 'bundler' ? ['examples/*.ts'] : ['examples/*.ts', 'examples/*.cts'];
      writeFileSync(
        join(project.dir, config),
        JSON.stringify({ compilerOptions: { ...compilerOptions, ...options }, include }),
      );
      const tsc = join(project.dir, 'node_modules', 'typescript', 'bin', 'tsc');
      const result = run(process.execPath, [tsc, '-p', config], project.dir, userEnv(), 180_000);
      expect(result.output).toBe('');
      expect(result.status).toBe(0);
    },
  );
});

describe.each([
  ['Node 24', () => process.execPath, [] as string[]],
  // The floor, as `engines` states it; this Node strips types only behind a flag.
  [
    'the engines floor',
    () => nodeBinary(engineFloor()),
    ['--experimental-strip-types', '--no-warnings'],
  ],
])('on %s', (_label, node, flags) => {
  it('every entry point loads as ESM and as CommonJS', () => {
    const entries = packages.flatMap((p) => entryPoints(p.manifest));
    writeFileSync(
      join(project.dir, 'load.mjs'),
      `${entries.map((e) => `await import('${e}');`).join('\n')}\nconsole.log('ok');\n`,
    );
    writeFileSync(
      join(project.dir, 'load.cjs'),
      `${entries.map((e) => `require('${e}');`).join('\n')}\nconsole.log('ok');\n`,
    );
    for (const file of ['load.mjs', 'load.cjs']) {
      const result = run(node(), [file], project.dir);
      expect(result.output, file).toBe('ok');
    }
  });

  it.each(examples)('$name runs', ({ file }) => {
    const result = run(node(), [...flags, join('examples', file)], project.dir);
    expect(result.status, result.output).toBe(0);
  });
});

describe('the CLIs, as documented', () => {
  // Each README's shell steps run in a database of their own, dropped afterwards.
  const database = `installed_${process.pid}`;
  const admin = new pg.Pool({
    connectionString: 'postgres://postgres@127.0.0.1:5432/postgres',
    max: 1,
  });
  beforeAll(() => admin.query(`CREATE DATABASE ${database}`));
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  const withSteps = packages.filter((p) => p.readme.shellSteps.length > 0);
  it('are documented with runnable steps', () => {
    const bins = packages.filter((p) => p.manifest.bin).map((p) => p.manifest.name);
    expect(withSteps.map((p) => p.manifest.name).sort()).toEqual(bins.sort());
  });

  it.each(withSteps.map((p) => [p.manifest.name, p] as const))(
    '%s: every step succeeds',
    (name, pkg) => {
      const work = join(project.dir, 'work', name.replace(/^@mystira\//, ''));
      mkdirSync(work, { recursive: true });
      for (const file of pkg.readme.files) {
        mkdirSync(dirname(join(work, file.name)), { recursive: true });
        writeFileSync(join(work, file.name), file.text);
      }
      const env = userEnv({ DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}` });
      for (const step of pkg.readme.shellSteps) {
        const result = run('bash', ['-euo', 'pipefail', '-c', step], work, env, 120_000);
        expect(result.status, `${step}\n${result.output}`).toBe(0);
      }
    },
  );
});
