import { type CallContext, errorChain, isSafeToRepeat, prop } from './context.js';

// The server guarantees these transactions were rolled back, so re-running them is always safe.
const rolledBack = new Set(['40001', '40P01']);
// Raised while connecting, before any statement ran: always safe to try again.
const notStarted = new Set(['08001', '08004', '57P03', '53300']);
// The connection went away mid-statement (admin/crash shutdown, link failure): the statement
// may or may not have committed, so only safe-to-repeat calls are retried.
const uncertain = new Set(['57P01', '57P02']);

// A SQLSTATE is a two-character class (00-58 or F0, HV, P0, XX) and three more characters; the
// class list keeps five-letter Node codes such as EPIPE from passing for one.
const sqlStatePattern = /^(?:[0-5][0-9A-Z]|F0|HV|P0|XX)[0-9A-Z]{3}$/;

/** The SQLSTATE of a pg error (`code`), looking through `cause`. */
export function sqlState(err: unknown): string | undefined {
  for (const e of errorChain(err)) {
    const code = prop(e, 'code');
    if (typeof code === 'string' && sqlStatePattern.test(code)) return code;
  }
  return undefined;
}

/**
 * Whether a PostgreSQL (`pg`) error is worth retrying: serialization failure (40001) and
 * deadlock (40P01) always; connection establishment failures (08001, 08004, 57P03 cannot connect
 * now, 53300 too many connections) always; other class 08 and 57P01/57P02 (connection lost or
 * server shut down mid-call) only when safe to repeat. Constraint violations (class 23), syntax
 * and permission errors never. Network errors without a SQLSTATE go to {@link isTransientNetwork}.
 */
export function isTransientPostgres(err: unknown, ctx: CallContext = {}): boolean {
  const state = sqlState(err);
  if (state === undefined) return false;
  if (rolledBack.has(state) || notStarted.has(state)) return true;
  if (uncertain.has(state) || state.startsWith('08')) return isSafeToRepeat(ctx);
  return false;
}
