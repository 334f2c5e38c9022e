/**
 * Which Node.js runs a CLI of ours (`mystira-polyglot`, `mystira-pg`). Each bin calls
 * `nodeVersionProblem` before it loads anything else, so on an old Node the user reads what to
 * upgrade instead of a SyntaxError or a missing export from deep inside a dependency.
 *
 * Written in ES2020 on purpose (no `??=`, class fields, private names, `.at()`): it is bundled
 * into the bins and must parse on the old Nodes it rejects. Like `error-brand.ts`, it is not a
 * package: tsup bundles it into each package that imports it.
 */

/** Nothing is supported below this (the packages' `engines`). */
export const MIN_NODE = '22.12.0';
/** `.ts` config files: type stripping is on by default from this version. */
export const MIN_NODE_TYPESCRIPT = '22.18.0';

/** `version` (e.g. `process.versions.node`, `v` prefix allowed) is `min` or newer. */
export function nodeAtLeast(version: string, min: string): boolean {
  const have = version.replace(/^v/, '').split('.');
  const want = min.split('.');
  for (let i = 0; i < want.length; i++) {
    const a = Number.parseInt(have[i] || '0', 10) || 0;
    const b = Number.parseInt(want[i] || '0', 10) || 0;
    if (a !== b) return a > b;
  }
  return true;
}

/** The line to print and exit 1 with when `version` is too old for `command`, else undefined. */
export function nodeVersionProblem(command: string, version: string): string | undefined {
  if (nodeAtLeast(version, MIN_NODE)) return undefined;
  return `${command} needs Node.js 22.12 or newer; this is ${version.replace(/^v/, '')}`;
}

/**
 * Why `file` (a config or migrations module the CLI imports) cannot be imported by this Node, or
 * undefined. Only TypeScript files have a constraint: Node must strip their types. `typescript`
 * is `process.features.typescript` ('strip' or 'transform' when on, false when off, undefined
 * before Node 22.10): it also covers `--experimental-strip-types` on 22.12 to 22.17 and
 * `--no-experimental-strip-types` on newer versions. `what` names the file in the message.
 */
export function typeScriptModuleProblem(
  file: string,
  version: string,
  typescript: unknown,
  what: 'config' | 'module',
): string | undefined {
  if (!/\.[cm]?ts$/i.test(file)) return undefined;
  if (typescript === 'strip' || typescript === 'transform') return undefined;
  const v = version.replace(/^v/, '');
  if (typescript === undefined && nodeAtLeast(v, MIN_NODE_TYPESCRIPT)) return undefined;
  if (nodeAtLeast(v, MIN_NODE_TYPESCRIPT)) {
    return `${file}: this Node.js ${v} runs with TypeScript support turned off (--no-experimental-strip-types); remove the flag or use a .js or .mjs ${what}`;
  }
  return `${file}: .ts ${what} files need Node.js 22.18 or newer (this is ${v}); use a .js or .mjs ${what}, or upgrade Node.js`;
}
