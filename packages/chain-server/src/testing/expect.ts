/** What the cases expect of the port's answers: the shapes of ids and its errors. */
import assert from 'node:assert/strict';
// Every file of the kit imports the main entry by package name, not '../ledger.js': the kit is a
// separate bundle and must compare with the very classes the main entry exports (and a server
// built from it).
import { LedgerError } from '@mystira/chain-server';

/** A lower-case address: `0x` + 40 hex digits. */
export const ADDRESS = /^0x[0-9a-f]{40}$/;
/** A lower-case transaction or block hash: `0x` + 64 hex digits. */
export const TX_HASH = /^0x[0-9a-f]{64}$/;

/** Asserts that `err` is a {@link LedgerError} of `code`. */
export function assertLedgerError(
  err: unknown,
  code: LedgerError['code'],
  what: string,
): asserts err is LedgerError {
  assert.ok(
    err instanceof LedgerError,
    `${what}: expected LedgerError ${code}, got ${(err as Error)?.name}: ${(err as Error)?.message}`,
  );
  assert.equal(err.code, code, `${what}: ${err.message}`);
}

/** Awaits `p`, which must reject with a {@link LedgerError} of `code`. */
export async function refuses(p: Promise<unknown>, code: LedgerError['code'], what: string) {
  try {
    await p;
  } catch (err) {
    assertLedgerError(err, code, what);
    return;
  }
  assert.fail(`${what}: expected LedgerError ${code}, but it resolved`);
}
