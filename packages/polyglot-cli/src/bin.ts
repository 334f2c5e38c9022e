#!/usr/bin/env node
/** The `mystira-polyglot` executable: see `runCli` for the commands. */
import { runCli } from './cli.js';

const ctl = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  // First signal: stop after the current batch (a backfill keeps its checkpoint). Second: exit.
  process.once(sig, () => {
    ctl.abort(new Error(`${sig} received`));
    process.once(sig, () => process.exit(130));
  });
}
// No top-level await: the bin is also built as CommonJS.
void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: ctl.signal,
}).then((code) => {
  process.exitCode = code;
});
