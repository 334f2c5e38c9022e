/**
 * PIL terms between the port's units and Story's `PILTerms` struct. The port's units are
 * already Story's on-chain ones (wei, seconds, revenue share in millionths of a percent), so the
 * struct is built here rather than by the SDK's `registerPILTerms`, which takes the share as a
 * percentage and would round a share such as 0.0000015 %. The fields the port leaves out
 * (commercializer checker and its data, revenue ceilings) are zero: the same encoding Story's
 * built-in Non-Commercial Social Remixing terms have, so those find id 1.
 */
import type { LicenseTermsInput, RoyaltyPolicy } from '@mystira/chain-server';
import { LedgerError } from '@mystira/chain-server';
import { type Address, zeroAddress } from 'viem';
import { STORY_ADDRESSES } from '../../story/addresses.js';

/** Story's `PILTerms`, as viem encodes and decodes it. */
export interface PilTerms {
  transferable: boolean;
  royaltyPolicy: Address;
  defaultMintingFee: bigint;
  expiration: bigint;
  commercialUse: boolean;
  commercialAttribution: boolean;
  commercializerChecker: Address;
  commercializerCheckerData: `0x${string}`;
  commercialRevShare: number;
  commercialRevCeiling: bigint;
  derivativesAllowed: boolean;
  derivativesAttribution: boolean;
  derivativesApproval: boolean;
  derivativesReciprocal: boolean;
  derivativeRevCeiling: bigint;
  currency: Address;
  uri: string;
}

const POLICY_ADDRESSES: Record<RoyaltyPolicy, Address> = {
  none: zeroAddress,
  lap: STORY_ADDRESSES.royaltyPolicyLap,
  lrp: STORY_ADDRESSES.royaltyPolicyLrp,
};

/** The struct of the port's terms. */
export function toPilTerms(terms: LicenseTermsInput): PilTerms {
  return {
    transferable: terms.transferable,
    royaltyPolicy: POLICY_ADDRESSES[terms.royaltyPolicy],
    defaultMintingFee: terms.mintingFeeWei,
    expiration: terms.expirationSeconds,
    commercialUse: terms.commercialUse,
    commercialAttribution: terms.commercialAttribution,
    commercializerChecker: zeroAddress,
    commercializerCheckerData: '0x',
    commercialRevShare: terms.commercialRevShareMicroPercent,
    commercialRevCeiling: 0n,
    derivativesAllowed: terms.derivativesAllowed,
    derivativesAttribution: terms.derivativesAttribution,
    derivativesApproval: terms.derivativesApproval,
    derivativesReciprocal: terms.derivativesReciprocal,
    derivativeRevCeiling: 0n,
    currency: terms.currencyToken as Address,
    uri: terms.termsUri,
  };
}

/**
 * The port's terms of a struct read from the chain. Terms registered by someone else with a
 * policy the port has no name for are refused (FAILED_PRECONDITION) rather than misreported.
 */
export function fromPilTerms(id: bigint, terms: PilTerms): LicenseTermsInput {
  const policy = (Object.keys(POLICY_ADDRESSES) as RoyaltyPolicy[]).find(
    (p) => POLICY_ADDRESSES[p].toLowerCase() === terms.royaltyPolicy.toLowerCase(),
  );
  if (policy === undefined) {
    throw new LedgerError(
      'FAILED_PRECONDITION',
      `license terms ${id} use royalty policy ${terms.royaltyPolicy}, which the port cannot express`,
    );
  }
  return {
    transferable: terms.transferable,
    royaltyPolicy: policy,
    mintingFeeWei: terms.defaultMintingFee,
    expirationSeconds: terms.expiration,
    commercialUse: terms.commercialUse,
    commercialAttribution: terms.commercialAttribution,
    commercialRevShareMicroPercent: terms.commercialRevShare,
    derivativesAllowed: terms.derivativesAllowed,
    derivativesAttribution: terms.derivativesAttribution,
    derivativesApproval: terms.derivativesApproval,
    derivativesReciprocal: terms.derivativesReciprocal,
    currencyToken: terms.currency.toLowerCase(),
    termsUri: terms.uri,
  };
}
