/**
 * License tokens: `LicensingModule.mintLicenseTokens` sent by the signer, who pays the minting
 * fee (terms' fee × amount, wrapped to WIP first). Checked with reads before anything is sent:
 * an unknown licensor or terms is NOT_FOUND; terms not attached to the licensor (Story would let
 * its owner mint them anyway; the port does not), a fee or revenue share past the caller's limits,
 * or a fee in another currency than WIP are FAILED_PRECONDITION.
 */
import type { LicenseTokensRecord, MintLicenseTokensInput } from '@mystira/chain-server';
import { LedgerError } from '@mystira/chain-server';
import { type Address, encodeFunctionData, parseAbi, parseEventLogs } from 'viem';
import { STORY_ADDRESSES } from '../../story/addresses.js';
import { lower } from '../calls.js';
import { ipAssetRegistryReadAbi, licenseRegistryAbi } from './abis.js';
import { type IpContext, writeKey } from './context.js';
import { fundWipFee } from './fees.js';
import type { Licensing } from './licensing.js';

const mintAbi = parseAbi([
  'function mintLicenseTokens(address licensorIpId, address licenseTemplate, uint256 licenseTermsId, uint256 amount, address receiver, bytes royaltyContext, uint256 maxMintingFee, uint32 maxRevenueShare) returns (uint256 startLicenseTokenId)',
  'event LicenseTokensMinted(address indexed caller, address indexed licensorIpId, address licenseTemplate, uint256 indexed licenseTermsId, uint256 amount, address receiver, uint256 startLicenseTokenId)',
]);

/** The license-token half of the IP ledger. */
export class LicenseTokens {
  constructor(
    private readonly ctx: IpContext,
    private readonly licensing: Licensing,
  ) {}

  /** Mints, resolving once in a block with the token ids and the fee paid (or `failed`). */
  async mint(input: MintLicenseTokensInput, signal?: AbortSignal): Promise<LicenseTokensRecord> {
    const licensor = input.licensorIpAssetId.toLowerCase() as Address;
    const registered = await this.ctx.client.readContract({
      address: STORY_ADDRESSES.ipAssetRegistry,
      abi: ipAssetRegistryReadAbi,
      functionName: 'isRegistered',
      args: [licensor],
    });
    if (!registered) throw new LedgerError('NOT_FOUND', `IP asset ${licensor} not found`);
    const record = await this.licensing.get(input.licenseTermsId);
    if (record === undefined) {
      throw new LedgerError('NOT_FOUND', `license terms ${input.licenseTermsId} not found`);
    }
    const refuse = (why: string) => {
      throw new LedgerError('FAILED_PRECONDITION', why);
    };
    const attached = await this.ctx.client.readContract({
      address: STORY_ADDRESSES.licenseRegistry,
      abi: licenseRegistryAbi,
      functionName: 'hasIpAttachedLicenseTerms',
      args: [licensor, STORY_ADDRESSES.piLicenseTemplate, input.licenseTermsId],
    });
    if (!attached) refuse(`license terms ${input.licenseTermsId} are not attached to ${licensor}`);
    const terms = record.terms;
    const fee = terms.mintingFeeWei * BigInt(input.amount);
    if (input.maxMintingFeeWei !== undefined && fee > input.maxMintingFeeWei) {
      refuse(`the minting fee (${fee} wei) is above the limit of ${input.maxMintingFeeWei} wei`);
    }
    const maxShare = input.maxRevenueShareMicroPercent;
    if (maxShare !== undefined && terms.commercialRevShareMicroPercent > maxShare) {
      refuse(
        `revenue share ${terms.commercialRevShareMicroPercent} is above the limit ${maxShare}`,
      );
    }
    if (fee > 0n && terms.currencyToken !== lower(STORY_ADDRESSES.wrappedIp)) {
      refuse(`a minting fee in ${terms.currencyToken} cannot be paid: the ledger pays in WIP only`);
    }
    // No receiver: the ledger's own wallet, as the port says.
    const receiver = lower((input.receiver || this.ctx.signer) as Address);
    // Minting the same tokens twice is two mints: keyed by the caller's idempotency key (a retry
    // finds the transactions), else keys of their own.
    const key = writeKey(`license-tokens:${licensor}`, input);
    await fundWipFee(this.ctx, fee, key);
    const outcome = await this.ctx.write(
      key,
      {
        to: STORY_ADDRESSES.licensingModule,
        data: encodeFunctionData({
          abi: mintAbi,
          functionName: 'mintLicenseTokens',
          args: [
            licensor,
            STORY_ADDRESSES.piLicenseTemplate,
            input.licenseTermsId,
            BigInt(input.amount),
            receiver,
            '0x',
            0n, // the limits were checked above
            0,
          ],
        }),
      },
      signal,
    );
    const base = {
      ...outcome.record,
      licensorIpAssetId: licensor,
      licenseTermsId: input.licenseTermsId,
      receiver,
    };
    if (outcome.record.state === 'failed') return { ...base, tokenIds: [] };
    const logs = outcome.receipt.logs.filter(
      (l) => lower(l.address) === lower(STORY_ADDRESSES.licensingModule),
    );
    const [event] = parseEventLogs({ abi: mintAbi, logs, strict: true });
    if (event === undefined) throw new Error('the mint reported no LicenseTokensMinted event');
    const start = event.args.startLicenseTokenId;
    const tokenIds = Array.from({ length: input.amount }, (_, i) => start + BigInt(i));
    return { ...base, tokenIds, mintingFeePaidWei: fee };
  }
}
