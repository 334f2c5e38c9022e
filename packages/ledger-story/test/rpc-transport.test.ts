/**
 * The failover transport against a real EVM node (EDR) behind two local HTTP endpoints that can
 * be broken on demand: refusing connections, answering 503, or never answering. Reads move to
 * the healthy endpoint and open the broken one's breaker; a send is not repeated after a
 * timeout (nobody knows whether the node took it) but fails over when it surely never arrived;
 * the node's own answers (a revert) come back at once; no URL is refused.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPublicClient, createWalletClient, parseEther } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { failoverTransport } from '../src/rpc/transport.js';
import { toLedgerError } from '../src/transactions/errors.js';
import { reverterInitCode, startTestChain, type TestChain } from './support/chain.js';

type Mode = 'ok' | '503' | 'hang' | 'hang-sends';

/** An HTTP JSON-RPC endpoint in front of the node, with a switch, counting what it received. */
async function endpoint(chain: TestChain) {
  const state = { mode: 'ok' as Mode, received: [] as string[] };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    state.received.push(body.method);
    if (state.mode === '503') return void res.writeHead(503).end('down');
    // Never answers (the server closes it at the end): every request, or only the sends.
    if (
      state.mode === 'hang' ||
      (state.mode === 'hang-sends' && body.method === 'eth_sendRawTransaction')
    )
      return;
    try {
      const result = await chain.rpc(body.method, body.params ?? []);
      res.end(JSON.stringify({ jsonrpc: '2.0', id: body.id, result }));
    } catch (error) {
      const e = error as { code?: number; message: string; data?: unknown };
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: body.id,
          error: { code: e.code ?? -32000, message: e.message, data: e.data },
        }),
      );
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { state, url, close: () => server.close() && server.closeAllConnections() };
}

let chain: TestChain;
let a: Awaited<ReturnType<typeof endpoint>>;
let b: Awaited<ReturnType<typeof endpoint>>;
beforeAll(async () => {
  chain = await startTestChain();
  a = await endpoint(chain);
  b = await endpoint(chain);
});
afterAll(async () => {
  a.close();
  b.close();
  await chain.close();
});
beforeEach(() => {
  a.state.mode = b.state.mode = 'ok';
  a.state.received.length = b.state.received.length = 0;
});

const clientOver = (urls: string[], extra = {}) => {
  const rpc = failoverTransport({
    urls,
    timeoutMs: 300,
    halfOpenAfterMs: 60_000,
    breakerThreshold: 2,
    ...extra,
  });
  return { rpc, client: createPublicClient({ transport: rpc.transport, cacheTime: 0 }) };
};

describe('failoverTransport', () => {
  it('moves reads to the next endpoint on 503 and on a hang, and opens the broken breaker', async () => {
    const { rpc, client } = clientOver([a.url, b.url]);
    a.state.mode = '503';
    expect(await client.getChainId()).toBe(1315);
    expect(b.state.received).toContain('eth_chainId');
    b.state.mode = 'hang';
    a.state.mode = 'ok';
    expect(typeof (await client.getBlockNumber())).toBe('bigint');
    a.state.mode = '503';
    b.state.mode = 'ok';
    await client.getBlockNumber();
    await client.getBlockNumber(); // a's second failure in a row: its breaker opens
    expect(rpc.endpoints()).toEqual([
      { url: a.url, state: 'open' },
      { url: b.url, state: 'closed' },
    ]);
    const before = a.state.received.length;
    await client.getBlockNumber();
    expect(a.state.received.length, 'an open breaker sends nothing').toBe(before);
  });

  it('returns the node’s own answer (a revert) at once, without failing over', async () => {
    const { client } = clientOver([a.url, b.url]);
    const key = await chain.fundedKey();
    const wallet = createWalletClient({
      account: privateKeyToAccount(key),
      transport: failoverTransport({ urls: [a.url] }).transport,
    });
    const hash = await wallet.sendTransaction({ data: reverterInitCode(), chain: null });
    const { contractAddress } = await client.waitForTransactionReceipt({
      hash,
      pollingInterval: 20,
    });
    await expect(client.call({ to: contractAddress!, data: '0x01' })).rejects.toThrow(/nope/);
    expect(b.state.received).not.toContain('eth_call');
  });

  it('a node that fails every endpoint is UNAVAILABLE to the ledger (timeouts, 503, open breakers), not INTERNAL', async () => {
    const { client } = clientOver([a.url, b.url]);
    a.state.mode = '503';
    b.state.mode = '503';
    const failures: unknown[] = [];
    for (let i = 0; i < 4; i++)
      failures.push(
        await client
          .estimateGas({ account: `0x${'1'.repeat(40)}`, to: `0x${'2'.repeat(40)}` })
          .catch((e: unknown) => e),
      );
    for (const failure of failures) {
      expect(toLedgerError(failure)).toMatchObject({ name: 'LedgerError', code: 'UNAVAILABLE' });
    }
    // A node's own answer (a revert) is not a node failure.
    expect(toLedgerError(new Error('execution reverted'))).toBeUndefined();
  });

  it('does not repeat a send after a timeout; fails it over when the endpoint refused it', async () => {
    const key = await chain.fundedKey();
    const account = privateKeyToAccount(key);
    const send = (urls: string[]) =>
      createWalletClient({
        account,
        transport: failoverTransport({ urls, timeoutMs: 300 }).transport,
      }).sendTransaction({
        to: account.address,
        value: parseEther('0.001'),
        chain: null,
      });
    a.state.mode = 'hang-sends';
    const hangs = (await send([a.url, b.url]).catch((e: unknown) => e)) as Error;
    expect(hangs).toBeInstanceOf(Error);
    expect(b.state.received).not.toContain('eth_sendRawTransaction');

    a.state.mode = 'ok';
    const refused = `http://127.0.0.1:${await closedPort()}`;
    const hash = await send([refused, b.url]);
    expect(b.state.received).toContain('eth_sendRawTransaction');
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('refuses no URL and non-http URLs, and keeps credentials out of its reports', () => {
    expect(() => failoverTransport({ urls: [] })).toThrow(
      /refusing to fall back to a public endpoint/,
    );
    expect(() => failoverTransport({ urls: ['ws://127.0.0.1:1'] })).toThrow(TypeError);
    const { rpc } = clientOver(['https://user:secret@rpc.example/key123?x=1']);
    expect(rpc.endpoints()).toEqual([{ url: 'https://rpc.example', state: 'closed' }]);
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = http.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}
