/**
 * Derivatives on Story without the periphery's DerivativeWorkflows (the embedded chain has no
 * double of it): the child is minted and registered like an original, then linked to its parents
 * with `LicensingModule.registerDerivative`, sent by the signer who owns the child, BEFORE its
 * royalty shares are given out: linking deploys the child's royalty vault (Story refuses to link
 * an IP that already has one), and the shares are royalty tokens of that vault. Everything Story
 * would refuse is checked with reads before anything is sent, so a refused derivative registers
 * nothing: an unknown parent or terms is NOT_FOUND; terms not attached to the parent, terms that
 * forbid derivatives or need the licensor's approval, a revenue share or total minting fee past
 * the caller's limits are FAILED_PRECONDITION.
 */
import type { DerivativeLink, MintAndRegisterInput } from '@mystira/chain-server';
import { LedgerError } from '@mystira/chain-server';
import { type Address, encodeFunctionData, parseAbi } from 'viem';
import { STORY_ADDRESSES } from '../../story/addresses.js';
import { lower } from '../calls.js';
import { ipAssetRegistryReadAbi, licenseRegistryAbi } from './abis.js';
import type { IpContext } from './context.js';
import { fundWipFee, step } from './fees.js';
import { parentLinks } from './graph.js';
import type { Licensing } from './licensing.js';
import { stackIfLinked } from './royalty-stack.js';

const registerDerivativeAbi = parseAbi([
  'function registerDerivative(address childIpId, address[] parentIpIds, uint256[] licenseTermsIds, address licenseTemplate, bytes royaltyContext, uint256 maxMintingFee, uint32 maxRts, uint32 maxRevenueShare)',
]);

/** A derivative's parents, checked: what linking costs, in which currencies. */
export interface CheckedParents {
  parents: DerivativeLink[];
  /** The minting fees per currency (lower-case address), one token per parent. */
  fees: Map<string, bigint>;
}

/** Derivative checks and links of one ledger. */
export class Derivatives {
  constructor(
    private readonly ctx: IpContext,
    private readonly licensing: Licensing,
  ) {}

  /** Checks `input.parents` as Story would, before anything is sent. */
  async check(input: MintAndRegisterInput): Promise<CheckedParents> {
    const fees = new Map<string, bigint>();
    const parents = input.parents.map((p) => ({ ...p, ipAssetId: p.ipAssetId.toLowerCase() }));
    for (const parent of parents) {
      const ip = parent.ipAssetId as Address;
      const registered = await this.ctx.client.readContract({
        address: STORY_ADDRESSES.ipAssetRegistry,
        abi: ipAssetRegistryReadAbi,
        functionName: 'isRegistered',
        args: [ip],
      });
      if (!registered) throw new LedgerError('NOT_FOUND', `parent IP asset ${ip} not found`);
      const record = await this.licensing.get(parent.licenseTermsId);
      if (record === undefined) {
        throw new LedgerError('NOT_FOUND', `license terms ${parent.licenseTermsId} not found`);
      }
      const refuse = (why: string) => {
        throw new LedgerError('FAILED_PRECONDITION', `parent ${ip}: ${why}`);
      };
      const attached = await this.ctx.client.readContract({
        address: STORY_ADDRESSES.licenseRegistry,
        abi: licenseRegistryAbi,
        functionName: 'hasIpAttachedLicenseTerms',
        args: [ip, STORY_ADDRESSES.piLicenseTemplate, parent.licenseTermsId],
      });
      if (!attached) refuse(`license terms ${parent.licenseTermsId} are not attached to it`);
      const terms = record.terms;
      if (!terms.derivativesAllowed)
        refuse(`license terms ${parent.licenseTermsId} forbid derivatives`);
      if (terms.derivativesApproval) {
        refuse(
          `license terms ${parent.licenseTermsId} need the licensor's approval of each derivative`,
        );
      }
      const maxShare = input.maxRevenueShareMicroPercent;
      if (maxShare !== undefined && terms.commercialRevShareMicroPercent > maxShare) {
        refuse(
          `revenue share ${terms.commercialRevShareMicroPercent} is above the limit ${maxShare} (millionths of a percent)`,
        );
      }
      if (terms.mintingFeeWei > 0n) {
        const currency = terms.currencyToken.toLowerCase();
        fees.set(currency, (fees.get(currency) ?? 0n) + terms.mintingFeeWei);
      }
    }
    const links = async (from: readonly DerivativeLink[]) =>
      Promise.all(
        from.map(async (link) => {
          const terms = (await this.licensing.get(link.licenseTermsId))?.terms;
          return {
            parent: link.ipAssetId,
            policy: terms?.royaltyPolicy ?? 'none',
            shareMicroPercent: terms?.commercialRevShareMicroPercent ?? 0,
          };
        }),
      );
    const stack = await stackIfLinked(await links(parents), async (ip) =>
      links(await parentLinks(this.ctx.client, ip as Address)),
    );
    if (stack.exceedsHundredPercent) {
      throw new LedgerError(
        'FAILED_PRECONDITION',
        `the derivative would owe its ancestors ${stack.percent} % of its revenue (its royalty stack), above 100 %`,
      );
    }
    const total = [...fees.values()].reduce((a, b) => a + b, 0n);
    if (input.maxMintingFeeWei !== undefined && total > input.maxMintingFeeWei) {
      throw new LedgerError(
        'FAILED_PRECONDITION',
        `the minting fees (${total} wei) are above the limit of ${input.maxMintingFeeWei} wei`,
      );
    }
    for (const currency of fees.keys()) {
      if (currency !== lower(STORY_ADDRESSES.wrappedIp)) {
        throw new LedgerError(
          'FAILED_PRECONDITION',
          `minting fees in ${currency} cannot be paid: the ledger pays in WIP only`,
        );
      }
    }
    return { parents, fees };
  }

  /**
   * Links `childIpId` to its checked parents: wraps and approves the WIP the minting fees take
   * (the LicensingModule charges the caller), then `registerDerivative`. Throws when a step
   * reverts; the limits were checked, so the call passes none (0: no limit).
   */
  async link(childIpId: Address, checked: CheckedParents): Promise<void> {
    const child = lower(childIpId);
    const fee = checked.fees.get(lower(STORY_ADDRESSES.wrappedIp)) ?? 0n;
    await fundWipFee(this.ctx, fee, `derive:${child}`);
    await step(this.ctx, `derive:${child}:link`, {
      to: STORY_ADDRESSES.licensingModule,
      data: encodeFunctionData({
        abi: registerDerivativeAbi,
        functionName: 'registerDerivative',
        args: [
          childIpId,
          checked.parents.map((p) => p.ipAssetId as Address),
          checked.parents.map((p) => p.licenseTermsId),
          STORY_ADDRESSES.piLicenseTemplate,
          '0x',
          0n,
          0,
          0,
        ],
      }),
    });
  }
}
