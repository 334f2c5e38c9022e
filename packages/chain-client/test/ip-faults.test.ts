/**
 * `client.ip` under faults, over real HTTP/2 sockets: every write retried after UNAVAILABLE
 * carries one idempotency key on every attempt (generated, or the caller's) and takes effect
 * once; a write without a key is not retried; reads are retried and hedged like ChainService
 * reads, writes never hedged; the call's deadline reaches the server.
 */
import { Code, ConnectError } from '@connectrpc/connect';
import {
  type ChainClient,
  ChainUnavailableError,
  createChainClient,
  isUuidV7,
} from '@mystira/chain-client';
import { afterEach, describe, expect, it } from 'vitest';
import { contributors, type FakeOptions, type RunningServer } from './support/fake-chain.js';
import { serveFakeWithIp, WIP } from './support/fake-ip.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

async function start(opts: FakeOptions = {}): Promise<RunningServer> {
  const s = await serveFakeWithIp(opts);
  cleanup.push(() => s.close());
  return s;
}

function client(options: Parameters<typeof createChainClient>[0]): ChainClient {
  const c = createChainClient(options);
  cleanup.push(() => c.close());
  return c;
}

const unavailable = () => new ConnectError('try again', Code.Unavailable);

/** What the licensing writes need: an asset and commercial-remix terms (attached, if asked). */
async function licensedAsset(c: ChainClient, attach: boolean) {
  const asset = await c.ip.mintAndRegisterIpAsset({
    contentId: 'set-up',
    royaltyShares: contributors,
  });
  const terms = await c.ip.registerLicenseTerms({
    preset: 'commercialRemix',
    currencyToken: WIP,
    commercialRevShareMicroPercent: 1_000_000,
  });
  const ids = { ipAssetId: asset.ipAssetId!, licenseTermsId: terms.licenseTermsId! };
  if (attach) await c.ip.attachLicenseTerms(ids);
  return ids;
}

type Ids = Awaited<ReturnType<typeof licensedAsset>> | undefined;
type Write = (c: ChainClient, ids: Ids, key?: string) => Promise<{ idempotencyKey: string }>;

/** Each write of `client.ip`, and what it needs set up first (by calls that are not faulted). */
const writes: [string, (c: ChainClient) => Promise<Ids>, Write][] = [
  [
    'CreateCollection',
    async () => undefined,
    (c, _ids, key) => c.ip.createCollection({ name: 'N', symbol: 'S', idempotencyKey: key }),
  ],
  [
    'RegisterLicenseTerms',
    async () => undefined,
    (c, _ids, key) =>
      c.ip.registerLicenseTerms({ preset: 'nonCommercialSocialRemixing', idempotencyKey: key }),
  ],
  [
    'MintAndRegisterIpAsset',
    async () => undefined,
    (c, _ids, key) =>
      c.ip.mintAndRegisterIpAsset({
        contentId: 'w',
        royaltyShares: contributors,
        idempotencyKey: key,
      }),
  ],
  [
    'AttachLicenseTerms',
    (c) => licensedAsset(c, false),
    (c, ids, key) => c.ip.attachLicenseTerms({ ...ids!, idempotencyKey: key }),
  ],
  [
    'MintLicenseTokens',
    (c) => licensedAsset(c, true),
    (c, ids, key) =>
      c.ip.mintLicenseTokens({
        licensorIpAssetId: ids!.ipAssetId,
        licenseTermsId: ids!.licenseTermsId,
        amount: 3,
        idempotencyKey: key,
      }),
  ],
];

describe('retries of client.ip writes', () => {
  it.each(writes)(
    '%s: UNAVAILABLE twice, then one outcome under one generated key seen three times',
    async (method, setUp, write) => {
      const server = await start({
        fault: (m, _ctx, n) => {
          if (m === method && n <= 2) throw unavailable();
        },
      });
      const retries: string[] = [];
      const c = client({
        baseUrl: server.url,
        retry: { initialDelayMs: 5 },
        policy: { onRetry: (e) => retries.push(e.rpc) },
      });
      const ids = await setUp(c);
      const result = await write(c, ids);
      expect(isUuidV7(result.idempotencyKey)).toBe(true);
      const keys = server.observed.filter((o) => o.method === method).map((o) => o.idempotencyKey);
      expect(keys).toEqual([result.idempotencyKey, result.idempotencyKey, result.idempotencyKey]);
      expect(retries).toEqual([method, method]);
      // Sent once more with the same key, the server answers the first outcome: it took effect once.
      expect(await write(c, ids, result.idempotencyKey)).toEqual(result);
    },
  );

  it('the caller’s key is the one every attempt carries', async () => {
    const server = await start({
      fault: (m, _ctx, n) => {
        if (m === 'MintAndRegisterIpAsset' && n === 1) throw unavailable();
      },
    });
    const c = client({ baseUrl: server.url, retry: { initialDelayMs: 5 } });
    const reg = await c.ip.mintAndRegisterIpAsset({
      contentId: 'mine',
      royaltyShares: contributors,
      idempotencyKey: 'order-42',
    });
    expect(reg.idempotencyKey).toBe('order-42');
    expect(server.observed.map((o) => o.idempotencyKey)).toEqual(['order-42', 'order-42']);
    expect((await c.ip.getIpAsset({ contentId: 'mine' })).ipAssetId).toBe(reg.ipAssetId);
  });

  it('a write sent without a key (idempotencyKey: "") is never retried', async () => {
    const server = await start({ fault: () => Promise.reject(unavailable()) });
    const c = client({ baseUrl: server.url, retry: { initialDelayMs: 1 }, breaker: false });
    await expect(
      c.ip.createCollection({ name: 'N', symbol: 'S', idempotencyKey: '' }),
    ).rejects.toBeInstanceOf(ChainUnavailableError);
    expect(server.observed).toHaveLength(1);
  });
});

describe('client.ip reads', () => {
  it('are retried after UNAVAILABLE', async () => {
    const server = await start({
      fault: (m, _ctx, n) => {
        if (m === 'GetIpAsset' && n === 1) throw unavailable();
      },
    });
    const c = client({ baseUrl: server.url, retry: { initialDelayMs: 5 } });
    const reg = await c.ip.mintAndRegisterIpAsset({ contentId: 'r', royaltyShares: contributors });
    expect((await c.ip.getIpAsset({ ipAssetId: reg.ipAssetId! })).contentId).toBe('r');
    expect(server.observed.filter((o) => o.method === 'GetIpAsset')).toHaveLength(2);
  });

  it('are hedged: a second copy answers when the first stalls; writes are not hedged', async () => {
    let firstAborted = false;
    const server = await start({
      fault: (m, ctx, n) => {
        if (m === 'GetLicenseTerms' && n === 1)
          return new Promise((_, reject) =>
            ctx.signal.addEventListener('abort', () => {
              firstAborted = true;
              reject(ctx.signal.reason);
            }),
          );
        if (m === 'RegisterLicenseTerms' && n === 1) return new Promise((r) => setTimeout(r, 100));
        return undefined;
      },
    });
    const c = client({ baseUrl: server.url, hedging: { delayMs: 20, maxAttempts: 3 } });
    const reg = await c.ip.registerLicenseTerms({ preset: 'nonCommercialSocialRemixing' });
    expect(server.observed.filter((o) => o.method === 'RegisterLicenseTerms')).toHaveLength(1);
    const read = await c.ip.getLicenseTerms(reg.licenseTermsId!);
    expect(read.terms.royaltyPolicy).toBe('none');
    expect(server.observed.filter((o) => o.method === 'GetLicenseTerms')).toHaveLength(2);
    await expect.poll(() => firstAborted).toBe(true);
  });

  it('send the call’s deadline to the server', async () => {
    const server = await start();
    const c = client({ baseUrl: server.url });
    await c.ip.getCollection(`0x${'1'.repeat(40)}`, { timeoutMs: 1234 }).catch(() => undefined);
    const seen = server.observed.at(-1)?.timeoutMs;
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThanOrEqual(1234);
  });
});
