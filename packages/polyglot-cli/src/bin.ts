#!/usr/bin/env node
/**
 * The `mystira-polyglot` executable: see `runCli` for the commands.
 *
 * The Node.js version is checked first, and the CLI itself (`./index.js`, a separate file of the
 * package) is imported only after that: an old Node then prints which version it needs instead
 * of failing on syntax or on an export of a newer Node inside the CLI or its dependencies. This
 * file and `shared/node-version.ts` are kept to ES2020 for the same reason.
 */
import { nodeVersionProblem } from '../../../shared/node-version.js';

const problem = nodeVersionProblem('mystira-polyglot', process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exitCode = 1;
} else {
  start();
}

function start(): void {
  const ctl = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    // First signal: stop after the current batch (a backfill keeps its checkpoint). Second: exit.
    process.once(sig, () => {
      ctl.abort(new Error(`${sig} received`));
      process.once(sig, () => process.exit(130));
    });
  }
  // A specifier in a variable, so the bundler leaves the import alone and dist/index.js is read
  // only now. No top-level await: the bin is also built as CommonJS.
  const cli = './index.js';
  (import(cli) as Promise<typeof import('./index.js')>)
    .then(({ runCli }) =>
      runCli(process.argv.slice(2), {
        stdout: process.stdout,
        stderr: process.stderr,
        signal: ctl.signal,
      }),
    )
    .then(
      (code) => {
        process.exitCode = code;
      },
      (err: unknown) => {
        process.stderr.write(`mystira-polyglot: cannot start: ${String(err)}\n`);
        process.exitCode = 1;
      },
    );
}
