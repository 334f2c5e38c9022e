import {
  GrpcCode,
  hadNoEffect,
  isDependencyFailure,
  isTransient,
  isTransientCosmos,
  isTransientGrpc,
  isTransientPostgres,
  isTransientRedis,
  retryAfterMs,
} from '@mystira/resilience';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** An error shaped like @connectrpc/connect's ConnectError (without importing it). */
function connectError(code: number, metadata: Record<string, string> = {}) {
  return Object.assign(new Error(`[${code}] x`), {
    name: 'ConnectError',
    code,
    rawMessage: 'x',
    metadata: new Headers(metadata),
  });
}
/** An error shaped like @grpc/grpc-js's ServiceError (metadata.get returns an array). */
function grpcJsError(code: number, pushback?: string) {
  const map = new Map<string, string[]>(
    pushback === undefined ? [] : [['grpc-retry-pushback-ms', [pushback]]],
  );
  return Object.assign(new Error('x'), {
    code,
    details: 'x',
    metadata: { get: (k: string) => map.get(k) ?? [] },
  });
}
const pgError = (code: string) => Object.assign(new Error('pg'), { code, severity: 'ERROR' });
const cosmosError = (code: number, extra: object = {}) =>
  Object.assign(new Error('cosmos'), { code, ...extra });
const netError = (code: string) => Object.assign(new Error(code), { code, syscall: 'connect' });

const idem = { idempotent: true };
const unsafe = { idempotent: false };

describe('isTransientGrpc', () => {
  it.each([
    ['UNAVAILABLE', GrpcCode.Unavailable, idem, true],
    ['UNAVAILABLE non-idempotent', GrpcCode.Unavailable, unsafe, false],
    ['UNAVAILABLE with idempotency key', GrpcCode.Unavailable, { idempotencyKey: 'k1' }, true],
    ['DEADLINE_EXCEEDED idempotent', GrpcCode.DeadlineExceeded, idem, true],
    ['DEADLINE_EXCEEDED non-idempotent', GrpcCode.DeadlineExceeded, unsafe, false],
    ['ABORTED idempotent', GrpcCode.Aborted, idem, true],
    ['ABORTED non-idempotent', GrpcCode.Aborted, unsafe, false],
    ['RESOURCE_EXHAUSTED without pushback', GrpcCode.ResourceExhausted, idem, false],
    ['INVALID_ARGUMENT', GrpcCode.InvalidArgument, idem, false],
    ['UNAUTHENTICATED', GrpcCode.Unauthenticated, idem, false],
    ['INTERNAL', GrpcCode.Internal, idem, false],
  ] as const)('%s', (_label, code, ctx, expected) => {
    expect(isTransientGrpc(connectError(code), ctx)).toBe(expected);
    expect(isTransientGrpc(grpcJsError(code), ctx)).toBe(expected);
  });

  it('retries RESOURCE_EXHAUSTED only with a non-negative pushback, and never after a negative one', () => {
    expect(isTransientGrpc(connectError(8, { 'grpc-retry-pushback-ms': '250' }), idem)).toBe(true);
    expect(isTransientGrpc(grpcJsError(8, '250'), idem)).toBe(true);
    expect(isTransientGrpc(connectError(8, { 'grpc-retry-pushback-ms': '-1' }), idem)).toBe(false);
    expect(isTransientGrpc(connectError(14, { 'grpc-retry-pushback-ms': 'soon' }), idem)).toBe(
      false,
    );
  });

  it('never calls a non-gRPC error a gRPC one', () => {
    expect(isTransientGrpc(new Error('x'), idem)).toBe(false);
    expect(isTransientGrpc(cosmosError(14), idem)).toBe(false);
  });
});

describe('isTransientPostgres', () => {
  it.each([
    ['40001', idem, true],
    ['40001', unsafe, false],
    ['40P01', idem, true],
    ['57P03', idem, true],
    ['53300', idem, true],
    ['08001', idem, true],
    ['08001', unsafe, false],
    ['08006', unsafe, false],
    ['08006', idem, true],
    ['57P01', unsafe, false],
    ['57P01', idem, true],
    ['57P02', idem, true],
    ['23505', idem, false],
    ['23503', idem, false],
    ['42601', idem, false],
    ['42501', idem, false],
  ] as const)('%s %o → %s', (code, ctx, expected) => {
    expect(isTransientPostgres(pgError(code), ctx)).toBe(expected);
  });

  it('does not mistake five-letter Node codes such as EPIPE for a SQLSTATE', () => {
    expect(isTransientPostgres(netError('EPIPE'), idem)).toBe(false);
    expect(isTransient(netError('EPIPE'), idem)).toBe(true);
  });
});

describe('isTransientCosmos', () => {
  it.each([
    [429, idem, true],
    [429, unsafe, false],
    [449, idem, true],
    [449, { idempotencyKey: 'k' }, true],
    [408, unsafe, false],
    [408, idem, true],
    [410, idem, true],
    [503, idem, true],
    [503, unsafe, false],
    [400, idem, false],
    [404, idem, false],
    [409, idem, false],
    [412, idem, false],
  ] as const)('%s %o → %s', (code, ctx, expected) => {
    expect(isTransientCosmos(cosmosError(code), ctx)).toBe(expected);
  });
});

describe('isTransientRedis and network errors', () => {
  it.each([
    ['LOADING Redis is loading the dataset in memory', true],
    ['TRYAGAIN Multiple keys request during rehashing of slot', true],
    ['CLUSTERDOWN The cluster is down', true],
    ["READONLY You can't write against a read only replica.", true],
    ['WRONGTYPE Operation against a key holding the wrong kind of value', false],
    ['NOSCRIPT No matching script', false],
  ])('%s', (message, expected) => {
    const err = Object.assign(new Error(message), { name: 'ReplyError' });
    expect(isTransientRedis(err, idem)).toBe(expected);
    // A rejected command did not run, but retries stay opt-in for unsafe calls.
    expect(isTransientRedis(err, unsafe)).toBe(false);
    expect(hadNoEffect(err)).toBe(expected);
  });

  it('retries refused connections, resets and timeouts only when safe', () => {
    expect(isTransient(netError('ECONNREFUSED'), idem)).toBe(true);
    expect(isTransient(netError('ECONNREFUSED'), unsafe)).toBe(false);
    expect(isTransient(netError('ECONNRESET'), unsafe)).toBe(false);
    expect(isTransient(netError('ECONNRESET'), idem)).toBe(true);
    expect(isTransient(netError('ETIMEDOUT'), idem)).toBe(true);
    // Node reports a dual-stack refusal as an AggregateError of per-address errors.
    const aggregate = new AggregateError([netError('ECONNREFUSED'), netError('ECONNREFUSED')]);
    expect(isTransient(aggregate, idem)).toBe(true);
    expect(hadNoEffect(aggregate)).toBe(true);
    // A driver error wrapping the socket error through `cause`.
    expect(isTransient(new Error('query failed', { cause: netError('ECONNRESET') }), idem)).toBe(
      true,
    );
  });
});

describe('isTransient (combined)', () => {
  const gRpcCodes = fc.integer({ min: 0, max: 16 });
  const ctx = fc.record({
    idempotent: fc.boolean(),
    idempotencyKey: fc.option(fc.string(), { nil: undefined }),
  });

  it('never retries INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED, or constraint violations', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(3, 7, 16),
        ctx,
        fc.dictionary(fc.string(), fc.string()),
        (code, c, md) => {
          const metadata: Record<string, string> = {};
          for (const [k, v] of Object.entries(md))
            if (/^[a-z-]+$/.test(k)) metadata[k] = v.replace(/[^\x20-\x7e]/g, '');
          expect(isTransient(connectError(code, metadata), c)).toBe(false);
        },
      ),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^23[0-9A-Z]{3}$/), ctx, (state, c) => {
        expect(isTransient(pgError(state), c)).toBe(false);
      }),
    );
  });

  it('never retries a call that is neither idempotent nor keyed, whatever the error', () => {
    const anyError = fc.oneof(
      fc.integer({ min: 0, max: 16 }).map((c) => connectError(c)),
      fc.constantFrom('40001', '40P01', '08006', '57P01', '53300').map(pgError),
      fc.constantFrom(408, 410, 429, 449, 503).map((c) => cosmosError(c)),
      fc.constantFrom('ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE').map(netError),
      fc.constantFrom('LOADING x', 'TRYAGAIN x', 'READONLY x').map((m) => new Error(m)),
    );
    fc.assert(
      fc.property(anyError, fc.constantFrom(undefined, '', false as const), (err, key) => {
        expect(isTransient(err, { idempotent: false, idempotencyKey: key })).toBe(false);
        expect(isTransient(err)).toBe(false);
      }),
    );
  });

  it('never retries a non-idempotent gRPC call without an idempotency key', () => {
    fc.assert(
      fc.property(gRpcCodes, fc.option(fc.nat(10_000), { nil: undefined }), (code, pushback) => {
        const md: Record<string, string> =
          pushback === undefined ? {} : { 'grpc-retry-pushback-ms': String(pushback) };
        expect(isTransient(connectError(code, md), { idempotent: false })).toBe(false);
      }),
    );
  });

  it('never retries an open breaker or a full bulkhead', () => {
    expect(isTransient({ isBrokenCircuitError: true }, idem)).toBe(false);
    expect(isTransient({ isBulkheadRejectedError: true }, idem)).toBe(false);
  });
});

describe('hadNoEffect (opt-in retries for unsafe calls)', () => {
  it('is true only where the request certainly did not run', () => {
    expect(hadNoEffect(pgError('40001'))).toBe(true);
    expect(hadNoEffect(pgError('53300'))).toBe(true);
    expect(hadNoEffect(pgError('57P01'))).toBe(false);
    expect(hadNoEffect(pgError('08006'))).toBe(false);
    expect(hadNoEffect(cosmosError(429))).toBe(true);
    expect(hadNoEffect(cosmosError(503))).toBe(false);
    expect(hadNoEffect(netError('ECONNREFUSED'))).toBe(true);
    expect(hadNoEffect(netError('ECONNRESET'))).toBe(false);
    expect(
      hadNoEffect(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
    ).toBe(true);
    expect(hadNoEffect(connectError(GrpcCode.Unavailable))).toBe(false);
  });
});

describe('retryAfterMs', () => {
  it('reads gRPC pushback from Connect and grpc-js metadata', () => {
    expect(retryAfterMs(connectError(8, { 'grpc-retry-pushback-ms': '1500' }))).toBe(1500);
    expect(retryAfterMs(grpcJsError(8, '40'))).toBe(40);
    expect(retryAfterMs(connectError(8, { 'grpc-retry-pushback-ms': '-5' }))).toBeUndefined();
  });

  it('reads Cosmos retryAfterInMs and the x-ms-retry-after-ms header', () => {
    expect(retryAfterMs(cosmosError(429, { retryAfterInMs: 120 }))).toBe(120);
    expect(retryAfterMs(cosmosError(429, { retryAfterInMilliseconds: 80 }))).toBe(80);
    expect(retryAfterMs(cosmosError(429, { headers: { 'x-ms-retry-after-ms': '75' } }))).toBe(75);
  });

  it('reads HTTP Retry-After as seconds or as a date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs({ headers: new Headers({ 'Retry-After': '3' }) }, now)).toBe(3000);
    expect(
      retryAfterMs(
        { response: { headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' } } },
        now,
      ),
    ).toBe(5000);
    expect(retryAfterMs({ headers: { 'retry-after': 'garbage' } }, now)).toBeUndefined();
    expect(retryAfterMs(new Error('no hint'))).toBeUndefined();
  });

  it('reads any delta-seconds value exactly', () => {
    fc.assert(
      fc.property(fc.nat(100_000), (seconds) => {
        expect(retryAfterMs({ headers: { 'Retry-After': String(seconds) } })).toBe(seconds * 1000);
      }),
    );
  });
});

describe('isDependencyFailure (what a breaker counts)', () => {
  it('counts dependency trouble but not caller mistakes', () => {
    expect(isDependencyFailure(connectError(GrpcCode.Unavailable))).toBe(true);
    expect(isDependencyFailure(connectError(GrpcCode.Internal))).toBe(true);
    expect(isDependencyFailure(connectError(GrpcCode.InvalidArgument))).toBe(false);
    expect(isDependencyFailure(connectError(GrpcCode.NotFound))).toBe(false);
    expect(isDependencyFailure(pgError('23505'))).toBe(false);
    expect(isDependencyFailure(pgError('57P01'))).toBe(true);
    expect(isDependencyFailure(cosmosError(404))).toBe(false);
    expect(isDependencyFailure(cosmosError(429))).toBe(true);
    expect(isDependencyFailure(netError('ECONNREFUSED'))).toBe(true);
    expect(isDependencyFailure(new DOMException('stop', 'AbortError'))).toBe(false);
  });
});
