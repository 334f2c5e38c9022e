/**
 * The grpcio client suite of test/python_client.py, as both its runners use it: this package's
 * interop test against the devnet, and ledger-story's against a StoryLedger on a real chain.
 * What the suite reports independently of the ledger behind the server is checked here once.
 */
import { join } from 'node:path';
import { expect } from 'vitest';

/** The client script, by path (ledger-story runs it from here too). */
export const PYTHON_CLIENT = join(import.meta.dirname, '../python_client.py');

/**
 * Checks what the suite reports alike on every ledger: the streamed batch, the validation error
 * with its field, health, and reflection (v1 and v1alpha) listing the same services.
 */
export function expectLedgerIndependentAnswers(out: Record<string, unknown>): void {
  expect(out).toMatchObject({
    batch_successful: 2,
    error_code: 'INVALID_ARGUMENT',
    violations: ['content_id'],
    health: 'SERVING',
    methods_v1: 12,
    methods_v1alpha: 12,
  });
  expect(out.services_v1).toEqual(
    expect.arrayContaining([
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'mystira.chain.v1.ChainService',
    ]),
  );
  expect(out.services_v1alpha).toEqual(out.services_v1);
}
