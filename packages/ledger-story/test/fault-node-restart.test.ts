/**
 * Fault test, end to end: the node goes away while a client watches a transaction through a
 * Chain server process, blocks are mined meanwhile, and the node comes back on the same
 * address with the same chain. The server reaches the embedded node through a TCP proxy that
 * the test takes down (listener closed, connections reset) and brings back on the same port:
 * to the server that is a node restarting from its data directory. The watch must go on.
 */
import type { TransactionStatusChange } from '@mystira/chain-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedChain } from '../src/embedded.js';
import { boundedly, until } from './support/fault-helpers.js';
import { startServerOnChain } from './support/server-on-chain.js';
import type { ServerProcess } from './support/server-process.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

const CONFIRMATIONS = 6;

let chain: EmbeddedChain;
let proxy: TcpProxy;
let server: ServerProcess;
let stop = async () => {};

beforeAll(async () => {
  ({ chain, server, stop } = await startServerOnChain(async (started) => {
    proxy = await startTcpProxy(started.rpcUrl);
    return { rpcUrl: proxy.url, confirmations: CONFIRMATIONS };
  }));
});

afterAll(async () => {
  await stop();
  await proxy?.down();
});

describe('the node killed and restarted while a transaction is watched', () => {
  it('the watch goes on: each state once, in order, confirmations counted across the outage, up to terminal', async () => {
    const client = server.client();
    // Automined: the call answers with the transaction in a block, 1 confirmation of 6.
    const registration = await client.registerIpAsset({
      contentId: 'watched-through-node-restart',
      contentTitle: 'Watched through a node restart',
      contributors: [
        {
          walletAddress: '0x00000000000000000000000000000000000c0c00',
          role: 'author',
          shareBasisPoints: 10_000,
        },
      ],
    });
    const hash = registration.registrationTxHash!;

    const updates: TransactionStatusChange[] = [];
    const reconnects: string[] = [];
    const abort = new AbortController();
    const watching = (async () => {
      for await (const update of client.watchTransactions([hash], {
        signal: abort.signal,
        onReconnect: (e) => reconnects.push(e.error.message),
      }))
        updates.push(update);
    })();
    // The same watch on the raw Connect client: what the server itself sends, before the
    // facade drops repeats.
    const raw: { status: number; confirmations: bigint; blockHash?: string }[] = [];
    const rawWatching = (async () => {
      const stream = client.raw.watchTransactions(
        { transactionHashes: [hash] },
        { signal: abort.signal },
      );
      for await (const u of stream) raw.push(u);
    })();
    // Reported on both streams: only then is the next block mined.
    const seen = (confirmations: number) =>
      until(
        `${confirmations} confirmations reported`,
        () =>
          updates.some((u) => u.confirmations === BigInt(confirmations)) &&
          raw.some((u) => u.confirmations === BigInt(confirmations)),
      );

    try {
      await seen(1);
      await chain.mine(1);
      await seen(2);

      // The node goes away: its port refuses, open connections are reset.
      await proxy.down();
      const errorsBefore = trackerErrors();
      // The server's receipt tracker has failed to reach it at least once...
      await until('the tracker meets the dead node', () => trackerErrors() > errorsBefore);
      // ...and the server says so.
      await until(
        'the server reports not serving',
        async () => (await client.healthCheck()).status === 'not_serving',
      );
      // Blocks go on meanwhile (the chain itself did not stop; its endpoint did).
      await chain.mine(2);
      const duringOutage = updates.length;

      await proxy.up();
      await seen(4); // the first poll back counts the two blocks mined in the outage
      await chain.mine(1);
      await seen(5);
      await chain.mine(1);
      // The server ends the stream once the transaction is final (6 confirmations).
      await boundedly(watching, 30_000, 'the watch to end at terminal');
      await boundedly(rawWatching, 30_000, 'the raw watch to end at terminal');

      // "No gap, no duplicate", exactly: every update is CONFIRMED in the same block; the
      // caller gets no state twice; confirmations strictly increase; the only counts missing
      // are those of blocks mined while the node was unreachable (3 here), which no poll could
      // see; the stream ends (terminal) at the required depth. Nothing was reported while the
      // node was down.
      expect(updates.slice(0, duringOutage).map((u) => u.confirmations)).toEqual([1n, 2n]);
      expect(updates.map((u) => u.confirmations)).toEqual([1n, 2n, 4n, 5n, 6n]);
      expect(new Set(updates.map((u) => u.status))).toEqual(new Set(['confirmed']));
      expect(new Set(updates.map((u) => u.blockHash))).toEqual(new Set([updates[0]!.blockHash]));
      // The server's own stream: the same states in the same order. It may repeat its first
      // state (read from the receipt when the watch opened, then from the tracker's poll) but
      // never goes back, skips no more, and never repeats a later one.
      const rawCounts = raw.map((u) => u.confirmations);
      expect(rawCounts.slice(1).every((c, i) => c >= rawCounts[i]!)).toBe(true);
      expect(rawCounts.filter((c, i) => i === 0 || c !== rawCounts[0])).toEqual([
        1n,
        2n,
        4n,
        5n,
        6n,
      ]);
      expect(new Set(raw.map((u) => u.blockHash))).toEqual(new Set([updates[0]!.blockHash]));
      // The server's stream stayed open through the outage: the node failed, not the server.
      expect(reconnects).toEqual([]);
      expect((await client.healthCheck()).status).toBe('serving');
    } finally {
      abort.abort();
      await Promise.allSettled([watching, rawWatching]);
    }
  }, 180_000);
});

function trackerErrors(): number {
  return server.events().filter((e) => e.type === 'error' && e.context === 'receipt tracker')
    .length;
}
