/**
 * What the devnet knows of IP assets beyond the `Ledger` port's records: their collection and
 * metadata, the license terms attached to them, and the derivative graph (parents and children)
 * that royalties flow along. Every asset of the registry is an IP asset here, including those
 * `registerAsset` made (minted in the devnet's own collection, nothing attached).
 */
import { IpAssetStatus } from '@mystira/chain-protos';
import type { DerivativeLink, LicenseTermsInput, MetadataRecord } from '../ip-ledger.js';
import { type AssetRecord, LedgerError } from '../ledger.js';
import { DEVNET_COLLECTION } from './collections.js';
import type { DevnetHost } from './host.js';
import type { LicenseTermsBook } from './license-terms.js';
import type { RoyaltyPart } from './royalty-book.js';
import { aboveHundredPercent, divide, owedToAncestors, type ParentLink } from './royalty-flow.js';

/** The IP side of one asset. */
export interface IpState {
  collection: string;
  ipMetadata?: MetadataRecord;
  nftMetadata?: MetadataRecord;
  /** Attached terms, in attachment order (a derivative's: those it was derived under). */
  licenseTermsIds: bigint[];
  parents: DerivativeLink[];
  children: DerivativeLink[];
}

/** A minting fee a derivative's registration pays one parent. */
export interface ParentFee {
  parent: string;
  amountWei: bigint;
  currencyToken: string;
}

/** What registering as a derivative asks for. */
export interface DerivativeRequest {
  parents: readonly DerivativeLink[];
  maxMintingFeeWei?: bigint;
  maxRevenueShareMicroPercent?: number;
}

/** A stand-in id for an asset being checked before it has one. */
const NEW_ASSET = 'new asset';

export class IpGraph {
  /** Keyed by the registry's live record, so an asset is found before it has an IP id. */
  private readonly states = new WeakMap<AssetRecord, IpState>();

  constructor(
    private readonly host: DevnetHost,
    private readonly terms: LicenseTermsBook,
  ) {}

  /** The IP side of an asset (created on first use for one `registerAsset` made). */
  of(asset: AssetRecord): IpState {
    let state = this.states.get(asset);
    if (!state) {
      state = { collection: DEVNET_COLLECTION, licenseTermsIds: [], parents: [], children: [] };
      this.states.set(asset, state);
    }
    return state;
  }

  /** Enters the IP side of an asset `ip.mintAndRegisterIpAsset` is registering. */
  add(asset: AssetRecord, state: IpState): void {
    this.states.set(asset, state);
  }

  /**
   * An asset that is in a block and did not fail: NOT_FOUND when unknown, FAILED_PRECONDITION
   * when its registration is not in a block yet or failed.
   */
  included(ipAssetId: string): AssetRecord {
    const asset = this.host.assetByIp(ipAssetId);
    if (!asset) throw new LedgerError('NOT_FOUND', `IP asset ${ipAssetId} not found`);
    if (asset.status === IpAssetStatus.PENDING || asset.status === IpAssetStatus.FAILED) {
      throw new LedgerError(
        'FAILED_PRECONDITION',
        `IP asset ${ipAssetId} is not registered (status ${IpAssetStatus[asset.status]})`,
      );
    }
    return asset;
  }

  /** Registered terms by id: NOT_FOUND when there are none. */
  knownTerms(licenseTermsId: bigint): LicenseTermsInput {
    const terms = this.terms.get(licenseTermsId);
    if (!terms) throw new LedgerError('NOT_FOUND', `license terms ${licenseTermsId} not found`);
    return terms;
  }

  /**
   * Checks, as a chain's gas estimation would, that an asset may be registered as a derivative
   * of `request.parents`, and returns the minting fee each parent is paid. Throws NOT_FOUND
   * for an unknown parent or terms, FAILED_PRECONDITION for terms not attached to the parent,
   * terms that forbid derivatives or need an approval, fees or shares past the limits, or a
   * royalty stack above 100 %.
   */
  checkDerivative(request: DerivativeRequest): ParentFee[] {
    const fees: ParentFee[] = [];
    const links: ParentLink[] = [];
    let totalFee = 0n;
    const seen = new Set<string>();
    for (const { ipAssetId, licenseTermsId } of request.parents) {
      const parent = this.included(ipAssetId);
      const terms = this.knownTerms(licenseTermsId);
      const refuse = (why: string) => {
        throw new LedgerError('FAILED_PRECONDITION', `parent ${parent.ipAssetId}: ${why}`);
      };
      if (seen.has(parent.ipAssetId)) refuse('listed twice');
      seen.add(parent.ipAssetId);
      if (!this.of(parent).licenseTermsIds.includes(licenseTermsId)) {
        refuse(`license terms ${licenseTermsId} are not attached to it`);
      }
      if (!terms.derivativesAllowed) refuse(`license terms ${licenseTermsId} forbid derivatives`);
      if (terms.derivativesApproval) {
        refuse(`license terms ${licenseTermsId} need the licensor's approval of each derivative`);
      }
      const max = request.maxRevenueShareMicroPercent;
      if (max !== undefined && terms.commercialRevShareMicroPercent > max) {
        refuse(
          `revenue share ${terms.commercialRevShareMicroPercent} exceeds the maximum ${max} (millionths of a percent)`,
        );
      }
      totalFee += terms.mintingFeeWei;
      fees.push({
        parent: parent.ipAssetId,
        amountWei: terms.mintingFeeWei,
        currencyToken: terms.currencyToken,
      });
      links.push(this.linkOf(parent.ipAssetId, licenseTermsId));
    }
    if (request.maxMintingFeeWei !== undefined && totalFee > request.maxMintingFeeWei) {
      throw new LedgerError(
        'FAILED_PRECONDITION',
        `minting fees of ${totalFee} wei exceed the maximum ${request.maxMintingFeeWei}`,
      );
    }
    const owed = owedToAncestors(NEW_ASSET, (ip) =>
      ip === NEW_ASSET ? links : this.parentLinks(ip),
    );
    if (aboveHundredPercent(owed)) {
      throw new LedgerError(
        'FAILED_PRECONDITION',
        'the royalty stack would exceed 100 % (the revenue shares owed to all ancestors)',
      );
    }
    return fees.filter((f) => f.amountWei > 0n);
  }

  /** Links a derivative, now in a block, to its parents: it takes their terms. */
  link(child: AssetRecord, parents: readonly DerivativeLink[]): void {
    const state = this.of(child);
    for (const { ipAssetId, licenseTermsId } of parents) {
      state.parents.push({ ipAssetId, licenseTermsId });
      if (!state.licenseTermsIds.includes(licenseTermsId))
        state.licenseTermsIds.push(licenseTermsId);
      const parent = this.host.assetByIp(ipAssetId) as AssetRecord;
      this.of(parent).children.push({ ipAssetId: child.ipAssetId, licenseTermsId });
    }
  }

  /** How `amountWei` paid to an asset is divided between it and its ancestors. */
  divide(ipAssetId: string, amountWei: bigint): RoyaltyPart[] {
    return divide(
      amountWei,
      ipAssetId,
      owedToAncestors(ipAssetId, (ip) => this.parentLinks(ip)),
    );
  }

  private parentLinks(ipAssetId: string): ParentLink[] {
    const asset = this.host.assetByIp(ipAssetId);
    if (!asset) return [];
    return this.of(asset).parents.map((p) => this.linkOf(p.ipAssetId, p.licenseTermsId));
  }

  private linkOf(parent: string, licenseTermsId: bigint): ParentLink {
    const terms = this.knownTerms(licenseTermsId);
    return {
      parent,
      policy: terms.royaltyPolicy,
      shareMicroPercent: terms.commercialRevShareMicroPercent,
    };
  }
}
