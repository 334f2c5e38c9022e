import { type EmbeddedChain, startEmbeddedChain } from '@mystira/ledger-story/embedded';
import {
  NativeRoyaltyPolicy,
  PILFlavor,
  type StoryClient,
  WIP_TOKEN_ADDRESS,
} from '@story-protocol/core-sdk';
import {
  type Address,
  createPublicClient,
  custom,
  parseAbi,
  parseEventLogs,
  toFunctionSelector,
  zeroAddress,
} from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCollection, sdkClient } from './support/story-sdk.js';

// The unmodified Story SDK's licensing, derivative and derivative-royalty calls against the
// embedded chain: PIL terms, attaching them, license tokens, linking children to parents (with
// and without license tokens) and royalties flowing from children to ancestors through the LAP
// policy, with every wei accounted for from balances read on chain.

const registryAbi = parseAbi([
  'function getAttachedLicenseTermsCount(address) view returns (uint256)',
  'function getAttachedLicenseTerms(address, uint256) view returns (address, uint256)',
  'function getParentIpCount(address) view returns (uint256)',
  'function getParentIp(address, uint256) view returns (address)',
  'function getDerivativeIpCount(address) view returns (uint256)',
  'function getDerivativeIp(address, uint256) view returns (address)',
  'function getParentLicenseTerms(address, address) view returns (address, uint256)',
  'function isDerivativeIp(address) view returns (bool)',
  'function isParentIp(address, address) view returns (bool)',
]);
const licenseTokenAbi = parseAbi([
  'function ownerOf(uint256) view returns (address)',
  'struct Metadata { address licensorIpId; address licenseTemplate; uint256 licenseTermsId; bool transferable; uint32 commercialRevShare; }',
  'function getLicenseTokenMetadata(uint256) view returns (Metadata)',
]);
const lapAbi = parseAbi([
  'function getPolicyRoyaltyStack(address) view returns (uint32)',
  'function getPolicyRoyalty(address, address) view returns (uint32)',
  'function getTransferredTokens(address, address, address) view returns (uint256)',
]);
const erc20Abi = parseAbi(['function balanceOf(address) view returns (uint256)']);
const tokensMintedAbi = parseAbi([
  'event LicenseTokensMinted(address indexed caller, address indexed licensorIpId, address licenseTemplate, uint256 indexed licenseTermsId, uint256 amount, address receiver, uint256 startLicenseTokenId)',
]);

const ONE_IP = 10n ** 18n;
const PERCENT = 1_000_000n; // 1 % in Story's on-chain units (100 % = 100,000,000)
const WIP = WIP_TOKEN_ADDRESS;
/** Story's MERC20 test token on Aeneid: the SDK allows it there, the embedded chain does not. */
const MERC20 = '0xF2104833d386a2734a4eB3B8ad6FC6812F29E38E';
const keepAsWip = { autoTransferAllClaimedTokensFromIp: false, autoUnwrapIpTokens: false };

let chain: EmbeddedChain;
let owner: StoryClient; // publishes the parents
let remixer: StoryClient; // owns the children
let payer: StoryClient; // pays royalties
let collection: Address;
let LAP: Address;

const storyClient = (index: number): StoryClient =>
  sdkClient(chain, chain.accounts[index]!.privateKey);

/**
 * `client` claims for `claimer`, kept as WIP, the WIP revenue of `ancestorIpId`, first moving its
 * share of each of `childIpIds`' revenue out of the LAP policy into its vault.
 */
const claimFromLapChildren = (
  client: StoryClient,
  ancestorIpId: Address,
  claimer: Address,
  childIpIds: Address[],
) =>
  client.royalty.claimAllRevenue({
    ancestorIpId,
    claimer,
    childIpIds,
    royaltyPolicies: childIpIds.map(() => LAP),
    currencyTokens: [WIP],
    claimOptions: keepAsWip,
  });

const reader = () => createPublicClient({ transport: custom(chain.provider) });
const wip = (holder: Address) =>
  reader().readContract({ address: WIP, abi: erc20Abi, functionName: 'balanceOf', args: [holder] });
const registry = <F extends (typeof registryAbi)[number]['name']>(
  functionName: F,
  args: unknown[],
) =>
  reader().readContract({
    address: chain.addresses.licenseRegistry,
    abi: registryAbi,
    functionName,
    args,
  } as never) as Promise<unknown>;
const lap = (functionName: 'getPolicyRoyaltyStack' | 'getPolicyRoyalty', args: Address[]) =>
  reader().readContract({
    address: LAP,
    abi: lapAbi,
    functionName,
    args,
  } as never) as Promise<number>;
// A revert the SDK could not decode (the error is another contract's) shows as its selector.
const selector = (signature: string) => toFunctionSelector(signature);

async function mintIp(client: StoryClient): Promise<Address> {
  const { ipId } = await client.ipAsset.mintAndRegisterIp({ spgNftContract: collection });
  return ipId!;
}

// A parent owned by `owner` with commercial-remix terms (LAP, WIP) attached.
async function licensedParent(revSharePercent: number, mintingFee: bigint) {
  const parent = await mintIp(owner);
  const { licenseTermsId } = await owner.license.registerPILTerms(
    PILFlavor.commercialRemix({
      defaultMintingFee: mintingFee,
      currency: WIP,
      commercialRevShare: revSharePercent,
    }),
  );
  await owner.license.attachLicenseTerms({ ipId: parent, licenseTermsId: licenseTermsId! });
  return { parent, termsId: licenseTermsId! };
}

async function payInWip(receiverIpId: Address, amount: bigint): Promise<void> {
  await payer.wipClient.deposit({ amount });
  await payer.royalty.payRoyaltyOnBehalf({
    receiverIpId,
    payerIpId: zeroAddress,
    token: WIP,
    amount,
  });
}

beforeAll(async () => {
  chain = await startEmbeddedChain();
  owner = storyClient(0);
  remixer = storyClient(1);
  payer = storyClient(2);
  LAP = chain.addresses.royaltyPolicyLap;
  collection = await openCollection(owner);
});

afterAll(async () => {
  await chain?.close();
});

describe('Story licensing through the SDK on the embedded chain', () => {
  it('registers PIL terms (a preset once, custom terms) and reads them back; id 1 is the default', async () => {
    const remix = () =>
      PILFlavor.commercialRemix({
        defaultMintingFee: ONE_IP,
        currency: WIP,
        commercialRevShare: 10,
      });
    const first = await owner.license.registerPILTerms(remix());
    expect(first.txHash).toBeDefined();
    expect(first.licenseTermsId).toBeGreaterThan(1n);
    // Identical terms: the same id, found with getLicenseTermsId, and no transaction.
    expect(await owner.license.registerPILTerms(remix())).toEqual({
      licenseTermsId: first.licenseTermsId,
    });
    const { terms } = await owner.license.getLicenseTerms(first.licenseTermsId!);
    expect(terms).toMatchObject({
      royaltyPolicy: LAP,
      defaultMintingFee: ONE_IP,
      commercialUse: true,
      commercialRevShare: 10 * Number(PERCENT),
      derivativesAllowed: true,
      derivativesReciprocal: true,
      currency: WIP,
    });

    const custom = await owner.license.registerPILTerms({
      transferable: false,
      royaltyPolicy: NativeRoyaltyPolicy.LAP,
      defaultMintingFee: 0n,
      expiration: 0n,
      commercialUse: true,
      commercialAttribution: false,
      commercializerChecker: zeroAddress,
      commercializerCheckerData: zeroAddress,
      commercialRevShare: 25,
      commercialRevCeiling: 0n,
      derivativesAllowed: true,
      derivativesAttribution: true,
      derivativesApproval: false,
      derivativesReciprocal: false,
      derivativeRevCeiling: 0n,
      currency: WIP,
      uri: 'https://example.test/mystira-terms.json',
    });
    expect((await owner.license.getLicenseTerms(custom.licenseTermsId!)).terms).toMatchObject({
      transferable: false,
      commercialRevShare: 25 * Number(PERCENT),
      uri: 'https://example.test/mystira-terms.json',
    });

    // Id 1: Non-Commercial Social Remixing, as Story registers it. The SDK's preset fills
    // commercializerCheckerData with 20 zero bytes instead of none, so it gets an id of its own.
    expect((await owner.license.getLicenseTerms(1n)).terms).toMatchObject({
      commercialUse: false,
      derivativesAllowed: true,
      derivativesReciprocal: true,
      royaltyPolicy: zeroAddress,
    });
    const ncsr = await owner.license.registerPILTerms(PILFlavor.nonCommercialSocialRemixing());
    expect(ncsr.licenseTermsId).not.toBe(1n);
  });

  it('registers LRP terms, and refuses a currency the test contracts do not take (MERC20, which the SDK allows on Aeneid)', async () => {
    const lrp = await owner.license.registerPILTerms(
      PILFlavor.commercialRemix({
        defaultMintingFee: 0n,
        currency: WIP,
        commercialRevShare: 5,
        royaltyPolicy: NativeRoyaltyPolicy.LRP,
      }),
    );
    expect(lrp.licenseTermsId).toBeGreaterThan(1n);
    await expect(
      owner.license.registerPILTerms(
        PILFlavor.commercialRemix({
          defaultMintingFee: 0n,
          currency: MERC20,
          commercialRevShare: 5,
          royaltyPolicy: NativeRoyaltyPolicy.LAP,
        }),
      ),
    ).rejects.toThrow(/PILicenseTemplate__CurrencyTokenNotWhitelisted/);
  });

  it('attaches terms to an IP once, for its owner only, and lists them', async () => {
    const { parent, termsId } = await licensedParent(10, 0n);
    // Already attached: no transaction, success false.
    expect(
      await owner.license.attachLicenseTerms({ ipId: parent, licenseTermsId: termsId }),
    ).toEqual({ success: false });
    expect(await registry('getAttachedLicenseTermsCount', [parent])).toBe(1n);
    // No licensing configs here: the SDK reads "not set".
    expect(
      await owner.license.getLicensingConfig({ ipId: parent, licenseTermsId: termsId }),
    ).toMatchObject({ isSet: false, mintingFee: 0n, disabled: false });
    expect(await registry('getAttachedLicenseTerms', [parent, 0n])).toEqual([
      chain.addresses.piLicenseTemplate,
      termsId,
    ]);
    await expect(
      remixer.license.attachLicenseTerms({ ipId: parent, licenseTermsId: 1n }),
    ).rejects.toThrow(
      selector('AccessController__PermissionDenied(address,address,address,bytes4)'),
    );
  });

  it('mints license tokens, the minting fee going into the licensor vault (IP wrapped through Multicall3)', async () => {
    const fee = ONE_IP / 4n;
    const { parent, termsId } = await licensedParent(10, fee);
    const predicted = await remixer.license.predictMintingLicenseFee({
      licensorIpId: parent,
      licenseTermsId: termsId,
      amount: 2n,
    });
    expect(predicted).toEqual({ currencyToken: WIP, tokenAmount: 2n * fee });

    // The remixer holds no WIP: the SDK wraps IP, approves and mints in one aggregate3Value.
    const minted = await remixer.license.mintLicenseTokens({
      licensorIpId: parent,
      licenseTermsId: termsId,
      amount: 2,
    });
    expect(minted.licenseTokenIds).toHaveLength(2);
    const [event] = parseEventLogs({ abi: tokensMintedAbi, logs: minted.receipt!.logs });
    expect(event!.args).toMatchObject({ caller: chain.addresses.multicall3, amount: 2n });
    const [first, second] = minted.licenseTokenIds!;
    expect(second).toBe(first! + 1n);
    const token = (functionName: 'ownerOf' | 'getLicenseTokenMetadata', id: bigint) =>
      reader().readContract({
        address: chain.addresses.licenseToken,
        abi: licenseTokenAbi,
        functionName,
        args: [id],
      } as never) as Promise<unknown>;
    expect(await token('ownerOf', first!)).toBe(chain.accounts[1]!.address);
    expect(await token('getLicenseTokenMetadata', second!)).toEqual({
      licensorIpId: parent,
      licenseTemplate: chain.addresses.piLicenseTemplate,
      licenseTermsId: termsId,
      transferable: true,
      commercialRevShare: 10 * Number(PERCENT),
    });

    const vault = await owner.royalty.getRoyaltyVaultAddress(parent);
    expect(vault).not.toBe(zeroAddress);
    expect(await wip(vault)).toBe(2n * fee);
    expect(
      await owner.royalty.claimableRevenue({ ipId: parent, claimer: parent, token: WIP }),
    ).toBe(2n * fee);
  });

  it('registers a derivative without license tokens (fee paid by the child IP account) and reads the graph back', async () => {
    const fee = ONE_IP / 10n;
    const { parent, termsId } = await licensedParent(10, fee);
    const child = await mintIp(remixer);
    await remixer.ipAsset.registerDerivative({
      childIpId: child,
      parentIpIds: [parent],
      licenseTermsIds: [termsId],
    });

    expect(await registry('isDerivativeIp', [child])).toBe(true);
    expect(await registry('isParentIp', [parent, child])).toBe(true);
    expect(await registry('getParentIpCount', [child])).toBe(1n);
    expect(await registry('getParentIp', [child, 0n])).toBe(parent);
    expect(await registry('getDerivativeIpCount', [parent])).toBe(1n);
    expect(await registry('getDerivativeIp', [parent, 0n])).toBe(child);
    expect(await registry('getParentLicenseTerms', [child, parent])).toEqual([
      chain.addresses.piLicenseTemplate,
      termsId,
    ]);
    // The parent's terms now also license the child's own derivatives.
    expect(await registry('getAttachedLicenseTerms', [child, 0n])).toEqual([
      chain.addresses.piLicenseTemplate,
      termsId,
    ]);
    expect(await lap('getPolicyRoyaltyStack', [child])).toBe(10 * Number(PERCENT));
    expect(await lap('getPolicyRoyalty', [child, parent])).toBe(10 * Number(PERCENT));
    expect(await remixer.royalty.getRoyaltyVaultAddress(child)).not.toBe(zeroAddress);
    // The fee: wrapped and paid by the child's IP account, now in the parent's vault.
    expect(await wip(await owner.royalty.getRoyaltyVaultAddress(parent))).toBe(fee);
    expect(await wip(child)).toBe(0n);

    // What Story refuses: a second link, and terms of the child's own.
    await expect(
      remixer.ipAsset.registerDerivative({
        childIpId: child,
        parentIpIds: [parent],
        licenseTermsIds: [termsId],
      }),
    ).rejects.toThrow(selector('LicenseRegistry__DerivativeAlreadyRegistered(address)'));
    await expect(
      remixer.license.attachLicenseTerms({ ipId: child, licenseTermsId: 1n }),
    ).rejects.toThrow(selector('LicensingModule__DerivativesCannotAddLicenseTerms()'));
  });

  it('registers a derivative with license tokens: they are burned and no second fee is taken', async () => {
    const fee = ONE_IP / 10n;
    const { parent, termsId } = await licensedParent(5, fee);
    const { licenseTokenIds } = await remixer.license.mintLicenseTokens({
      licensorIpId: parent,
      licenseTermsId: termsId,
    });
    const child = await mintIp(remixer);
    await remixer.ipAsset.linkDerivative({ childIpId: child, licenseTokenIds: licenseTokenIds! });

    expect(await registry('getParentIp', [child, 0n])).toBe(parent);
    expect(await lap('getPolicyRoyalty', [child, parent])).toBe(5 * Number(PERCENT));
    await expect(
      reader().readContract({
        address: chain.addresses.licenseToken,
        abi: licenseTokenAbi,
        functionName: 'ownerOf',
        args: [licenseTokenIds![0]!],
      }),
    ).rejects.toThrow(/ERC721NonexistentToken|reverted/);
    expect(await wip(await owner.royalty.getRoyaltyVaultAddress(parent))).toBe(fee);
  });

  it("splits a child's royalty by its LAP stack; the parent's royalty-token holders claim the parent's share, to the wei", async () => {
    const fee = ONE_IP / 10n;
    const { parent, termsId } = await licensedParent(10, fee);
    // 30 % of the parent's royalty tokens go to a contributor before any revenue arrives.
    const contributor = chain.accounts[3]!.address;
    const parentVault = await chain.deployRoyaltyVault(parent);
    await owner.ipAccount.transferErc20({
      ipId: parent,
      tokens: [{ address: parentVault, amount: 30n * PERCENT, target: contributor }],
    });
    const child = await mintIp(remixer);
    await remixer.ipAsset.registerDerivative({
      childIpId: child,
      parentIpIds: [parent],
      licenseTermsIds: [termsId],
    });
    const childVault = await remixer.royalty.getRoyaltyVaultAddress(child);

    const paid = 1_234_567_890_123_456_789n;
    const lapBefore = await wip(LAP);
    await payInWip(child, paid);
    const toParents = (paid * 10n * PERCENT) / (100n * PERCENT);
    expect((await wip(LAP)) - lapBefore).toBe(toParents);
    expect(await wip(childVault)).toBe(paid - toParents);
    expect(await wip(parentVault)).toBe(fee); // the parent's share waits in the policy

    // The IP account's claim first moves the parent's share from the policy into its vault.
    const ipAccountClaim = await claimFromLapChildren(owner, parent, parent, [child]);
    const parentRevenue = fee + toParents;
    const ipAccountShare = (parentRevenue * 70n) / 100n;
    expect(ipAccountClaim.claimedTokens).toEqual([
      { claimer: parent, token: WIP, amount: ipAccountShare },
    ]);
    expect(await wip(LAP)).toBe(lapBefore);
    // The contributor claims through the same workflow: the policy owes nothing more, which
    // the workflow ignores (RoyaltyPolicyLAP__ZeroClaimableRoyalty).
    const contributorClaim = await claimFromLapChildren(storyClient(3), parent, contributor, [
      child,
    ]);
    const contributorShare = (parentRevenue * 30n) / 100n;
    expect(contributorClaim.claimedTokens?.[0]?.amount).toBe(contributorShare);
    expect(await wip(contributor)).toBe(contributorShare);
    expect(await wip(parent)).toBe(ipAccountShare);

    // Conservation: the fee and the payment are exactly the claims, what is left in the
    // parent's vault (rounding of pro-rata claims), the child's vault and the policy.
    const leftInParentVault = await wip(parentVault);
    expect(leftInParentVault).toBeLessThanOrEqual(2n);
    expect(
      ipAccountShare +
        contributorShare +
        leftInParentVault +
        (await wip(childVault)) +
        (await wip(LAP)) -
        lapBefore,
    ).toBe(fee + paid);
  });

  it('gives each ancestor its absolute share of a grandchild revenue (LAP) down a two-level tree', async () => {
    const { parent: grandparent, termsId } = await licensedParent(10, 0n);
    const parent = await mintIp(remixer);
    await remixer.ipAsset.registerDerivative({
      childIpId: parent,
      parentIpIds: [grandparent],
      licenseTermsIds: [termsId],
    });
    // The parent licenses its child under the terms it inherited.
    const childOwner = storyClient(4);
    const child = await mintIp(childOwner);
    await childOwner.ipAsset.registerDerivative({
      childIpId: child,
      parentIpIds: [parent],
      licenseTermsIds: [termsId],
    });
    // Absolute: the grandparent is owed 10 % of the child's revenue, not 10 % of the parent's 10 %.
    expect(await lap('getPolicyRoyalty', [child, grandparent])).toBe(10 * Number(PERCENT));
    expect(await lap('getPolicyRoyalty', [child, parent])).toBe(10 * Number(PERCENT));
    expect(await lap('getPolicyRoyaltyStack', [child])).toBe(20 * Number(PERCENT));

    const lapBefore = await wip(LAP);
    const toChild = 10n * ONE_IP + 7n; // odd on purpose: the policy keeps a wei of rounding
    const toParent = 4n * ONE_IP;
    await payInWip(child, toChild);
    await payInWip(parent, toParent);
    const childStackShare = (toChild * 20n) / 100n;
    expect((await wip(LAP)) - lapBefore).toBe(childStackShare + toParent / 10n);

    // Anyone may push an ancestor's share to its vault (SDK royalty.transferToVault).
    await payer.royalty.transferToVault({
      royaltyPolicy: NativeRoyaltyPolicy.LAP,
      ipId: child,
      ancestorIpId: grandparent,
      token: WIP,
    });
    const grandparentFromChild = (childStackShare * 10n) / 20n;
    const transferred = await reader().readContract({
      address: LAP,
      abi: lapAbi,
      functionName: 'getTransferredTokens',
      args: [child, grandparent, WIP],
    });
    expect(transferred).toBe(grandparentFromChild);

    // The grandparent claims from both descendants; the child's share was already moved.
    const grandparentClaim = await claimFromLapChildren(owner, grandparent, grandparent, [
      child,
      parent,
    ]);
    expect(grandparentClaim.claimedTokens?.[0]?.amount).toBe(grandparentFromChild + toParent / 10n);
    const parentClaim = await claimFromLapChildren(remixer, parent, parent, [child]);
    const parentFromChild = (childStackShare * 10n) / 20n;
    expect(parentClaim.claimedTokens?.[0]?.amount).toBe(
      parentFromChild + toParent - toParent / 10n,
    );

    const childVault = await childOwner.royalty.getRoyaltyVaultAddress(child);
    expect(await wip(childVault)).toBe(toChild - childStackShare);
    const policyRemainder = (await wip(LAP)) - lapBefore;
    expect(policyRemainder).toBe(childStackShare - grandparentFromChild - parentFromChild);
    expect(policyRemainder).toBe(1n);
    expect(
      grandparentClaim.claimedTokens![0]!.amount +
        parentClaim.claimedTokens![0]!.amount +
        (await wip(childVault)) +
        policyRemainder,
    ).toBe(toChild + toParent);
  });

  it('refuses to link a child that has minted license tokens of its own', async () => {
    const { parent, termsId } = await licensedParent(10, 0n);
    const child = await mintIp(remixer);
    await remixer.license.mintLicenseTokens({ licensorIpId: child, licenseTermsId: 1n });
    await expect(
      remixer.ipAsset.registerDerivative({
        childIpId: child,
        parentIpIds: [parent],
        licenseTermsIds: [termsId],
      }),
    ).rejects.toThrow(
      selector('LicensingModule__DerivativeAlreadyHasBeenMintedLicenseTokens(address)'),
    );
    // And a parent whose terms are not attached is refused by the SDK before sending anything.
    await expect(
      remixer.ipAsset.registerDerivative({
        childIpId: await mintIp(remixer),
        parentIpIds: [parent],
        licenseTermsIds: [1n],
      }),
    ).rejects.toThrow(/must be attached to the parent ipId/);
  });
});
