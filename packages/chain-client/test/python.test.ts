/**
 * Against a foreign server: Python grpcio (Debian's python3-grpcio + python3-protobuf), the repo's
 * shared stubs (test-support/python-grpc.ts), service registered with generic handlers.
 * Our Node client calls it over gRPC: unary calls, a server stream, retries with one key, the
 * deadline, typed errors from grpc-status-details-bin, and W3C trace context reaching Python.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  type ChainClient,
  ChainInvalidArgumentError,
  createChainClient,
} from '@mystira/chain-client';
import { otelInterceptor } from '@mystira/chain-client/otel';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, pythonGrpcStubs } from '../../../test-support/python-grpc.js';

const here = dirname(fileURLToPath(import.meta.url));

let proc: ChildProcess;
let stubs: string;
let client: ChainClient;
let url: string;

beforeAll(async () => {
  stubs = await pythonGrpcStubs();
  proc = spawn(PYTHON, [join(here, 'python/chain_server.py'), stubs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`python server exited with ${code}`)));
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).once('line', resolve);
  });
  url = `http://127.0.0.1:${Number(line)}`;
  client = createChainClient({ baseUrl: url, protocol: 'grpc', retry: { initialDelayMs: 5 } });
}, 30_000);

afterAll(() => {
  client?.close();
  proc?.kill('SIGKILL');
});

describe('Node client → Python grpcio server', () => {
  it('unary calls with Date results', async () => {
    expect(await client.isRegistered('known')).toBe(true);
    expect(await client.checkRegistration('known')).toEqual({
      contentId: 'known',
      registered: true,
    });
    const health = await client.healthCheck();
    expect(health.status).toBe('serving');
    expect(health.timestamp).toEqual(new Date('2026-01-02T03:04:05.678Z'));
    await client.ready({ timeoutMs: 5000 }); // grpc.health.v1 is UNIMPLEMENTED there: falls back
  });

  it('retries UNAVAILABLE with the same idempotency key', async () => {
    const reg = await client.registerIpAsset({
      contentId: 'flaky',
      contentTitle: 'T',
      contributors: [
        { walletAddress: `0x${'a'.repeat(40)}`, role: 'author', shareBasisPoints: 10000 },
      ],
    });
    expect(reg.ipAssetId).toBe(`py-${reg.idempotencyKey}`);
    expect(reg.nftTokenId).toBe('3'); // the third attempt, under the one key
    expect(reg.registeredAt).toEqual(new Date('2026-01-02T03:04:05.678Z'));
  });

  it('sends the deadline', async () => {
    const res = await client.getIpAssetStatus('x', { timeoutMs: 4000 });
    const remaining = Number(res.contentId);
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(4);
  });

  it('wei as bigint, and INVALID_ARGUMENT with BadRequest field violations from grpc-status-details-bin', async () => {
    const pay = await client.payRoyalties({ ipAssetId: 'ip', amountWei: 10n ** 30n });
    expect(pay.amountWei).toBe(10n ** 30n);
    const err = await client.payRoyalties({ ipAssetId: 'ip', amountWei: 0n }).catch((e) => e);
    expect(err).toBeInstanceOf(ChainInvalidArgumentError);
    expect(err.message).toBe('bad amount');
    expect(err.fieldViolations).toEqual([
      { field: 'amount_wei', inputField: 'amountWei', description: 'must be positive' },
    ]);
  });

  it('a server stream to its end', async () => {
    const seen: string[] = [];
    for await (const u of client.watchTransactions(['0xaa', '0xbb']))
      seen.push(`${u.transactionHash}:${u.status}:${u.confirmations}`);
    expect(seen).toEqual([
      '0xaa:pending:0',
      '0xbb:pending:0',
      '0xaa:confirmed:1',
      '0xbb:confirmed:1',
      '0xaa:confirmed:2',
      '0xbb:confirmed:2',
      '0xaa:confirmed:3',
      '0xbb:confirmed:3',
    ]);
  });

  it('W3C trace context reaches the Python server', async () => {
    let traceparent = '';
    const tracer = trace.getTracer('test');
    const traced = createChainClient({
      baseUrl: url,
      interceptors: [
        otelInterceptor({
          tracer: {
            ...tracer,
            startSpan: (name, opts, ctx) => {
              const span = tracer.startSpan(name, opts, ctx);
              // The no-op API tracer has an invalid context; give it a real one.
              const sc = {
                traceId: '0af7651916cd43dd8448eb211c80319c',
                spanId: 'b7ad6b7169203331',
                traceFlags: 1,
              };
              traceparent = `00-${sc.traceId}-${sc.spanId}-01`;
              return Object.assign(span, { spanContext: () => sc });
            },
          },
        }),
      ],
    });
    try {
      const info = await traced.getServiceInfo();
      expect(info.serviceName).toBe('python-grpcio');
      // Non-empty first: two empty strings would match without any header being sent.
      expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(info.rpcEndpoint).toBe(traceparent);
    } finally {
      traced.close();
    }
  });
});
