/**
 * Changesets are how users learn what changed; a malformed one is silently dropped from the
 * release. Each must name published packages with a valid bump and say something.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishedPackages, root, runOk } from './lib/tools.js';

const dir = join(root, '.changeset');
const files = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md');
const names = new Set(publishedPackages().map((p) => p.manifest.name));

describe('changesets', () => {
  it.each(files)('%s names published packages with a bump and a summary', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const match = /^---\n([\s\S]*?)\n---\n([\s\S]+)$/.exec(text);
    expect(match, 'frontmatter between --- lines, then a summary').not.toBeNull();
    const releases = match![1]!.split('\n').filter((line) => line.trim());
    expect(releases.length).toBeGreaterThan(0);
    for (const line of releases) {
      const release = /^"(@mystira\/[a-z0-9-]+)": (major|minor|patch)$/.exec(line.trim());
      expect(release, `bad release line: ${line}`).not.toBeNull();
      expect(names).toContain(release![1]);
    }
    expect(match![2]!.trim().length).toBeGreaterThan(10);
  });

  it('are read by the changesets CLI', () => {
    expect(runOk('changeset', ['status'])).toMatch(/Packages to be bumped/);
  });
});
