/**
 * What a package README promises a user, read the way the tests check it:
 *
 * - ```ts runnable blocks are examples a user pastes into a file and runs;
 * - ```sh runnable blocks are shell steps a user types (the CLIs' documented commands), run in
 *   order in one folder after the README's file blocks are written there;
 * - a block whose info string has `file=<name>` (```js file=polyglot.config.mjs) is a file the
 *   user creates before running the shell steps;
 * - every `npm install` line in any ```sh block is what the README tells a user to install.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

export interface Readme {
  examples: string[];
  shellSteps: string[];
  files: { name: string; text: string }[];
  /** Package names from the README's `npm install` lines (flags and version specs removed). */
  installs: Set<string>;
}

interface Block {
  info: string;
  text: string;
}

function blocks(markdown: string): Block[] {
  return [...markdown.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    info: m[1]!.trim(),
    text: m[2]!,
  }));
}

/** `npm install -D pg@8 @types/pg # comment` -> ['pg', '@types/pg']. */
function installLinePackages(line: string): string[] {
  const command = line.replace(/#.*$/, '').trim();
  const match = /^npm (?:install|i|add)\b(.*)$/.exec(command);
  if (!match) return [];
  return match[1]!
    .split(/\s+/)
    .filter((word) => word && !word.startsWith('-'))
    .map((spec) => packageName(spec.replace(/(.)@[^@/]*$/, '$1')));
}

/** The package a bare import specifier names: `@scope/name/sub` -> `@scope/name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

export function readReadme(packageDir: string): Readme {
  const all = blocks(readFileSync(join(packageDir, 'README.md'), 'utf8'));
  return {
    examples: all.filter((b) => /^ts\b.*\brunnable\b/.test(b.info)).map((b) => b.text),
    shellSteps: all.filter((b) => /^(sh|bash)\b.*\brunnable\b/.test(b.info)).map((b) => b.text),
    files: all.flatMap((b) => {
      const name = /\bfile=(\S+)/.exec(b.info)?.[1];
      return name ? [{ name, text: b.text }] : [];
    }),
    installs: new Set(
      all
        .filter((b) => /^(sh|bash)\b/.test(b.info))
        .flatMap((b) => b.text.split('\n').flatMap(installLinePackages)),
    ),
  };
}

const builtins = new Set(builtinModules);

/** The packages a module imports (static and dynamic), without Node built-ins and relative paths. */
export function importedPackages(code: string): string[] {
  const specifiers = [
    ...code.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g),
    ...code.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...code.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
  ].map((m) => m[1]!);
  return [
    ...new Set(
      specifiers
        .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtins.has(s))
        .map(packageName),
    ),
  ];
}
