/**
 * The API reference: `npm run docs` (TypeDoc, configured by typedoc.json) builds one site for
 * every published package with warnings as errors, so an export without a comment, a {@link} that
 * resolves to nothing or a signature naming a type that is not in the reference fails here. Each
 * package documents exactly the entry points its package.json `exports` publishes, and
 * tsconfig.docs.json maps every such import path to its source, so the reference reads the
 * sources (no build needed) and links across packages. Each README links its page.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { publishedPackages, root, run } from './lib/tools.js';

const packages = publishedPackages();
const scratch = mkdtempSync(join(tmpdir(), 'mystira-api-docs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The source of each subpath export, e.g. `./otel` → src/otel.ts (built to ./dist/otel.js). */
function exportedSources(exports: unknown): string[] {
  return Object.entries(exports as Record<string, { import?: { default?: string } }>)
    .filter(([subpath]) => subpath !== './package.json')
    .map(([subpath, target]) => {
      const built = target.import?.default;
      if (!built) throw new Error(`export ${subpath} has no import condition`);
      return built.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts');
    });
}

/** Where the Pages workflow (.github/workflows/docs.yml) publishes the site. */
const published = 'https://mystira.github.io/platform-sdk/api/';

/** A package's page in the site, e.g. `modules/_mystira_cache.html`. */
const pageOf = (name: string): string => `modules/${name.replace(/[@/]/g, '_')}.html`;

/** A JSON-with-comments config file, as TypeDoc and TypeScript read it. */
function readConfig<T>(file: string): T {
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  return config;
}

/** The import paths tsconfig.docs.json maps to sources, e.g. `@mystira/cache/otel`. */
const docsPaths = readConfig<{ compilerOptions: { paths: Record<string, string[]> } }>(
  join(root, 'tsconfig.docs.json'),
).compilerOptions.paths;

describe('API reference', () => {
  it.each(packages.map((p) => [p.manifest.name, p] as const))(
    '%s documents the entry points of its exports',
    (_name, pkg) => {
      const options = readConfig<{ entryPoints?: string[] }>(join(pkg.dir, 'typedoc.json'));
      expect([...(options.entryPoints ?? [])].sort()).toEqual(
        exportedSources(pkg.manifest.exports).sort(),
      );
    },
  );

  // So that one package's types link to another's pages: imports must reach the sources.
  it.each(packages.map((p) => [p.manifest.name, p] as const))(
    '%s: tsconfig.docs.json maps each of its import paths to the source',
    (name, pkg) => {
      const subpaths = Object.keys(pkg.manifest.exports as object).filter(
        (s) => s !== './package.json',
      );
      const sources = exportedSources(pkg.manifest.exports);
      subpaths.forEach((subpath, i) => {
        const specifier = `${name}${subpath.slice(1)}`;
        expect(docsPaths[specifier], specifier).toEqual([
          `./${relative(root, join(pkg.dir, sources[i]!))}`,
        ]);
      });
    },
  );

  it.each(packages.map((p) => [p.manifest.name, p] as const))(
    "%s's README links its page of the reference",
    (name, pkg) => {
      const readme = readFileSync(join(pkg.dir, 'README.md'), 'utf8');
      expect(readme).toContain(`API reference: <${published}${pageOf(name)}>`);
    },
  );

  // About 20 s alone, longer while the rest of `npm test` runs beside it: a timeout of its own.
  it('builds with no warnings', () => {
    const out = join(scratch, 'site');
    const result = run('typedoc', ['--out', out]);
    const output = `${result.stdout}\n${result.stderr}`;
    expect(output.match(/^.*\[(warning|error)\].*$/gm) ?? [], output).toEqual([]);
    expect(result.status, output).toBe(0);
    for (const pkg of packages) {
      const page = pageOf(pkg.manifest.name);
      expect(existsSync(join(out, page)), `${page} in the site`).toBe(true);
    }
  }, 240_000);
});
