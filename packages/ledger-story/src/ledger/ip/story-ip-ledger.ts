/**
 * `StoryIpLedger`: the `IpLedger` port (collections, license terms, derivatives) on Story
 * Protocol, exposed as `StoryLedger.ip`. It is being built slice by slice; the operations not
 * built yet refuse with FAILED_PRECONDITION and say so (the port has no UNIMPLEMENTED code),
 * rather than pretend to succeed.
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
import { LedgerError } from '@mystira/chain-server';
import { Assets } from './assets.js';
import { Collections } from './collections.js';
import { type IpLedgerDeps, ipContext } from './context.js';
import { Licensing } from './licensing.js';

/** The IP ledger of one StoryLedger. */
export class StoryIpLedger implements IpLedger {
  private readonly licensing: Licensing;
  private readonly collections: Collections;
  private readonly assets: Assets;

  constructor(deps: IpLedgerDeps) {
    const ctx = ipContext(deps);
    this.licensing = new Licensing(ctx);
    this.collections = new Collections(ctx);
    this.assets = new Assets(ctx, deps, this.licensing);
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

  async mintLicenseTokens(_input: MintLicenseTokensInput): Promise<LicenseTokensRecord> {
    throw notYet('mintLicenseTokens');
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

function notYet(operation: string): LedgerError {
  return new LedgerError(
    'FAILED_PRECONDITION',
    `${operation} is not implemented by the Story ledger yet (see @mystira/ledger-story's README)`,
  );
}
