import { describe, expect, it } from 'vitest';
import {
  nodeAtLeast,
  nodeVersionProblem,
  typeScriptModuleProblem,
} from '../shared/node-version.js';

// The version rules of both CLIs' bins (shared/node-version.ts), with the version injected (no old
// Node needed to test them).
describe('Node.js version checks', () => {
  it('compares versions numerically, with or without a v', () => {
    expect(nodeAtLeast('22.12.0', '22.12.0')).toBe(true);
    expect(nodeAtLeast('v22.9.0', '22.12.0')).toBe(false);
    expect(nodeAtLeast('22.100.0', '22.18.0')).toBe(true);
    expect(nodeAtLeast('23.0.0', '22.18.0')).toBe(true);
    expect(nodeAtLeast('22.11.99', '22.12.0')).toBe(false);
  });

  it('below 22.12: one line naming the floor and this version', () => {
    expect(nodeVersionProblem('mystira-polyglot', '20.20.2')).toBe(
      'mystira-polyglot needs Node.js 22.12 or newer; this is 20.20.2',
    );
    expect(nodeVersionProblem('mystira-polyglot', 'v22.11.0')).toBe(
      'mystira-polyglot needs Node.js 22.12 or newer; this is 22.11.0',
    );
    for (const v of ['22.12.0', '22.18.0', '24.21.0', '25.0.0'])
      expect(nodeVersionProblem('mystira-polyglot', v)).toBeUndefined();
  });

  it('a .ts config needs 22.18 (or type stripping turned on by a flag)', () => {
    expect(typeScriptModuleProblem('polyglot.config.ts', '22.12.0', false, 'config')).toBe(
      'polyglot.config.ts: .ts config files need Node.js 22.18 or newer (this is 22.12.0); use a .js or .mjs config, or upgrade Node.js',
    );
    expect(typeScriptModuleProblem('c.mts', '22.17.1', false, 'config')).toContain(
      'need Node.js 22.18',
    );
    // --experimental-strip-types on 22.12 to 22.17.
    expect(typeScriptModuleProblem('c.ts', '22.12.0', 'strip', 'config')).toBeUndefined();
    expect(typeScriptModuleProblem('c.ts', '22.18.0', 'strip', 'config')).toBeUndefined();
    expect(typeScriptModuleProblem('c.ts', '24.21.0', 'transform', 'config')).toBeUndefined();
    // --no-experimental-strip-types on a Node that has it on by default.
    expect(typeScriptModuleProblem('c.ts', '24.21.0', false, 'config')).toContain(
      'TypeScript support turned off (--no-experimental-strip-types)',
    );
    // JavaScript configs have no constraint.
    expect(
      typeScriptModuleProblem('polyglot.config.mjs', '22.12.0', false, 'config'),
    ).toBeUndefined();
    expect(
      typeScriptModuleProblem('polyglot.config.js', '22.12.0', undefined, 'config'),
    ).toBeUndefined();
  });

  it('names a migrations module as a module', () => {
    expect(typeScriptModuleProblem('migrations.ts', '22.12.0', false, 'module')).toBe(
      'migrations.ts: .ts module files need Node.js 22.18 or newer (this is 22.12.0); use a .js or .mjs module, or upgrade Node.js',
    );
  });

  it('this Node passes (the tests run on a supported one)', () => {
    expect(nodeVersionProblem('mystira-polyglot', process.versions.node)).toBeUndefined();
  });
});
