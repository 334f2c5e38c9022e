/**
 * Node children that run a script importing one of the demo's own modules, for the tests that
 * need a real separate process (one killed with SIGKILL, or racing this one).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The URL of src/<file>, as a child's `await import(…)` takes it. */
export function srcModuleUrl(file: string): string {
  return pathToFileURL(resolve(import.meta.dirname, '../src', file)).href;
}

/** Node's arguments that run `script`, ES module source given as text. */
export function moduleScriptArgs(script: string): string[] {
  return ['--input-type=module', '-e', script];
}
