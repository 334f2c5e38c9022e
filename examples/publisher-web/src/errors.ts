/**
 * Turning failures into words for the person using the page. Every error ends up on screen:
 * field violations next to their fields, everything else in the section's alert. Errors of
 * connect-query's hooks (ConnectError) are read as the Chain client's typed errors.
 */

import { ConnectError } from '@connectrpc/connect';
import { ChainError, type FieldViolation, toChainError } from '@mystira/chain-client/web';
import { sentence } from './format.js';

/** What to tell the person about a code, before the server's own message. */
const CODE_HINTS: Record<string, string> = {
  UNAVAILABLE: 'The Chain service cannot be reached',
  DEADLINE_EXCEEDED: 'The Chain service did not answer in time',
  UNAUTHENTICATED: 'The Chain service refused your sign-in (sign in again)',
  PERMISSION_DENIED:
    'Your sign-in does not allow this (registering, paying and claiming need the chain:write scope)',
  INVALID_ARGUMENT: 'The Chain service rejected the request',
  OUT_OF_RANGE: 'The Chain service rejected the request',
  NOT_FOUND: 'Not found on the chain',
  ALREADY_EXISTS: 'Already on the chain',
  FAILED_PRECONDITION: 'Not possible right now',
  RESOURCE_EXHAUSTED: 'The Chain service is busy',
  UNIMPLEMENTED: 'The Chain service does not support this',
};

/** A ChainError for errors of the Chain client and of connect-query's hooks alike. */
function chainErrorOf(err: unknown): ChainError | undefined {
  if (err instanceof ChainError) return err;
  if (err instanceof ConnectError) return toChainError(err);
  return undefined;
}

export function describeError(err: unknown): string {
  const chain = chainErrorOf(err);
  if (chain) {
    const hint = CODE_HINTS[chain.codeName];
    const text = chain.message.replace(/^\[[a-z_]+\]\s*/, '');
    if (chain.name === 'ChainCircuitOpenError') {
      return 'The Chain service failed several times in a row; calls are paused for a few seconds.';
    }
    return hint ? `${hint}: ${text} (${chain.codeName})` : `${text} (${chain.codeName})`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

export function fieldViolationsOf(err: unknown): readonly FieldViolation[] {
  return chainErrorOf(err)?.fieldViolations ?? [];
}

/**
 * The Chain service's field violations under the form's own fields: `fieldOf` maps a violation's
 * proto path to the field that shows it (as a sentence); a violation of no field there stays in
 * the section's alert, which describeError words.
 */
export function violationsByField<Field extends string>(
  err: unknown,
  fieldOf: Readonly<Record<string, Field>>,
): Partial<Record<Field, string>> {
  const placed: Partial<Record<Field, string>> = {};
  for (const v of fieldViolationsOf(err)) {
    const field = fieldOf[v.field];
    if (field) placed[field] = sentence(v.description);
  }
  return placed;
}
