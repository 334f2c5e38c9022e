/**
 * The API reference: `npm run docs` (TypeDoc, configured by typedoc.json) builds one site for
 * every published package with warnings as errors, so an export without a comment, a {@link} that
 * resolves to nothing or a signature naming a type that is not in the reference fails here. Each
 * package documents exactly the entry points its package.json `exports` publishes. Reads the
 * sources (tsconfig.docs.json), so it needs no build.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { publishedPackages, run } from './lib/tools.js';

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

/** A package's typedoc.json (JSON with comments, as TypeDoc reads it). */
function typedocOptions(dir: string): { entryPoints?: string[] } {
  const file = join(dir, 'typedoc.json');
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  return config;
}

describe('API reference', () => {
  it.each(packages.map((p) => [p.manifest.name, p] as const))(
    '%s documents the entry points of its exports',
    (_name, pkg) => {
      const entryPoints = typedocOptions(pkg.dir).entryPoints ?? [];
      expect([...entryPoints].sort()).toEqual(exportedSources(pkg.manifest.exports).sort());
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
