/**
 * What a user installs: every published package passes publint and Are the Types Wrong, and its
 * npm tarball holds the built files its exports point at and nothing else (no sources, no tests).
 * Runs on the packages `npm test` has just built.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishedPackages, run, runOk } from './lib/tools.js';

const packages = publishedPackages();

/** Every file path an exports map points at, e.g. ./dist/index.js. */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

/** Files npm always ships whatever `files` says. */
const alwaysShipped = /^(package\.json|README(\.md)?|LICEN[CS]E(\.md)?|CHANGELOG\.md)$/i;

describe.each(packages.map((p) => [p.manifest.name, p] as const))('%s', (_name, pkg) => {
  it('passes publint (strict)', () => {
    const out = runOk('publint', ['--strict', pkg.dir]);
    expect(out).toMatch(/All good/);
  });

  it('passes Are the Types Wrong for node10, node16 (ESM and CJS) and bundlers', () => {
    // node10 too: TypeScript projects still on `moduleResolution: node` find the subpath
    // entries' types through `typesVersions`.
    const result = run('attw', ['--pack', pkg.dir, '--format', 'json']);
    const report = JSON.parse(result.stdout);
    expect(report.analysis.types, 'the package ships no types').toBeTruthy();
    const problems = Object.values(report.problems ?? {}).flat();
    expect(problems, JSON.stringify(problems, null, 2)).toEqual([]);
    expect(result.status).toBe(0);
  });

  it('packs the built files and nothing from src or the tests', () => {
    const [report] = JSON.parse(
      runOk('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], pkg.dir),
    );
    const files: string[] = report.files.map((f: { path: string }) => f.path);
    for (const file of files) {
      expect(
        file.startsWith('dist/') || alwaysShipped.test(basename(file)),
        `${file} should not be in the tarball`,
      ).toBe(true);
      expect(file).not.toMatch(/\.test\.|(^|\/)(src|test|tests)\//);
    }
    const targets = exportTargets(pkg.manifest.exports).filter((t) => t !== './package.json');
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(files).toContain(target.replace(/^\.\//, ''));
    expect(files).toContain('README.md');
  });
});
