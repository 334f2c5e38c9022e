/**
 * License terms on Story: registering PIL terms (or finding identical ones), reading them, and
 * attaching them to an IP. Each write is checked with reads first, so that what the port calls
 * NOT_FOUND, FAILED_PRECONDITION or "already there" is answered without a transaction; a revert
 * found at estimation still comes back from `send` as FAILED_PRECONDITION with Story's error name.
 */
import type {
  LicenseTermsInput,
  LicenseTermsRecord,
  LicenseTermsRegistration,
  OperationRecord,
} from '@mystira/chain-server';
import { LedgerError } from '@mystira/chain-server';
import { type Address, encodeFunctionData, keccak256, parseEventLogs } from 'viem';
import { STORY_ADDRESSES } from '../../story/addresses.js';
import { lower } from '../calls.js';
import {
  ipAssetRegistryReadAbi,
  licenseRegistryAbi,
  licensingModuleAbi,
  piLicenseTemplateAbi,
} from './abis.js';
import type { IpContext } from './context.js';
import { fromPilTerms, type PilTerms, toPilTerms } from './terms.js';

const TEMPLATE = STORY_ADDRESSES.piLicenseTemplate;

/** The licensing half of the IP ledger. */
export class Licensing {
  constructor(private readonly ctx: IpContext) {}

  /**
   * Registers terms: identical terms already on chain (the template's `getLicenseTermsId`)
   * are `confirmed` with their id and no transaction; otherwise `registerLicenseTerms` is sent
   * and the id read from its `LicenseTermsRegistered` event once mined (`processing`).
   */
  async register(
    terms: LicenseTermsInput,
    signal?: AbortSignal,
  ): Promise<LicenseTermsRegistration> {
    const pil = toPilTerms(terms);
    const existing = await this.termsId(pil);
    if (existing !== 0n)
      return { state: 'confirmed', licenseTermsId: existing, terms: { ...terms } };
    const request = {
      to: TEMPLATE,
      data: encodeFunctionData({
        abi: piLicenseTemplateAbi,
        functionName: 'registerLicenseTerms',
        args: [pil],
      }),
    };
    // Keyed by the terms' encoding: a retry of the same terms adopts the same submission.
    const base = `terms:${keccak256(request.data)}`;
    const outcome = await this.ctx.write(base, request, signal);
    if (outcome.record.state === 'failed') return { ...outcome.record, terms: { ...terms } };
    const logs = outcome.receipt.logs.filter((l) => lower(l.address) === lower(TEMPLATE));
    const [event] = parseEventLogs({ abi: piLicenseTemplateAbi, logs, strict: true });
    // No event: the terms were registered by someone else between the read and the mining.
    const id = event?.args.licenseTermsId ?? (await this.termsId(pil));
    return { ...outcome.record, licenseTermsId: id, terms: { ...terms } };
  }

  /** Terms by id, read from the template; undefined when the id does not exist. */
  async get(licenseTermsId: bigint): Promise<LicenseTermsRecord | undefined> {
    if (licenseTermsId <= 0n || !(await this.exists(licenseTermsId))) return undefined;
    const pil = (await this.ctx.client.readContract({
      address: TEMPLATE,
      abi: piLicenseTemplateAbi,
      functionName: 'getLicenseTerms',
      args: [licenseTermsId],
    })) as PilTerms;
    return { licenseTermsId, terms: fromPilTerms(licenseTermsId, pil) };
  }

  /**
   * Attaches terms to an IP the signer owns: NOT_FOUND for an unregistered IP or unknown terms,
   * FAILED_PRECONDITION for a derivative (Story refuses terms of its own on one), `confirmed`
   * without a transaction when they are attached already.
   */
  async attach(
    input: { ipAssetId: string; licenseTermsId: bigint },
    signal?: AbortSignal,
  ): Promise<OperationRecord> {
    const ipId = input.ipAssetId.toLowerCase() as Address;
    const read = this.ctx.client;
    const registered = await read.readContract({
      address: STORY_ADDRESSES.ipAssetRegistry,
      abi: ipAssetRegistryReadAbi,
      functionName: 'isRegistered',
      args: [ipId],
    });
    if (!registered) throw new LedgerError('NOT_FOUND', `IP asset ${ipId} not found`);
    if (!(await this.exists(input.licenseTermsId))) {
      throw new LedgerError('NOT_FOUND', `license terms ${input.licenseTermsId} not found`);
    }
    const derivative = await read.readContract({
      address: STORY_ADDRESSES.licenseRegistry,
      abi: licenseRegistryAbi,
      functionName: 'isDerivativeIp',
      args: [ipId],
    });
    if (derivative) {
      throw new LedgerError(
        'FAILED_PRECONDITION',
        `IP asset ${ipId} is a derivative: it has its parents' license terms`,
      );
    }
    const attached = await read.readContract({
      address: STORY_ADDRESSES.licenseRegistry,
      abi: licenseRegistryAbi,
      functionName: 'hasIpAttachedLicenseTerms',
      args: [ipId, TEMPLATE, input.licenseTermsId],
    });
    if (attached) return { state: 'confirmed' };
    const request = {
      to: STORY_ADDRESSES.licensingModule,
      data: encodeFunctionData({
        abi: licensingModuleAbi,
        functionName: 'attachLicenseTerms',
        args: [ipId, TEMPLATE, input.licenseTermsId],
      }),
    };
    const outcome = await this.ctx.write(`attach:${ipId}:${input.licenseTermsId}`, request, signal);
    return outcome.record;
  }

  private termsId(pil: PilTerms): Promise<bigint> {
    return this.ctx.client.readContract({
      address: TEMPLATE,
      abi: piLicenseTemplateAbi,
      functionName: 'getLicenseTermsId',
      args: [pil],
    });
  }

  private exists(licenseTermsId: bigint): Promise<boolean> {
    return this.ctx.client.readContract({
      address: TEMPLATE,
      abi: piLicenseTemplateAbi,
      functionName: 'exists',
      args: [licenseTermsId],
    });
  }
}
