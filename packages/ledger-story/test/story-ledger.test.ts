import { ContributorType, IpAssetStatus, TransactionStatus } from '@mystira/chain-protos';
import { LedgerError, type TxState } from '@mystira/chain-server';
import type { EmbeddedChain } from '@mystira/ledger-story/embedded';
import { StoryClient } from '@story-protocol/core-sdk';
import {
  type Address,
  createPublicClient,
  custom,
  erc20Abi,
  type Hex,
  hexToString,
  pad,
  parseAbi,
  stringToHex,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount, toAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryContentIndex } from '../src/content-index/index.js';
import { StoryLedger, storyLedger } from '../src/ledger/index.js';
import { metadataHash } from '../src/metadata/documents.js';
import { contentAddressedStore } from '../src/metadata/store.js';
import { InMemorySubmissionJournal } from '../src/transactions/index.js';
import { royaltyTokens, untilMined } from './support/ip-fixtures.js';
import { startLedger, stopLedger } from './support/ledger.js';

let chain: EmbeddedChain;
let ledger: StoryLedger;
const store = contentAddressedStore();
const index = memoryContentIndex();

const ipAccountAbi = parseAbi([
  'function getBytes(bytes32 namespace, bytes32 key) view returns (bytes)',
  'function getBytes32(bytes32 namespace, bytes32 key) view returns (bytes32)',
]);
const key = (name: string): Hex => pad(stringToHex(name), { dir: 'right', size: 32 });

const wallet = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as const;
const WIP = '0x1514000000000000000000000000000000000000';

const until = <T>(probe: () => Promise<T | undefined>) => untilMined(chain, probe);

beforeAll(async () => {
  ({ chain, ledger } = await startLedger({
    requiredConfirmations: 4,
    metadataStore: store,
    contentIndex: index,
    deployVaults: true,
  }));
});

afterAll(() => stopLedger(chain, ledger));

describe('StoryLedger on the embedded chain', () => {
  it('creates its SPG collection at start and reports it', () => {
    expect(ledger.collection).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const info = ledger.info();
    expect(info.network).toBe('aeneid');
    expect(info.rpcEndpoint).toBe(chain.rpcUrl);
    expect(info.contractAddresses.spgNftCollection).toBe(ledger.collection!.toLowerCase());
    for (const address of Object.values(info.contractAddresses))
      expect(address).toMatch(/^0x[0-9a-f]{40}$/);
  });

  it('registers: PROCESSING once mined, metadata on chain, split given out, REGISTERED at 4 confirmations', async () => {
    const contributors = [
      { wallet: wallet(0xa1), type: ContributorType.AUTHOR, shareBps: 7000, displayName: 'Ada' },
      { wallet: wallet(0xa2), type: ContributorType.ARTIST, shareBps: 3000 },
    ];
    const record = await ledger.registerAsset({ contentId: 'story-1', title: 'One', contributors });
    expect(record.status).toBe(IpAssetStatus.PROCESSING);
    expect(record.ipAssetId).toMatch(/^0x[0-9a-f]{40}$/);
    expect(record.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(record.nftTokenId).toBe('1');
    await expect(
      ledger.registerAsset({ contentId: 'story-1', title: 'One', contributors }),
    ).rejects.toMatchObject({ name: 'LedgerError', code: 'ALREADY_EXISTS' });
    expect((await index.get('story-1'))?.ipId).toBe(record.ipAssetId);

    const registered = await until(async () => {
      const a = await ledger.getAssetByContentId('story-1');
      return a?.status === IpAssetStatus.REGISTERED ? a : undefined;
    });
    expect(registered.registeredAt).toBeInstanceOf(Date);
    expect(await ledger.getAssetByIpId(record.ipAssetId.toUpperCase().replace('0X', '0x'))).toEqual(
      registered,
    );
    const tx = await ledger.getTransaction(record.txHash);
    expect(tx).toMatchObject({ status: TransactionStatus.CONFIRMED, terminal: true });
    expect(tx!.confirmations).toBeGreaterThanOrEqual(2n);

    const reader = createPublicClient({ transport: custom(chain.provider) });
    const ip = record.ipAssetId as Address;
    const rt = await royaltyTokens(chain, ip);
    expect(await rt(wallet(0xa1))).toBe(70_000_000n);
    expect(await rt(wallet(0xa2))).toBe(30_000_000n);
    expect(await rt(ip)).toBe(0n);

    const ns = pad(chain.addresses.coreMetadataModule);
    const uri = hexToString(
      await reader.readContract({
        address: ip,
        abi: ipAccountAbi,
        functionName: 'getBytes',
        args: [ns, key('METADATA_URI')],
      }),
    );
    const doc = await store.get(uri);
    expect(doc).toMatchObject({ title: 'One', contentId: 'story-1', mystiraSchema: 1 });
    expect(
      await reader.readContract({
        address: ip,
        abi: ipAccountAbi,
        functionName: 'getBytes32',
        args: [ns, key('METADATA_HASH')],
      }),
    ).toBe(metadataHash(doc));
  });

  it('concurrent registrations of one content id: one wins, the rest are ALREADY_EXISTS', async () => {
    const input = {
      contentId: 'story-2',
      title: 'Two',
      contributors: [{ wallet: wallet(0xb1), type: ContributorType.AUTHOR, shareBps: 10000 }],
    };
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map(() => ledger.registerAsset(input)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes)
      if (o.status === 'rejected') {
        expect(o.reason).toBeInstanceOf(LedgerError);
        expect(o.reason.code).toBe('ALREADY_EXISTS');
      }
  });

  it('reports later transaction states to listeners, up to terminal', async () => {
    const record = await ledger.registerAsset({
      contentId: 'story-3',
      title: 'Three',
      contributors: [{ wallet: wallet(0xc1), type: ContributorType.AUTHOR, shareBps: 10000 }],
    });
    const seen: TxState[] = [];
    const off = ledger.onTransaction(record.txHash, (s) => seen.push(s));
    await until(async () => (seen.some((s) => s.terminal) ? true : undefined));
    off();
    expect(seen.at(-1)).toMatchObject({ status: TransactionStatus.CONFIRMED, terminal: true });
    expect(await ledger.getTransaction(`0x${'1'.repeat(64)}`)).toBeUndefined();
  });

  it('health: serving with the head age; not serving when the head is too old', async () => {
    await chain.mine(1);
    const health = await ledger.health();
    expect(health.serving).toBe(true);
    expect(Object.values(health.details).every((v) => typeof v === 'string')).toBe(true);
    expect(health.details.latest_block).toMatch(/^\d+$/);
    // Not started (storyLedger would send nothing anyway, the collection being given).
    const late = new StoryLedger(
      {
        provider: chain.provider,
        signer: chain.accounts[2]!.privateKey,
        spgNftContract: ledger.collection!,
        now: () => new Date(Date.now() + 3_600_000),
      },
      StoryClient,
    );
    const stale = await late.health();
    expect(stale.serving).toBe(false);
    expect(stale.details.error).toMatch(/old/);
    late.close();
    const down = new StoryLedger(
      {
        rpcUrls: ['http://127.0.0.1:9'],
        signer: chain.accounts[2]!.privateKey,
        spgNftContract: ledger.collection!,
        rpcTimeoutMs: 2000,
      },
      StoryClient,
    );
    const unreachable = await down.health();
    expect(unreachable.serving).toBe(false);
    expect(unreachable.details.error).toMatch(/unreachable/);
    expect(down.info().rpcEndpoint).toBe('http://127.0.0.1:9');
    down.close();
  });

  it('pays in the native token (wrapped to WIP), credits pro rata once mined, claims the whole balance to the wallet', async () => {
    const a = wallet(0xd1);
    const b = wallet(0xd2);
    const record = await ledger.registerAsset({
      contentId: 'story-paid',
      title: 'Paid',
      contributors: [
        { wallet: a, type: ContributorType.AUTHOR, shareBps: 6000 },
        { wallet: b, type: ContributorType.ARTIST, shareBps: 4000 },
      ],
    });
    const native = '0x0000000000000000000000000000000000000000';
    await expect(
      ledger.payRoyalties({ ipAssetId: record.ipAssetId, amountWei: 1n, currencyToken: native }),
    ).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
    await until(async () =>
      (await ledger.getAssetByIpId(record.ipAssetId))?.status === IpAssetStatus.REGISTERED
        ? true
        : undefined,
    );
    await expect(
      ledger.payRoyalties({ ipAssetId: wallet(0xeeee), amountWei: 1n, currencyToken: native }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      ledger.payRoyalties({ ipAssetId: record.ipAssetId, amountWei: 1n, currencyToken: wallet(7) }),
    ).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });

    const paid = await ledger.payRoyalties({
      ipAssetId: record.ipAssetId,
      amountWei: 10n ** 18n,
      currencyToken: native,
      payerReference: 'invoice-1',
    });
    expect(paid).toMatchObject({
      ipAssetId: record.ipAssetId,
      amountWei: 10n ** 18n,
      currencyToken: native,
    });
    await until(async () => {
      const tx = await ledger.getTransaction(paid.txHash);
      return tx?.status === TransactionStatus.CONFIRMED ? tx : undefined;
    });
    expect(await ledger.claimableBalances(a, record.ipAssetId)).toEqual([
      {
        ipAssetId: record.ipAssetId,
        currencyToken: WIP,
        amountWei: 6n * 10n ** 17n,
        decimals: 18,
      },
    ]);
    expect((await ledger.claimableBalances(b)).map((x) => x.amountWei)).toEqual([4n * 10n ** 17n]);

    const claim = await ledger.claimRoyalties({
      ipAssetId: record.ipAssetId,
      wallet: a,
      currencyToken: native,
    });
    expect(claim).toMatchObject({ wallet: a, amountWei: 6n * 10n ** 17n, currencyToken: native });
    await until(async () =>
      (await ledger.getTransaction(claim.txHash))?.terminal ? true : undefined,
    );
    const reader = createPublicClient({ transport: custom(chain.provider) });
    expect(
      await reader.readContract({
        address: chain.addresses.wrappedIp,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [a],
      }),
    ).toBe(6n * 10n ** 17n);
    expect(await ledger.claimableBalances(a, record.ipAssetId)).toEqual([]);
    await expect(
      ledger.claimRoyalties({ ipAssetId: record.ipAssetId, wallet: a, currencyToken: native }),
    ).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
    await expect(
      ledger.claimRoyalties({ ipAssetId: wallet(0xeeee), wallet: a, currencyToken: native }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('without deployVaults an IP has no vault: the split is recorded, payments are FAILED_PRECONDITION', async () => {
    const plain = await storyLedger({
      provider: chain.provider,
      signer: chain.accounts[4]!.privateKey,
      pollIntervalMs: 20,
    });
    try {
      const record = await plain.registerAsset({
        contentId: 'story-no-vault',
        title: 'No vault',
        contributors: [{ wallet: wallet(0xf1), type: ContributorType.AUTHOR, shareBps: 10000 }],
      });
      await until(async () =>
        (await plain.getAssetByIpId(record.ipAssetId))?.status === IpAssetStatus.REGISTERED
          ? true
          : undefined,
      );
      await expect(
        plain.payRoyalties({
          ipAssetId: record.ipAssetId,
          amountWei: 1n,
          currencyToken: '0x0000000000000000000000000000000000000000',
        }),
      ).rejects.toMatchObject({
        code: 'FAILED_PRECONDITION',
        message: expect.stringMatching(/no royalty vault/),
      });
      expect(await plain.claimableBalances(wallet(0xf1))).toEqual([]);
    } finally {
      plain.close();
    }
  });

  it('a registration the caller stopped waiting for is adopted after a restart (same journal): one IP, one NFT', async () => {
    const journal = new InMemorySubmissionJournal();
    const shared = { store: contentAddressedStore(), index: memoryContentIndex() };
    const signer = privateKeyToAccount(generatePrivateKey());
    await chain.provider.request({
      method: 'hardhat_setBalance',
      params: [signer.address, '0x3635c9adc5dea00000'],
    });
    // A custom account (as a KMS would provide): viem's toAccount over signing functions.
    const kms = toAccount({
      address: signer.address,
      signMessage: (args) => signer.signMessage(args),
      signTransaction: (tx) => signer.signTransaction(tx),
      signTypedData: (args) => signer.signTypedData(args),
    });
    const options = {
      provider: chain.provider,
      signer: kms,
      journal,
      metadataStore: shared.store,
      contentIndex: shared.index,
      pollIntervalMs: 20,
    };
    const first = await storyLedger(options);
    const input = {
      contentId: 'story-restart',
      title: 'Restart',
      contributors: [{ wallet: wallet(0x51), type: ContributorType.AUTHOR, shareBps: 10000 }],
    };
    await chain.setAutomine(false);
    try {
      await expect(first.registerAsset(input, AbortSignal.timeout(200))).rejects.toThrow();
      const pending = await first.getAssetByContentId('story-restart');
      expect(pending).toMatchObject({ status: IpAssetStatus.PENDING, ipAssetId: '' });
      await expect(first.registerAsset(input)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
      first.close();

      const second = await storyLedger({ ...options, spgNftContract: first.collection! });
      try {
        const adopted = second.registerAsset(input);
        await new Promise((r) => setTimeout(r, 100));
        await chain.mine(1);
        const record = await adopted;
        expect(record.txHash).toBe(pending!.txHash);
        expect(record.status).toBe(IpAssetStatus.PROCESSING);
        expect(record.nftTokenId).toBe('1');
        expect((await shared.index.get('story-restart'))?.ipId).toBe(record.ipAssetId);
        expect(shared.store.size).toBe(2);
        const supply = await createPublicClient({ transport: custom(chain.provider) }).readContract(
          {
            address: first.collection!,
            abi: parseAbi(['function totalSupply() view returns (uint256)']),
            functionName: 'totalSupply',
          },
        );
        expect(supply).toBe(1n);
      } finally {
        second.close();
      }
    } finally {
      await chain.setAutomine(true);
    }
  });

  it('works over HTTP JSON-RPC through the failover transport', async () => {
    // The collection's owner signs (private minting); the first ledger is idle meanwhile (two
    // ledgers sending at once from one signer would need a shared nonce lease).
    const remote = await storyLedger({
      rpcUrls: [chain.rpcUrl],
      signer: chain.accounts[1]!.privateKey,
      spgNftContract: ledger.collection!,
      pollIntervalMs: 20,
    });
    try {
      expect(remote.info().rpcEndpoint).toBe(new URL(chain.rpcUrl).origin);
      const record = await remote.registerAsset({
        contentId: 'story-http',
        title: 'Over HTTP',
        contributors: [{ wallet: wallet(0x61), type: ContributorType.AUTHOR, shareBps: 10000 }],
      });
      expect(record.ipAssetId).toMatch(/^0x[0-9a-f]{40}$/);
      await until(async () =>
        (await remote.getAssetByContentId('story-http'))?.status === IpAssetStatus.REGISTERED
          ? true
          : undefined,
      );
      expect((await remote.health()).serving).toBe(true);
    } finally {
      remote.close();
    }
  });
});
