import { type CallContext, errorChain, isSafeToRepeat, prop } from './context.js';

// The server guarantees these transactions were rolled back: they had no effect.
const rolledBack = new Set(['40001', '40P01']);
// Raised while connecting, before any statement ran: no effect either.
const notStarted = new Set(['08001', '08004', '57P03', '53300']);
// The connection went away mid-statement (admin/crash shutdown, link failure): the statement
// may or may not have committed.
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

/** A PostgreSQL error after which the statement certainly had no effect (rolled back or never started). */
export function postgresHadNoEffect(err: unknown): boolean {
  const state = sqlState(err);
  return state !== undefined && (rolledBack.has(state) || notStarted.has(state));
}

/**
 * Whether a PostgreSQL (`pg`) error is worth retrying, for calls that are safe to repeat:
 * serialization failure (40001), deadlock (40P01), connection failures (class 08), admin/crash
 * shutdown and "cannot connect now" (57P01-57P03) and too many connections (53300). Constraint
 * violations (class 23), syntax and permission errors never. Network errors without a SQLSTATE go
 * to {@link isTransientNetwork}.
 */
export function isTransientPostgres(err: unknown, ctx: CallContext = {}): boolean {
  if (!isSafeToRepeat(ctx)) return false;
  const state = sqlState(err);
  if (state === undefined) return false;
  return (
    rolledBack.has(state) || notStarted.has(state) || uncertain.has(state) || state.startsWith('08')
  );
}
