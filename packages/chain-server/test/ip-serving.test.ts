/**
 * Whether the mystira.chain.ip.v1 services are offered, as clients discover it: with `Ledger.ip`,
 * reflection (v1 and v1alpha) lists them and serves their descriptors, and grpc.health.v1 reports
 * them SERVING; without it, every method answers UNIMPLEMENTED saying why, reflection does not
 * offer them, health does not know them, and ChainService is served as ever.
 */
import { create, createFileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { CollectionService, IpAssetService, LicensingService } from '@mystira/chain-protos';
import { Health, HealthCheckResponse_ServingStatus } from '@mystira/health';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as reflectionV1 from '../src/gen/grpc/reflection/v1/reflection_pb.js';
import * as reflectionV1alpha from '../src/gen/grpc/reflection/v1alpha/reflection_pb.js';
import { clientFor, registration, transportFor } from './helpers.js';
import { type IpRunning, startIpServer } from './support/ip-server.js';
import { dependenciesFirst, listedServices, servedFiles } from './support/reflection.js';

const IP_SERVICES = [CollectionService, LicensingService, IpAssetService];
const IP_NAMES = IP_SERVICES.map((s) => s.typeName);

/** Asks one reflection version, over gRPC, and returns its answers. */
async function reflect(
  baseUrl: string,
  mod: typeof reflectionV1,
  requests: Parameters<typeof create<typeof reflectionV1.ServerReflectionRequestSchema>>[1][],
) {
  const client = createClient(mod.ServerReflection, transportFor('grpc', baseUrl));
  const out: reflectionV1.ServerReflectionResponse[] = [];
  async function* send() {
    for (const q of requests) yield create(mod.ServerReflectionRequestSchema, q);
  }
  for await (const res of client.serverReflectionInfo(send())) out.push(res);
  return out;
}

const versions = [
  ['v1', reflectionV1],
  ['v1alpha', reflectionV1alpha as unknown as typeof reflectionV1],
] as const;

describe('with Ledger.ip', () => {
  let r: IpRunning;
  beforeAll(async () => {
    r = await startIpServer({ ip: 'devnet' });
  });
  afterAll(() => r.close());

  it.each(versions)(
    'reflection %s lists the services and serves their descriptors',
    async (_, mod) => {
      const [list, bySymbol] = await reflect(r.baseUrl, mod, [
        { messageRequest: { case: 'listServices', value: '' } },
        {
          messageRequest: {
            case: 'fileContainingSymbol',
            value: 'mystira.chain.ip.v1.IpAssetService.MintAndRegisterIpAsset',
          },
        },
      ]);
      expect(listedServices(list)).toEqual(
        expect.arrayContaining(['mystira.chain.v1.ChainService', ...IP_NAMES]),
      );
      const files = servedFiles(bySymbol);
      expect(files[0]?.name).toBe('mystira/chain/ip/v1/ip_asset_service.proto');
      // Self-contained: the answer alone rebuilds the service (dependencies first).
      const ordered = dependenciesFirst(files, 'mystira/chain/ip/v1/ip_asset_service.proto');
      const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: ordered }));
      expect(registry.getService('mystira.chain.ip.v1.IpAssetService')?.methods).toHaveLength(2);
    },
  );

  it('reports the three services SERVING on grpc.health.v1', async () => {
    const health = createClient(Health, transportFor('grpc', r.baseUrl));
    for (const service of IP_NAMES) {
      expect((await health.check({ service })).status).toBe(
        HealthCheckResponse_ServingStatus.SERVING,
      );
    }
  });
});

describe('without Ledger.ip', () => {
  let r: IpRunning;
  beforeAll(async () => {
    r = await startIpServer({ ip: null });
  });
  afterAll(() => r.close());

  it.each(['grpc', 'connect-json'] as const)(
    'answers every method UNIMPLEMENTED with the reason over %s',
    async (protocol) => {
      const transport = transportFor(protocol, r.baseUrl);
      for (const service of IP_SERVICES) {
        const client = createClient(service, transport) as unknown as Record<
          string,
          (req: object) => Promise<unknown>
        >;
        for (const method of service.methods) {
          const error = ConnectError.from(
            await client[method.localName]?.({}).catch((e: unknown) => e),
          );
          expect(error.code).toBe(Code.Unimplemented);
          expect(error.rawMessage).toContain(service.typeName);
          expect(error.rawMessage).toContain('Ledger.ip is not set');
        }
      }
    },
  );

  it('does not offer them on reflection or health, and serves ChainService as ever', async () => {
    const [list] = await reflect(r.baseUrl, reflectionV1, [
      { messageRequest: { case: 'listServices', value: '' } },
    ]);
    expect(listedServices(list)).toContain('mystira.chain.v1.ChainService');
    for (const name of IP_NAMES) expect(listedServices(list)).not.toContain(name);
    const health = createClient(Health, transportFor('grpc', r.baseUrl));
    const unknown = await health.check({ service: IP_NAMES[0] }).catch((e: unknown) => e);
    expect(ConnectError.from(unknown).code).toBe(Code.NotFound);
    const chain = clientFor('grpc', r.baseUrl);
    const reg = await chain.registerIpAsset(registration());
    expect(reg.registrationTxHash).toMatch(/^0x[0-9a-f]{64}$/);
  });
});
