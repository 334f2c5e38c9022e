/**
 * Idempotent writes for mystira.chain.ip.v1, with ChainService's rules and store: the same key
 * with the same request (from the same caller, on the same method) answers the first outcome and
 * acts once; the same key with a different request is ALREADY_EXISTS; an error releases the key
 * (nothing happened, a retry acts), an answer with status FAILED is kept (it happened).
 *
 * ChainService keeps its own copy of this in src/handlers.ts, untouched so that its behaviour
 * stays byte-identical; store keys cannot collide because these carry the full method path.
 */
import { createHash } from 'node:crypto';
import { type DescMessage, fromBinary, type MessageShape, toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { type CallContext, toConnectError } from './handlers.js';
import { type IdempotencyStore, idempotencyMismatch } from './idempotency.js';

/** One write: its method path, its request (with its key) and how to execute it. */
export interface IdempotentWrite<I extends DescMessage, O extends DescMessage> {
  /** The full method, e.g. `mystira.chain.ip.v1.LicensingService/AttachLicenseTerms`. */
  method: string;
  /** The request's schema and the request; its idempotency key is left out of the fingerprint. */
  inSchema: I;
  req: MessageShape<I> & { idempotencyKey: string };
  /** The response's schema, to store and replay the answer. */
  outSchema: O;
  /** Acts on the ledger and builds the answer; runs at most once per key. */
  execute: () => Promise<MessageShape<O>>;
}

/** The idempotency store failed before anything was done: UNAVAILABLE, so the client retries. */
function storeDown(error: unknown): never {
  if (error instanceof ConnectError) throw error;
  throw new ConnectError(
    'idempotency store unavailable',
    Code.Unavailable,
    undefined,
    undefined,
    error,
  );
}

/** Runs `write.execute` at most once per (caller, method, key). */
export async function idempotentWrite<I extends DescMessage, O extends DescMessage>(
  store: IdempotencyStore,
  call: CallContext,
  write: IdempotentWrite<I, O>,
): Promise<MessageShape<O>> {
  const { method, req } = write;
  const bytes = toBinary(write.inSchema, { ...req, idempotencyKey: '' } as MessageShape<I>);
  const fingerprint = createHash('sha256')
    .update(method)
    .update('\0')
    .update(bytes)
    .digest('base64');
  const storeKey = `${call.principal?.id ?? 'anonymous'}:${method}:${req.idempotencyKey}`;
  const begun = await store.begin(storeKey, fingerprint, call.signal).catch(storeDown);
  if (begun.kind === 'mismatch') throw idempotencyMismatch(req.idempotencyKey);
  if (begun.kind === 'replay') return fromBinary(write.outSchema, begun.response);
  let response: MessageShape<O>;
  try {
    response = await write.execute();
  } catch (error) {
    // Best effort: if the store is down too, the pending claim expires on its own.
    await store.release(storeKey, begun.token).catch(() => {});
    throw toConnectError(error);
  }
  // The ledger acted: the client gets its answer even if recording it fails.
  await store
    .complete(storeKey, begun.token, fingerprint, toBinary(write.outSchema, response))
    .catch(() => {});
  return response;
}
