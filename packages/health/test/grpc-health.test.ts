import http2 from 'node:http2';
import { fileURLToPath } from 'node:url';
import { createClient } from '@connectrpc/connect';
import { connectNodeAdapter, createGrpcTransport } from '@connectrpc/connect-node';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  createHealthRegistry,
  grpcHealthCheck,
  grpcHealthRoutes,
  Health,
  HealthCheckResponse_ServingStatus,
} from '@mystira/health';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A real gRPC client (grpc-js over HTTP/2) built from our health.proto, the way
// grpc_health_probe and Kubernetes probes see the service.
const protoPath = fileURLToPath(new URL('../proto/grpc/health/v1/health.proto', import.meta.url));
const definition = protoLoader.loadSync(protoPath, {
  keepCase: true,
  enums: String,
  defaults: true,
});
const loaded = grpc.loadPackageDefinition(definition) as unknown as {
  grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
};

type CheckReply = { status: string };
interface HealthClient extends grpc.Client {
  Check(
    req: { service: string },
    cb: (err: grpc.ServiceError | null, res?: CheckReply) => void,
  ): void;
  List(
    req: object,
    cb: (err: grpc.ServiceError | null, res?: { statuses: Record<string, CheckReply> }) => void,
  ): void;
  Watch(req: { service: string }): grpc.ClientReadableStream<CheckReply>;
}

const registry = createHealthRegistry();
let databaseUp = true;
registry.register({
  name: 'database',
  check: () => {
    if (!databaseUp) throw new Error('database down');
  },
});
let ledgerUp = true;
registry.register({
  name: 'ledger',
  tags: ['ledger'],
  check: () => {
    if (!ledgerUp) throw new Error('ledger down');
  },
});
let server: http2.Http2Server;
let client: HealthClient;
let address: string;

function check(service: string): Promise<CheckReply> {
  return new Promise((resolve, reject) =>
    client.Check({ service }, (err, res) => (err ? reject(err) : resolve(res!))),
  );
}

/** Collects Watch messages until `count` arrived, calling `onMessage` after each. */
function watch(
  service: string,
  onMessage: (status: string, index: number) => void,
  count: number,
): Promise<string[]> {
  const call = client.Watch({ service });
  const seen: string[] = [];
  return new Promise((resolve, reject) => {
    call.on('data', (msg: CheckReply) => {
      seen.push(msg.status);
      if (seen.length === count) {
        call.cancel();
        resolve(seen);
      } else onMessage(msg.status, seen.length - 1);
    });
    call.on('error', (err: grpc.ServiceError) => {
      if (err.code !== grpc.status.CANCELLED) reject(err);
    });
  });
}

beforeAll(async () => {
  server = http2.createServer(
    connectNodeAdapter({
      routes: grpcHealthRoutes(registry, {
        watchIntervalMs: 20,
        serviceTags: { 'mystira.test.Ledgered': ['ledger'] },
      }),
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  address = `127.0.0.1:${port}`;
  client = new loaded.grpc.health.v1.Health(
    address,
    grpc.credentials.createInsecure(),
  ) as unknown as HealthClient;
});

afterAll(async () => {
  client.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('grpc.health.v1 over a real gRPC client (grpc-js, HTTP/2)', () => {
  it('answers Check("") from the registry checks', async () => {
    databaseUp = true;
    expect(await check('')).toEqual({ status: 'SERVING' });
    databaseUp = false;
    expect(await check('')).toEqual({ status: 'NOT_SERVING' });
    databaseUp = true;
  });

  it('answers Check for a service set by hand and NOT_FOUND for an unknown one', async () => {
    registry.setServiceStatus('mystira.chain.v1.ChainService', 'SERVING');
    expect(await check('mystira.chain.v1.ChainService')).toEqual({ status: 'SERVING' });
    registry.setServiceStatus('mystira.chain.v1.ChainService', 'NOT_SERVING');
    expect(await check('mystira.chain.v1.ChainService')).toEqual({ status: 'NOT_SERVING' });
    await expect(check('no.such.Service')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it('lists every service', async () => {
    registry.setServiceStatus('a.A', 'SERVING');
    const res = await new Promise<{ statuses: Record<string, CheckReply> }>((resolve, reject) =>
      client.List({}, (err, r) => (err ? reject(err) : resolve(r!))),
    );
    expect(res.statuses['a.A']).toEqual({ status: 'SERVING' });
    expect(res.statuses['']).toEqual({ status: 'SERVING' });
    expect(res.statuses['mystira.test.Ledgered']).toEqual({ status: 'SERVING' });
    registry.statusBoard.clear('a.A');
  });

  it('streams status changes of a service on Watch', async () => {
    const service = 'mystira.test.Watched';
    registry.setServiceStatus(service, 'SERVING');
    const seen = await watch(
      service,
      (_status, index) => {
        // Each change is made only after the stream has delivered the previous status.
        registry.setServiceStatus(service, index === 0 ? 'NOT_SERVING' : 'SERVING');
      },
      3,
    );
    expect(seen).toEqual(['SERVING', 'NOT_SERVING', 'SERVING']);
  });

  it('streams SERVICE_UNKNOWN for an unknown service, then its status once it is set', async () => {
    const service = 'mystira.test.Late';
    const seen = await watch(service, () => registry.setServiceStatus(service, 'SERVING'), 2);
    expect(seen).toEqual(['SERVICE_UNKNOWN', 'SERVING']);
  });

  it('notices a change of the derived overall status while watching ""', async () => {
    databaseUp = true;
    const seen = await watch(
      '',
      () => {
        databaseUp = false;
      },
      2,
    );
    databaseUp = true;
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
  });

  it('derives a service listed in serviceTags from its checks, until it is set by hand', async () => {
    const service = 'mystira.test.Ledgered';
    expect(await check(service)).toEqual({ status: 'SERVING' });
    ledgerUp = false;
    expect(await check(service)).toEqual({ status: 'NOT_SERVING' });
    // The overall status runs the "ready" checks only, so the ledger does not affect it.
    expect(await check('')).toEqual({ status: 'SERVING' });
    ledgerUp = true;
    const seen = await watch(
      service,
      () => {
        ledgerUp = false;
      },
      2,
    );
    ledgerUp = true;
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
    registry.setServiceStatus(service, 'NOT_SERVING');
    expect(await check(service)).toEqual({ status: 'NOT_SERVING' });
    registry.statusBoard.clear(service);
    expect(await check(service)).toEqual({ status: 'SERVING' });
  });

  it('goes NOT_SERVING everywhere on statusBoard.shutdown() and back on resume()', async () => {
    registry.setServiceStatus('b.B', 'SERVING');
    registry.statusBoard.shutdown();
    expect(await check('')).toEqual({ status: 'NOT_SERVING' });
    expect(await check('b.B')).toEqual({ status: 'NOT_SERVING' });
    registry.setServiceStatus('b.B', 'SERVING'); // ignored while shut down
    expect(await check('b.B')).toEqual({ status: 'NOT_SERVING' });
    registry.statusBoard.resume();
    expect(await check('b.B')).toEqual({ status: 'SERVING' });
    expect(registry.statusBoard.get('')).toBeUndefined();
  });

  it('is reachable from a Connect client and from grpcHealthCheck()', async () => {
    const transport = createGrpcTransport({ baseUrl: `http://${address}` });
    const connectClient = createClient(Health, transport);
    const res = await connectClient.check({ service: '' });
    expect(res.status).toBe(HealthCheckResponse_ServingStatus.SERVING);

    registry.setServiceStatus('mystira.chain.v1.ChainService', 'NOT_SERVING');
    const remote = createHealthRegistry();
    remote.register(grpcHealthCheck(transport, { name: 'upstream' }));
    remote.register(grpcHealthCheck(transport, { service: 'mystira.chain.v1.ChainService' }));
    const report = await remote.run();
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['upstream', 'healthy'],
      ['grpc:mystira.chain.v1.ChainService', 'unhealthy'],
    ]);
    expect(report.checks[1]?.error?.name).toBe('CheckFailedError');
  });
});
