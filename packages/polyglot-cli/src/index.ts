/**
 * @mystira/polyglot-cli: the `mystira-polyglot` command (status, backfill, verify, replay) for
 * the polyglot repositories of `@mystira/repository`, and the same commands as a function.
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
