/**
 * A native gRPC implementation (@grpc/grpc-js) as the client: unary, client streaming, server
 * streaming, an error with its google.rpc.BadRequest in grpc-status-details-bin, reflection
 * (v1 and v1alpha) and grpc.health.v1.
 */
import {
  create,
  createFileRegistry,
  type DescMessage,
  fromBinary,
  type MessageShape,
  toBinary,
} from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import * as grpc from '@grpc/grpc-js';
import {
  type BatchRegisterResponse,
  BatchRegisterResponseSchema,
  ChainService,
  RegisterIpAssetRequestSchema,
  RegisterIpAssetResponseSchema,
  TransactionStatus,
} from '@mystira/chain-protos';
import { BadRequestSchema, StatusSchema } from '@mystira/chain-server';
import { Health, HealthCheckResponse_ServingStatus } from '@mystira/health';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as reflectionV1 from '../src/gen/grpc/reflection/v1/reflection_pb.js';
import * as reflectionV1alpha from '../src/gen/grpc/reflection/v1alpha/reflection_pb.js';
import { type Running, registration, startServer } from './helpers.js';
import { dependenciesFirst, listedServices, servedFiles } from './support/reflection.js';

let r: Running;
let client: grpc.Client;
beforeAll(async () => {
  r = await startServer();
  client = new grpc.Client(`127.0.0.1:${r.port}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  await r.close();
});

const ser =
  <D extends DescMessage>(d: D) =>
  (m: MessageShape<D>) =>
    Buffer.from(toBinary(d, m));
const de =
  <D extends DescMessage>(d: D) =>
  (b: Buffer) =>
    fromBinary(d, b);
const method = (name: string) => {
  const m = ChainService.methods.find((x) => x.name === name);
  if (!m) throw new Error(name);
  return m;
};

function unary<I extends DescMessage, O extends DescMessage>(
  path: string,
  i: I,
  o: O,
  req: MessageShape<I>,
): Promise<MessageShape<O>> {
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(path, ser(i), de(o), req, (err, res) =>
      err ? reject(err) : resolve(res as MessageShape<O>),
    ),
  );
}

describe('ChainService over grpc-js', () => {
  it('unary, client streaming and server streaming', async () => {
    const res = await unary(
      '/mystira.chain.v1.ChainService/RegisterIpAsset',
      RegisterIpAssetRequestSchema,
      RegisterIpAssetResponseSchema,
      create(RegisterIpAssetRequestSchema, registration()),
    );
    expect(res.registrationTxHash).toMatch(/^0x/);

    const summary = await new Promise<BatchRegisterResponse>((resolve, reject) => {
      const call = client.makeClientStreamRequest(
        '/mystira.chain.v1.ChainService/BatchRegisterIpAssets',
        ser(RegisterIpAssetRequestSchema),
        de(BatchRegisterResponseSchema),
        (err, value) => (err ? reject(err) : resolve(value as BatchRegisterResponse)),
      );
      call.write(create(RegisterIpAssetRequestSchema, registration()));
      call.write(create(RegisterIpAssetRequestSchema, registration()));
      call.end();
    });
    expect(summary.successful).toBe(2);

    const watch = method('WatchTransactions');
    const stream = client.makeServerStreamRequest(
      '/mystira.chain.v1.ChainService/WatchTransactions',
      ser(watch.input),
      de(watch.output),
      create(watch.input, { transactionHashes: [res.registrationTxHash as string] }),
    );
    const statuses: TransactionStatus[] = [];
    for await (const u of stream) {
      statuses.push((u as { status: TransactionStatus }).status);
      r.ledger.mine();
    }
    expect(statuses[0]).toBe(TransactionStatus.PENDING);
    expect(statuses.at(-1)).toBe(TransactionStatus.CONFIRMED);
  });

  it('reads INVALID_ARGUMENT and the BadRequest from grpc-status-details-bin', async () => {
    const reg = method('RegisterIpAsset');
    const err = (await unary(
      '/mystira.chain.v1.ChainService/RegisterIpAsset',
      reg.input,
      reg.output,
      create(reg.input, { ...registration(), contentId: '' }),
    ).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    const bin = err.metadata.get('grpc-status-details-bin')[0] as Buffer;
    const status = fromBinary(StatusSchema, bin);
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    const any = status.details[0];
    expect(any?.typeUrl).toBe('type.googleapis.com/google.rpc.BadRequest');
    expect(fromBinary(BadRequestSchema, any?.value as Uint8Array).fieldViolations[0]?.field).toBe(
      'content_id',
    );
  });
});

describe.each([
  ['v1', reflectionV1],
  ['v1alpha', reflectionV1alpha],
] as const)('reflection %s', (version, mod) => {
  const m = mod as unknown as typeof reflectionV1;
  async function ask(
    requests: Parameters<typeof create<typeof m.ServerReflectionRequestSchema>>[1][],
  ) {
    const call = client.makeBidiStreamRequest(
      `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
      ser(m.ServerReflectionRequestSchema),
      de(m.ServerReflectionResponseSchema),
    );
    for (const q of requests) call.write(create(m.ServerReflectionRequestSchema, q));
    call.end();
    const out: reflectionV1.ServerReflectionResponse[] = [];
    for await (const res of call) out.push(res as reflectionV1.ServerReflectionResponse);
    return out;
  }

  it('lists services and serves file descriptors that rebuild the contract', async () => {
    const [list, bySymbol, byFile, missing] = await ask([
      { messageRequest: { case: 'listServices', value: '' } },
      {
        messageRequest: {
          case: 'fileContainingSymbol',
          value: 'mystira.chain.v1.ChainService.RegisterIpAsset',
        },
      },
      { messageRequest: { case: 'fileByFilename', value: 'mystira/chain/v1/royalties.proto' } },
      { messageRequest: { case: 'fileContainingSymbol', value: 'no.such.Thing' } },
    ]);
    expect(listedServices(list)).toEqual(
      expect.arrayContaining([
        'mystira.chain.v1.ChainService',
        'grpc.health.v1.Health',
        'grpc.reflection.v1.ServerReflection',
        'grpc.reflection.v1alpha.ServerReflection',
      ]),
    );
    const files = servedFiles(bySymbol);
    expect(files[0]?.name).toBe('mystira/chain/v1/chain_service.proto');
    // The answer is self-contained: a registry built from it resolves the whole service.
    const ordered = dependenciesFirst(files, 'mystira/chain/v1/chain_service.proto');
    expect(ordered).toHaveLength(files.length);
    const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: ordered }));
    expect(registry.getService('mystira.chain.v1.ChainService')?.methods).toHaveLength(12);
    expect(byFile?.messageResponse.case).toBe('fileDescriptorResponse');
    expect(missing?.messageResponse.case).toBe('errorResponse');
  });
});

it('serves grpc.health.v1 to grpc-js', async () => {
  const check = Health.methods.find((x) => x.name === 'Check');
  if (!check) throw new Error('no Check');
  const res = await unary(
    '/grpc.health.v1.Health/Check',
    check.input,
    check.output,
    create(check.input, { service: 'mystira.chain.v1.ChainService' }),
  );
  expect((res as unknown as { status: number }).status).toBe(
    HealthCheckResponse_ServingStatus.SERVING,
  );
});
