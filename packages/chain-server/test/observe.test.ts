/** onCall sees every decoded call once, alike on the lean path and the Connect router. */
import { Code } from '@connectrpc/connect';
import { type CallInfo, hashApiKey } from '@mystira/chain-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, type Running, registration, startServer } from './helpers.js';

describe.each([true, false])('fastPath=%s', (fastPath) => {
  const seen: CallInfo[] = [];
  let r: Running;
  beforeAll(async () => {
    r = await startServer({
      fastPath,
      auth: {
        apiKeys: [{ id: 'w', sha256: hashApiKey('k'), scopes: ['chain:read', 'chain:write'] }],
      },
      onCall: (info) => seen.push(info),
    });
  });
  afterAll(() => r.close());

  it('reports procedure, protocol, code, principal', async () => {
    const grpc = clientFor('grpc', r.baseUrl, { 'x-api-key': 'k' });
    const json = clientFor('connect-json', r.baseUrl, { 'x-api-key': 'k' });
    const web = clientFor('grpc-web', r.baseUrl, { 'x-api-key': 'k' });
    seen.length = 0;
    const reg = await grpc.registerIpAsset(registration());
    await json.isRegistered({ contentId: '' }).catch(() => {});
    await clientFor('connect-json', r.baseUrl)
      .getServiceInfo({})
      .catch(() => {});
    r.ledger.mine(2);
    for await (const _ of web.watchTransactions({
      transactionHashes: [reg.registrationTxHash as string],
    })) {
      // until terminal
    }
    const summary = seen.map((s) => [
      s.procedure.split('/')[2],
      s.protocol,
      s.code,
      s.principal,
      s.streaming,
    ]);
    expect(summary).toEqual([
      ['RegisterIpAsset', 'grpc', undefined, 'key:w', false],
      ['IsRegistered', 'connect', Code.InvalidArgument, 'key:w', false],
      ['GetServiceInfo', 'connect', Code.Unauthenticated, undefined, false],
      ['WatchTransactions', 'grpc-web', undefined, 'key:w', true],
    ]);
    for (const s of seen) expect(s.durationMs).toBeGreaterThanOrEqual(0);
  });
});
