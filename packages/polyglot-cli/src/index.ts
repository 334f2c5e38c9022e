/**
 * @mystira/polyglot-cli: the `mystira-polyglot` command (migrate, status, backfill, verify, replay,
 * phase) for the polyglot repositories of `@mystira/polyglot`, and the same commands as a
 * function.
 *
 * @packageDocumentation
 */
export {
  type AnyPolyglot,
  type CliIO,
  loadConfig,
  type PolyglotCliConfig,
  runCli,
  USAGE,
} from './cli.js';
export {
  formatDuration,
  ProgressBar,
  type ProgressOutput,
  type ProgressState,
  renderProgress,
} from './progress.js';
