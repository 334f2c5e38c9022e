/**
 * `StoryIpLedger`: the `IpLedger` port (collections, license terms, license tokens, derivatives)
 * on Story Protocol, exposed as `StoryLedger.ip`: one class per part, sharing the ledger's
 * submitter, journal and content-id registry. Payments and claims stay with the `Ledger` port.
 */
import type {
  CollectionRecord,
  CreateCollectionInput,
  IpAssetRecord,
  IpLedger,
  LicenseTermsInput,
  LicenseTermsRecord,
  LicenseTermsRegistration,
  LicenseTokensRecord,
  MintAndRegisterInput,
  MintLicenseTokensInput,
  OperationRecord,
} from '@mystira/chain-server';
import { Assets } from './assets.js';
import { Collections } from './collections.js';
import { type IpLedgerDeps, ipContext } from './context.js';
import { Derivatives } from './derivatives.js';
import { LicenseTokens } from './license-tokens.js';
import { Licensing } from './licensing.js';

/** The IP ledger of one StoryLedger. */
export class StoryIpLedger implements IpLedger {
  private readonly licensing: Licensing;
  private readonly collections: Collections;
  private readonly assets: Assets;
  private readonly tokens: LicenseTokens;

  constructor(deps: IpLedgerDeps) {
    const ctx = ipContext(deps);
    this.licensing = new Licensing(ctx);
    this.collections = new Collections(ctx);
    this.tokens = new LicenseTokens(ctx, this.licensing);
    this.assets = new Assets(ctx, deps, this.licensing, new Derivatives(ctx, this.licensing));
  }

  registerLicenseTerms(
    terms: LicenseTermsInput,
    signal?: AbortSignal,
  ): Promise<LicenseTermsRegistration> {
    return this.licensing.register(terms, signal);
  }

  getLicenseTerms(licenseTermsId: bigint): Promise<LicenseTermsRecord | undefined> {
    return this.licensing.get(licenseTermsId);
  }

  attachLicenseTerms(
    input: { ipAssetId: string; licenseTermsId: bigint },
    signal?: AbortSignal,
  ): Promise<OperationRecord> {
    return this.licensing.attach(input, signal);
  }

  createCollection(input: CreateCollectionInput, signal?: AbortSignal): Promise<CollectionRecord> {
    return this.collections.create(input, signal);
  }

  getCollection(address: string): Promise<CollectionRecord | undefined> {
    return this.collections.get(address);
  }

  mintLicenseTokens(
    input: MintLicenseTokensInput,
    signal?: AbortSignal,
  ): Promise<LicenseTokensRecord> {
    return this.tokens.mint(input, signal);
  }

  mintAndRegisterIpAsset(
    input: MintAndRegisterInput,
    signal?: AbortSignal,
  ): Promise<IpAssetRecord> {
    return this.assets.mintAndRegister(input, signal);
  }

  getIpAsset(
    by: { ipAssetId: string } | { contentId: string },
  ): Promise<IpAssetRecord | undefined> {
    return this.assets.get(by);
  }
}
