import { type EmbeddedChain, startEmbeddedChain } from '@mystira/ledger-story/embedded';
import { type StoryClient, WIP_TOKEN_ADDRESS } from '@story-protocol/core-sdk';
import {
  type Address,
  createPublicClient,
  createWalletClient,
  custom,
  type Hex,
  hexToBigInt,
  hexToString,
  keccak256,
  pad,
  parseAbi,
  parseEventLogs,
  stringToHex,
  toHex,
  zeroAddress,
  zeroHash,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCollection, sdkClient } from './support/story-sdk.js';

// The unmodified Story SDK against the embedded chain: every call below goes through the SDK's
// own ABIs, addresses and receipt parsing, so a mismatch in the test contracts fails here.

const ipAccountAbi = parseAbi([
  'function owner() view returns (address)',
  'function getBytes(bytes32 namespace, bytes32 key) view returns (bytes)',
  'function getBytes32(bytes32 namespace, bytes32 key) view returns (bytes32)',
]);
const ipRegisteredAbi = parseAbi([
  'event IPRegistered(address ipId, uint256 indexed chainId, address indexed tokenContract, uint256 indexed tokenId, string name, string uri, uint256 registrationDate)',
]);
const erc20Abi = parseAbi(['function balanceOf(address) view returns (uint256)']);

const key = (name: string): Hex => pad(stringToHex(name), { dir: 'right', size: 32 });
const ONE_IP = 10n ** 18n;

let chain: EmbeddedChain;
let client: StoryClient;
let collection: Address;

const storyClient = (privateKey: Hex): StoryClient => sdkClient(chain, privateKey);

function reader() {
  return createPublicClient({ transport: custom(chain.provider) });
}

async function mintIp(): Promise<Address> {
  const { ipId } = await client.ipAsset.mintAndRegisterIp({ spgNftContract: collection });
  return ipId!;
}

beforeAll(async () => {
  chain = await startEmbeddedChain();
  client = storyClient(chain.accounts[0]!.privateKey);
  collection = await openCollection(client);
});

afterAll(async () => {
  await chain?.close();
});

describe('the Story SDK on the embedded chain', () => {
  it('creates an SPG NFT collection', async () => {
    expect(collection).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const name = await reader().readContract({
      address: collection,
      abi: parseAbi(['function name() view returns (string)']),
      functionName: 'name',
    });
    expect(name).toBe('Mystira Stories');
  });

  it('mints and registers an IP with all four metadata fields, readable back on chain', async () => {
    const ipMetadata = {
      ipMetadataURI: 'https://ipfs.io/ipfs/ip-metadata',
      ipMetadataHash: keccak256(toHex('ip metadata')),
      nftMetadataURI: 'https://ipfs.io/ipfs/nft-metadata',
      nftMetadataHash: keccak256(toHex('nft metadata')),
    };
    const result = await client.ipAsset.mintAndRegisterIp({
      spgNftContract: collection,
      ipMetadata,
    });
    const ipId = result.ipId!;
    expect(await client.ipAsset.isRegistered(ipId)).toBe(true);

    const publicClient = reader();
    const owner = await publicClient.readContract({
      address: ipId,
      abi: ipAccountAbi,
      functionName: 'owner',
    });
    expect(owner).toBe(chain.accounts[0]!.address);
    const ns = pad(chain.addresses.coreMetadataModule);
    const read = (functionName: 'getBytes' | 'getBytes32', name: string) =>
      publicClient.readContract({
        address: ipId,
        abi: ipAccountAbi,
        functionName,
        args: [ns, key(name)],
      });
    expect(hexToString((await read('getBytes', 'METADATA_URI')) as Hex)).toBe(
      ipMetadata.ipMetadataURI,
    );
    expect(await read('getBytes32', 'METADATA_HASH')).toBe(ipMetadata.ipMetadataHash);
    expect(hexToString((await read('getBytes', 'NFT_TOKEN_URI')) as Hex)).toBe(
      ipMetadata.nftMetadataURI,
    );
    expect(await read('getBytes32', 'NFT_METADATA_HASH')).toBe(ipMetadata.nftMetadataHash);

    const [registered] = parseEventLogs({ abi: ipRegisteredAbi, logs: result.receipt!.logs });
    expect(registered!.args).toMatchObject({
      ipId,
      chainId: 1315n,
      tokenContract: collection,
      tokenId: result.tokenId,
      name: `1315: Mystira Stories #${result.tokenId}`,
      uri: ipMetadata.nftMetadataURI,
    });
    expect(await client.ipAccount.getToken(ipId)).toMatchObject({
      chainId: 1315n,
      tokenContract: collection,
    });
  });

  it('registers an NFT minted outside the workflow, with metadata (the signature path) and without', async () => {
    const wallet = createWalletClient({
      transport: custom(chain.provider),
      account: privateKeyToAccount(chain.accounts[0]!.privateKey),
    });
    const mintAbi = parseAbi(['function mint(address,string,bytes32,bool) returns (uint256)']);
    const mint = async () => {
      const hash = await wallet.writeContract({
        address: collection,
        abi: mintAbi,
        functionName: 'mint',
        args: [chain.accounts[0]!.address, 'https://example.test/nft.json', zeroHash, true],
        chain: null,
      });
      const receipt = await reader().waitForTransactionReceipt({ hash, pollingInterval: 10 });
      return hexToBigInt(receipt.logs[0]!.topics[3]!);
    };

    const withMetadata = await mint();
    const registered = await client.ipAsset.register({
      nftContract: collection,
      tokenId: withMetadata,
      ipMetadata: {
        ipMetadataURI: 'https://example.test/ip.json',
        ipMetadataHash: keccak256(toHex('ip')),
      },
    });
    expect(await client.ipAsset.isRegistered(registered.ipId!)).toBe(true);
    const uri = await reader().readContract({
      address: registered.ipId!,
      abi: ipAccountAbi,
      functionName: 'getBytes',
      args: [pad(chain.addresses.coreMetadataModule), key('METADATA_URI')],
    });
    expect(hexToString(uri)).toBe('https://example.test/ip.json');

    const plain = await client.ipAsset.register({ nftContract: collection, tokenId: await mint() });
    expect(await client.ipAsset.isRegistered(plain.ipId!)).toBe(true);
    // Registering again is a no-op that returns the same ipId without a transaction.
    const again = await client.ipAsset.register({ nftContract: collection, tokenId: withMetadata });
    expect(again).toMatchObject({ ipId: registered.ipId });
    expect(again.txHash).toBeUndefined();
  });

  it('surfaces a revert with its custom error name (no vault to pay into)', async () => {
    const ipId = await mintIp();
    const pay = {
      receiverIpId: ipId,
      payerIpId: zeroAddress,
      token: WIP_TOKEN_ADDRESS,
      amount: 1n,
    };
    await client.wipClient.deposit({ amount: 1n });
    await expect(client.royalty.payRoyaltyOnBehalf(pay)).rejects.toThrow(
      /RoyaltyModule__ZeroReceiverVault\(\)/,
    );
    // Through Multicall3 (no WIP to spend), the name is lost, as with the real Multicall3.
    await client.wipClient.withdraw({ amount: 1n });
    await expect(client.royalty.payRoyaltyOnBehalf(pay)).rejects.toThrow(/Multicall3: call failed/);
  });

  it('pays royalties in WIP (wrapped through Multicall3, then from a WIP balance) and claims them', async () => {
    const ipId = await mintIp();
    const vault = await chain.deployRoyaltyVault(ipId);
    expect(await client.royalty.getRoyaltyVaultAddress(ipId)).toBe(vault);

    // No WIP yet: the SDK wraps IP, approves and pays in one Multicall3.aggregate3Value call.
    await client.royalty.payRoyaltyOnBehalf({
      receiverIpId: ipId,
      payerIpId: zeroAddress,
      token: WIP_TOKEN_ADDRESS,
      amount: ONE_IP,
    });
    // Without Multicall3: deposit, approve and pay as separate transactions.
    await client.royalty.payRoyaltyOnBehalf({
      receiverIpId: ipId,
      payerIpId: zeroAddress,
      token: WIP_TOKEN_ADDRESS,
      amount: ONE_IP,
      options: { wipOptions: { useMulticallWhenPossible: false } },
    });
    // With WIP already in the wallet: approve (already done) and pay.
    await client.wipClient.deposit({ amount: ONE_IP });
    await client.royalty.payRoyaltyOnBehalf({
      receiverIpId: ipId,
      payerIpId: zeroAddress,
      token: WIP_TOKEN_ADDRESS,
      amount: ONE_IP,
    });

    expect(
      await client.royalty.claimableRevenue({ ipId, claimer: ipId, token: WIP_TOKEN_ADDRESS }),
    ).toBe(3n * ONE_IP);

    const wallet = chain.accounts[0]!.address;
    const before = await reader().getBalance({ address: wallet });
    const claim = await client.royalty.claimAllRevenue({
      ancestorIpId: ipId,
      claimer: ipId,
      childIpIds: [],
      royaltyPolicies: [],
      currencyTokens: [WIP_TOKEN_ADDRESS],
    });
    expect(claim.claimedTokens).toEqual([
      { claimer: ipId, token: WIP_TOKEN_ADDRESS, amount: 3n * ONE_IP },
    ]);
    // Claimed into the IP account, moved to the owner's wallet and unwrapped to native IP.
    const after = await reader().getBalance({ address: wallet });
    expect(after - before).toBeGreaterThan(3n * ONE_IP - ONE_IP / 100n);
    expect(
      await client.royalty.claimableRevenue({ ipId, claimer: ipId, token: WIP_TOKEN_ADDRESS }),
    ).toBe(0n);
  });

  it('keeps revenue received before a royalty-token transfer with the sender (revenue debt)', async () => {
    const ipId = await mintIp();
    const vault = await chain.deployRoyaltyVault(ipId);
    const pay = (amount: bigint) =>
      client.royalty.payRoyaltyOnBehalf({
        receiverIpId: ipId,
        payerIpId: zeroAddress,
        token: WIP_TOKEN_ADDRESS,
        amount,
      });
    const claimable = (claimer: Address) =>
      client.royalty.claimableRevenue({ ipId, claimer, token: WIP_TOKEN_ADDRESS });
    const contributor = chain.accounts[1]!.address;

    await pay(100n * ONE_IP);
    // 40 % of the royalty tokens (6 decimals, 100,000,000 in all) leave the IP account.
    await client.ipAccount.transferErc20({
      ipId,
      tokens: [{ address: vault, amount: 40_000_000n, target: contributor }],
    });
    const rts = await reader().readContract({
      address: vault,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [contributor],
    });
    expect(rts).toBe(40_000_000n);
    expect(await claimable(ipId)).toBe(100n * ONE_IP);
    expect(await claimable(contributor)).toBe(0n);

    await pay(10n * ONE_IP);
    expect(await claimable(ipId)).toBe(106n * ONE_IP);
    expect(await claimable(contributor)).toBe(4n * ONE_IP);

    // The contributor claims with their own wallet, straight from the vault through the workflow.
    const contributorClient = storyClient(chain.accounts[1]!.privateKey);
    const claim = await contributorClient.royalty.claimAllRevenue({
      ancestorIpId: ipId,
      claimer: contributor,
      childIpIds: [],
      royaltyPolicies: [],
      currencyTokens: [WIP_TOKEN_ADDRESS],
      claimOptions: { autoUnwrapIpTokens: false },
    });
    expect(claim.claimedTokens?.[0]?.amount).toBe(4n * ONE_IP);
    const wip = await reader().readContract({
      address: WIP_TOKEN_ADDRESS,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [contributor],
    });
    expect(wip).toBe(4n * ONE_IP);
    expect(await claimable(contributor)).toBe(0n);
  });
});
