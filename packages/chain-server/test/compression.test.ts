/** Compressed messages (gzip, br) are accepted on every protocol; they take the Connect router. */
import { createClient } from '@connectrpc/connect';
import {
  compressionBrotli,
  compressionGzip,
  createConnectTransport,
  createGrpcTransport,
} from '@connectrpc/connect-node';
import { ChainService } from '@mystira/chain-protos';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Running, registration, startServer } from './helpers.js';

let r: Running;
beforeAll(async () => {
  r = await startServer();
});
afterAll(() => r.close());

it.each([
  [
    'gRPC + gzip',
    () =>
      createGrpcTransport({
        baseUrl: r.baseUrl,
        sendCompression: compressionGzip,
        compressMinBytes: 1,
      }),
  ],
  [
    'Connect JSON + br',
    () =>
      createConnectTransport({
        baseUrl: r.baseUrl,
        httpVersion: '1.1',
        sendCompression: compressionBrotli,
        compressMinBytes: 1,
      }),
  ],
])('%s', async (_name, transport) => {
  const client = createClient(ChainService, transport());
  const req = registration();
  const res = await client.registerIpAsset(req);
  expect(res.contentId).toBe(req.contentId);
  // A replay through the other path (uncompressed, lean) gives the same answer.
  const plain = createClient(ChainService, createGrpcTransport({ baseUrl: r.baseUrl }));
  expect((await plain.registerIpAsset(req)).registrationTxHash).toBe(res.registrationTxHash);
});
