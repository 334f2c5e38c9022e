/**
 * What the `ip:` cases get besides {@link Ctx}: the ledger's IP port and helpers bound to it.
 * A write of the port answers only once its transaction is in a block, so on a chain that mines
 * when told to, every write is awaited while the chain is advanced ({@link IpCtx.written}).
 */
import assert from 'node:assert/strict';
import { IpAssetStatus } from '@mystira/chain-protos';
import type {
  DerivativeLink,
  IpAssetRecord,
  IpLedger,
  LedgerError,
  LicenseTermsInput,
  OperationRecord,
  Split,
} from '@mystira/chain-server';
import type { CaseDefinition, Ctx } from './context.js';
import { ADDRESS, assertLedgerError, TX_HASH } from './expect.js';
import { typeOf } from './values.js';

/** An asset a case registered, with the split it gave it. */
export interface IpAsset {
  readonly ipAssetId: string;
  readonly record: IpAssetRecord;
  readonly splits: readonly Split[];
}

/** What registering an asset in a case may ask for. */
export interface IpAssetOptions {
  /** The shares of new wallets, in basis points (default one wallet with all of it). */
  shares?: readonly number[];
  parents?: readonly DerivativeLink[];
  collection?: string;
  contentId?: string;
  maxMintingFeeWei?: bigint;
  maxRevenueShareMicroPercent?: number;
}

export interface IpCtx {
  readonly ip: IpLedger;
  /** Awaits a write, advancing the chain until it answers (bounded by the wait timeout). */
  written<T>(what: string, write: Promise<T>): Promise<T>;
  /** Awaits a write that must be refused with `code` (advancing the chain meanwhile). */
  refusesWrite(write: Promise<unknown>, code: LedgerError['code'], what: string): Promise<void>;
  /** Asserts a write's answer: in a block (processing or confirmed) with its hash; returns it. */
  sent(record: OperationRecord, what: string): string;
  /** A label no other case (nor this one) uses, e.g. for the URI of terms that must be new. */
  label(what: string): string;
  /** Registers terms (or finds identical ones) and returns their id. */
  termsId(terms: LicenseTermsInput, what: string): Promise<bigint>;
  /** Attaches terms to an asset (or finds them attached) and returns the link to derive under. */
  attach(ipAssetId: string, licenseTermsId: bigint): Promise<DerivativeLink>;
  /** Mints and registers an asset with new wallets and content id. */
  asset(options?: IpAssetOptions): Promise<IpAsset>;
  /** Waits until the assets are final (REGISTERED on the `Ledger` port), so they can be paid. */
  final(ipAssetIds: readonly string[]): Promise<void>;
}

/** A case of the IP port: it runs only when the harness's ledger has `ip`. */
export function ipCase(name: string, run: (ctx: Ctx, ip: IpCtx) => Promise<void>): CaseDefinition {
  return {
    name,
    async run(ctx) {
      const ip = ctx.ledger.ip;
      if (ip === undefined) return;
      await run(ctx, ipContext(ctx, ip));
    },
  };
}

/** Awaits a write, advancing the chain until it answers (bounded by the wait timeout). */
async function answerOf<T>(ctx: Ctx, what: string, write: Promise<T>): Promise<T> {
  let outcome: { value: T } | { error: unknown } | undefined;
  write.then(
    (value) => {
      outcome = { value };
    },
    (error: unknown) => {
      outcome = { error };
    },
  );
  const answer = await ctx.eventually(`${what}: answered`, async () => outcome);
  if ('error' in answer) throw answer.error;
  return answer.value;
}

function ipContext(ctx: Ctx, ip: IpLedger): IpCtx {
  const ipCtx: IpCtx = {
    ip,
    written: (what, write) => answerOf(ctx, what, write),
    async refusesWrite(write, code, what) {
      try {
        await ipCtx.written(what, write);
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        assertLedgerError(err, code, what);
        return;
      }
      assert.fail(`${what}: expected LedgerError ${code}, but it resolved`);
    },
    sent(record, what) {
      assert.notEqual(record.state, 'failed', `${what} failed: ${record.errorMessage}`);
      assert.ok(
        record.state === 'processing' || record.state === 'confirmed',
        `${what}: a write answers once in a block (processing or confirmed), not ${record.state}`,
      );
      assert.match(record.txHash ?? '', TX_HASH, `${what}: the hash of its transaction`);
      return record.txHash as string;
    },
    label: (what) => `${ctx.contentId()}-${what}`,
    async termsId(terms, what) {
      const r = await ipCtx.written(what, ip.registerLicenseTerms(terms));
      if (r.txHash === undefined) assert.equal(r.state, 'confirmed', `${what}: existing terms`);
      else ipCtx.sent(r, what);
      assert.ok(
        r.licenseTermsId !== undefined && r.licenseTermsId > 0n,
        `${what}: a positive id, got ${r.licenseTermsId}`,
      );
      return r.licenseTermsId;
    },
    async attach(ipAssetId, licenseTermsId) {
      const what = `attach terms ${licenseTermsId} to ${ipAssetId}`;
      const r = await ipCtx.written(what, ip.attachLicenseTerms({ ipAssetId, licenseTermsId }));
      if (r.txHash === undefined) assert.equal(r.state, 'confirmed', `${what}: attached already`);
      else ipCtx.sent(r, what);
      return { ipAssetId, licenseTermsId };
    },
    async asset(options = {}) {
      const splits: Split[] = [];
      for (const [i, shareBps] of (options.shares ?? [10000]).entries()) {
        splits.push({ wallet: await ctx.wallet(), type: typeOf(i), shareBps });
      }
      const contentId = options.contentId ?? ctx.contentId();
      const what = `mintAndRegisterIpAsset ${contentId}`;
      const record = await ipCtx.written(
        what,
        ip.mintAndRegisterIpAsset({
          contentId,
          ...(options.collection !== undefined && { collection: options.collection }),
          royaltyShares: splits,
          parents: [...(options.parents ?? [])],
          ...(options.maxMintingFeeWei !== undefined && {
            maxMintingFeeWei: options.maxMintingFeeWei,
          }),
          ...(options.maxRevenueShareMicroPercent !== undefined && {
            maxRevenueShareMicroPercent: options.maxRevenueShareMicroPercent,
          }),
        }),
      );
      ipCtx.sent(record, what);
      assert.equal(record.contentId, contentId, `${what}: its content id`);
      assert.match(record.ipAssetId, ADDRESS, `${what}: its IP id, a lower-case address`);
      assert.match(record.collection, ADDRESS, `${what}: its collection`);
      assert.ok(record.nftTokenId.length > 0, `${what}: its NFT's id`);
      return { ipAssetId: record.ipAssetId, record, splits };
    },
    async final(ipAssetIds) {
      await ctx.until(`${ipAssetIds.length} asset(s) REGISTERED`, async () => {
        for (const id of ipAssetIds) {
          const a = await ctx.ledger.getAssetByIpId(id);
          assert.ok(a, `getAssetByIpId(${id}) finds an asset the IP port registered`);
          assert.notEqual(a.status, IpAssetStatus.FAILED, `${id} failed: ${a.errorMessage}`);
          if (a.status !== IpAssetStatus.REGISTERED) return false;
        }
        return true;
      });
    },
  };
  return ipCtx;
}
