/**
 * Type-checks a small consumer project in `dir` the way a user's TypeScript would see the
 * published declarations: `module: nodenext`, strict, skipLibCheck off. The caller lays out the
 * project's node_modules; this writes the source files and the tsconfig and runs the repo's tsc.
 * Returns what tsc printed (empty when it found nothing) and its exit status.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export function typecheckConsumer(
  dir: string,
  files: Record<string, string>,
): { output: string; status: number | null } {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: false, // check our .d.ts/.d.cts (and cockatiel's types) ...
        skipDefaultLibCheck: true, // ... but not TypeScript's own lib.*.d.ts (slow, not ours)
        lib: ['es2023', 'dom'],
        types: [],
      },
      files: Object.keys(files),
    }),
  );
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { output: run.stdout + run.stderr, status: run.status };
}
