/// <reference lib="dom" />
/**
 * Runs in Chromium, from another origin than the API: Connect (JSON) and gRPC-Web clients from
 * @connectrpc/connect-web call a unary RPC, watch a transaction (server streaming) and read a
 * validation error. The results land on window.results for the test to read.
 */
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-web';
import { ChainService } from '@mystira/chain-protos';

declare global {
  interface Window {
    results?: Record<string, unknown>;
  }
}

const api = new URLSearchParams(location.search).get('api') as string;
const headers = { 'x-api-key': 'browser-key' };
const out: Record<string, unknown> = {};

for (const [name, transport] of [
  ['connect', createConnectTransport({ baseUrl: api })],
  ['grpcweb', createGrpcWebTransport({ baseUrl: api })],
] as const) {
  try {
    const client = createClient(ChainService, transport);
    out[`${name}_info`] = (await client.getServiceInfo({}, { headers })).network;
    const reg = await client.registerIpAsset(
      {
        contentId: `browser-${name}`,
        contentTitle: 'From a browser',
        contributors: [
          { walletAddress: `0x${'a'.repeat(40)}`, contributorType: 3, shareBasisPoints: 10000 },
        ],
        idempotencyKey: `browser-key-${name}`,
      },
      { headers },
    );
    const statuses: number[] = [];
    for await (const u of client.watchTransactions(
      { transactionHashes: [reg.registrationTxHash as string] },
      { headers },
    )) {
      statuses.push(u.status);
    }
    out[`${name}_watch`] = statuses;
    try {
      await client.isRegistered({ contentId: '' }, { headers });
    } catch (e) {
      out[`${name}_error`] = Code[ConnectError.from(e).code];
    }
  } catch (e) {
    out[`${name}_failed`] = String(e);
  }
}
window.results = out;
