import { spawn, spawnSync } from 'node:child_process';
import http2 from 'node:http2';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { createHealthRegistry, grpcHealthRoutes } from '@mystira/health';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A second, independent gRPC implementation (gRPC C-core through Debian's python3-grpcio), used
// the way grpc_health_probe and Kubernetes gRPC probes use the service: raw grpc.health.v1
// calls with hand-encoded protobuf, no generated code.
const python = '/usr/bin/python3';
const hasGrpcio = spawnSync(python, ['-c', 'import grpc'], { encoding: 'utf8' }).status === 0;

const probe = `
import sys, grpc
def enc(service):
    b = service.encode()
    return b'' if not b else b'\\x0a' + bytes([len(b)]) + b
def status(raw):
    return raw[1] if len(raw) >= 2 and raw[0] == 0x08 else 0
names = {0: 'UNKNOWN', 1: 'SERVING', 2: 'NOT_SERVING', 3: 'SERVICE_UNKNOWN'}
ch = grpc.insecure_channel(sys.argv[1])
check = ch.unary_unary('/grpc.health.v1.Health/Check', request_serializer=enc, response_deserializer=status)
watch = ch.unary_stream('/grpc.health.v1.Health/Watch', request_serializer=enc, response_deserializer=status)
print('check', names[check('', timeout=5)])
try:
    check('no.such.Service', timeout=5)
except grpc.RpcError as e:
    print('unknown', e.code().name)
stream = watch('mystira.py.Watched', timeout=10)
for i, s in enumerate(stream):
    print('watch', names[s], flush=True)
    if i == 0:
        sys.stdin.readline()  # the test flips the status, then lets us read on
    else:
        break
stream.cancel()
`;

const registry = createHealthRegistry();
registry.register({ name: 'ok', check: () => {} });
let server: http2.Http2Server;
let address = '';

beforeAll(async () => {
  server = http2.createServer(connectNodeAdapter({ routes: grpcHealthRoutes(registry) }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe.skipIf(!hasGrpcio)('grpc.health.v1 from a gRPC C-core client (python3-grpcio)', () => {
  it('answers Check, NOT_FOUND for unknown services, and streams a Watch change', async () => {
    registry.setServiceStatus('mystira.py.Watched', 'SERVING');
    const child = spawn(python, ['-c', probe, address], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const done = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('watch SERVING') && !out.includes('flipped')) {
        out += 'flipped\n';
        registry.setServiceStatus('mystira.py.Watched', 'NOT_SERVING');
        child.stdin.write('\n');
      }
    });
    const code = await done;
    expect(code, err).toBe(0);
    expect(out.trim().split('\n')).toEqual([
      'check SERVING',
      'unknown NOT_FOUND',
      'watch SERVING',
      'flipped',
      'watch NOT_SERVING',
    ]);
  }, 30_000);
});
