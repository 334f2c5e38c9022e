/**
 * An in-memory fake of the `mystira.chain.ip.v1` services (CollectionService, LicensingService,
 * IpAssetService) for the client's tests. It keeps just enough state to answer like the contract
 * says — idempotency keys (same key and request: the first outcome; a different request:
 * ALREADY_EXISTS), NOT_FOUND for unknown things, FAILED_PRECONDITION for the chain's refusals,
 * INVALID_ARGUMENT with a google.rpc.BadRequest naming fields by proto path — and records what
 * arrived (`ObservedCall`, shared with fake-chain.ts) and takes the same fault hook.
 */
import { createHash } from 'node:crypto';
import { create, type MessageInitShape, toJsonString } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from '@connectrpc/connect';
import {
  AttachedLicenseTermsSchema,
  type CollectionSchema,
  CollectionService,
  DerivativeLinkSchema,
  type IpAsset,
  IpAssetSchema,
  IpAssetService,
  type LicenseTerms,
  LicenseTermsSchema,
  LicensingService,
  type MetadataInput,
  OperationStatus,
  RoyaltyPolicy,
} from '@mystira/chain-protos';
import { BadRequestSchema } from '@mystira/chain-protos/google-rpc';
import {
  type FakeOptions,
  fakeRoutes,
  type ObservedCall,
  type RunningServer,
  serve,
} from './fake-chain.js';

/** The time every fake block has, so tests can compare Dates exactly. */
export const IP_BLOCK_TIME = new Date('2026-03-04T05:06:07.089Z');
/** Story's WIP token, the currency of commercial terms. */
export const WIP = '0x1514000000000000000000000000000000000000';
const ZERO = `0x${'0'.repeat(40)}`;
const SIGNER = `0x${'5'.repeat(40)}`;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const HASH = /^0x[0-9a-fA-F]{64}$/;
const PIL_URI = 'https://github.com/piplabs/pil-document/blob/main/off-chain-terms/';

const hex = (text: string) => createHash('sha256').update(text).digest('hex');
const txHash = (text: string) => `0x${hex(`tx:${text}`)}`;
const address = (prefix: string, n: number) => `0x${prefix}${n.toString(16).padStart(38, '0')}`;

export function badRequest(...violations: [field: string, description: string][]): ConnectError {
  return new ConnectError(
    `invalid ${violations.map(([f]) => f).join(', ')}`,
    Code.InvalidArgument,
    undefined,
    [
      {
        desc: BadRequestSchema,
        value: {
          fieldViolations: violations.map(([field, description]) => ({ field, description })),
        },
      },
    ],
  );
}

/** Story's PIL flavors, as the server expands a preset. */
function presetTerms(
  kind: 'ncsr' | 'use' | 'remix',
  fee = '',
  currency = '',
  policy = RoyaltyPolicy.UNSPECIFIED,
  share = 0,
): LicenseTerms {
  const commercial = kind !== 'ncsr';
  const derivatives = kind !== 'use';
  return create(LicenseTermsSchema, {
    transferable: true,
    royaltyPolicy: commercial ? policy || RoyaltyPolicy.LAP : RoyaltyPolicy.NONE,
    mintingFeeWei: fee || '0',
    commercialUse: commercial,
    commercialAttribution: commercial,
    commercialRevShareMicroPercent: kind === 'remix' ? share : 0,
    derivativesAllowed: derivatives,
    derivativesAttribution: derivatives,
    derivativesReciprocal: derivatives,
    currencyToken: commercial ? currency.toLowerCase() : ZERO,
    termsUri: PIL_URI,
  });
}

/** The PIL rules the contract states on LicenseTerms, as violations under `prefix`. */
function checkTerms(t: LicenseTerms, prefix: string): [string, string][] {
  const bad: [string, string][] = [];
  if (!/^(0|[1-9][0-9]*)$/.test(t.mintingFeeWei || '0'))
    bad.push([`${prefix}minting_fee_wei`, 'must be a decimal integer']);
  if (t.commercialRevShareMicroPercent > 100_000_000)
    bad.push([`${prefix}commercial_rev_share_micro_percent`, 'must be at most 100000000']);
  if (t.commercialUse && !ADDRESS.test(t.currencyToken))
    bad.push([`${prefix}currency_token`, 'must be 0x followed by 40 hex digits']);
  if (!t.commercialUse && t.commercialRevShareMicroPercent > 0)
    bad.push([`${prefix}commercial_rev_share_micro_percent`, 'must be 0 without commercial use']);
  return bad;
}

export function fakeIpRoutes(opts: Pick<FakeOptions, 'fault'>, observed: ObservedCall[]) {
  const calls = new Map<string, number>();
  const observe = async (method: string, ctx: HandlerContext, idempotencyKey?: string) => {
    const n = (calls.get(method) ?? 0) + 1;
    calls.set(method, n);
    observed.push({
      method,
      headers: new Headers(ctx.requestHeader),
      idempotencyKey,
      timeoutMs: ctx.timeoutMs(),
    });
    await opts.fault?.(method, ctx, n);
  };
  // Idempotency: one outcome per (method, key); the fingerprint is the request without its key.
  const outcomes = new Map<string, { fingerprint: string; outcome: unknown }>();
  async function once<T>(
    method: string,
    key: string,
    fingerprint: string,
    run: () => T,
  ): Promise<T> {
    if (!key) return run();
    const prev = outcomes.get(`${method}|${key}`);
    if (prev && prev.fingerprint !== fingerprint)
      throw new ConnectError('idempotency key reused with a different request', Code.AlreadyExists);
    if (prev) return prev.outcome as T;
    const outcome = run();
    outcomes.set(`${method}|${key}`, { fingerprint, outcome });
    return outcome;
  }

  const collections = new Map<string, MessageInitShape<typeof CollectionSchema>>();
  const terms: LicenseTerms[] = []; // id = index + 1
  const assets = new Map<string, IpAsset>();
  let tokens = 0n;
  const at = () => timestampFromDate(IP_BLOCK_TIME);
  const termsById = (id: string): LicenseTerms => {
    const t = /^[1-9][0-9]*$/.test(id) ? terms[Number(id) - 1] : undefined;
    if (!t) throw new ConnectError(`license terms ${id} not found`, Code.NotFound);
    return t;
  };
  const assetById = (id: string): IpAsset => {
    const a = assets.get(id.toLowerCase());
    if (!a) throw new ConnectError(`IP asset ${id} not found`, Code.NotFound);
    return a;
  };
  const metadata = (m: MetadataInput | undefined, field: string) => {
    if (m?.source.case === 'json')
      return {
        uri: `ipfs://fake-${hex(m.source.value).slice(0, 16)}`,
        hash: `0x${hex(m.source.value)}`,
        json: m.source.value,
      };
    if (m?.source.case === 'reference') {
      if (!HASH.test(m.source.value.hash))
        throw badRequest([`${field}.reference.hash`, 'must be 0x followed by 64 hex digits']);
      return { uri: m.source.value.uri, hash: m.source.value.hash };
    }
    return undefined;
  };

  return (router: ConnectRouter) => {
    router.service(CollectionService, {
      async createCollection(req, ctx) {
        await observe('CreateCollection', ctx, req.idempotencyKey);
        const bad: [string, string][] = [];
        if (!req.name) bad.push(['name', 'must not be empty']);
        if (!req.symbol) bad.push(['symbol', 'must not be empty']);
        if (bad.length) throw badRequest(...bad);
        return once(
          'CreateCollection',
          req.idempotencyKey,
          `${req.name}|${req.symbol}|${req.contractUri}|${req.maxSupply}`,
          () => {
            const collectionAddress = address('c0', collections.size + 1);
            collections.set(collectionAddress, {
              collectionAddress,
              name: req.name,
              symbol: req.symbol,
              contractUri: req.contractUri,
              maxSupply: req.maxSupply ?? 4294967295,
              mintOpen: true,
              mintFeeWei: '0',
              mintFeeToken: ZERO,
              ownerAddress: SIGNER,
              status: OperationStatus.CONFIRMED,
              transactionHash: txHash(collectionAddress),
              createdAt: at(),
            });
            return {
              status: OperationStatus.PROCESSING,
              transactionHash: txHash(collectionAddress),
              collectionAddress,
              createdAt: at(),
            };
          },
        );
      },
      async getCollection(req, ctx) {
        await observe('GetCollection', ctx);
        const collection = collections.get(req.collectionAddress.toLowerCase());
        if (!collection)
          throw new ConnectError(`no collection at ${req.collectionAddress}`, Code.NotFound);
        return { collection };
      },
    });

    router.service(LicensingService, {
      async registerLicenseTerms(req, ctx) {
        await observe('RegisterLicenseTerms', ctx, req.idempotencyKey);
        const t = req.terms;
        let wanted: LicenseTerms;
        let prefix = '';
        if (t.case === 'nonCommercialSocialRemixing') wanted = presetTerms('ncsr');
        else if (t.case === 'commercialUse') {
          prefix = 'commercial_use.';
          wanted = presetTerms(
            'use',
            t.value.mintingFeeWei,
            t.value.currencyToken,
            t.value.royaltyPolicy,
          );
        } else if (t.case === 'commercialRemix') {
          prefix = 'commercial_remix.';
          const v = t.value;
          wanted = presetTerms(
            'remix',
            v.mintingFeeWei,
            v.currencyToken,
            v.royaltyPolicy,
            v.commercialRevShareMicroPercent,
          );
        } else if (t.case === 'custom') {
          prefix = 'custom.';
          wanted = create(LicenseTermsSchema, {
            ...t.value,
            mintingFeeWei: t.value.mintingFeeWei || '0',
          });
        } else throw badRequest(['terms', 'exactly one of the presets or custom must be set']);
        const bad = checkTerms(wanted, prefix);
        if (bad.length) throw badRequest(...bad);
        const fingerprint = toJsonString(LicenseTermsSchema, wanted);
        return once('RegisterLicenseTerms', req.idempotencyKey, fingerprint, () => {
          const existing = terms.findIndex(
            (x) => toJsonString(LicenseTermsSchema, x) === fingerprint,
          );
          if (existing >= 0)
            return {
              status: OperationStatus.CONFIRMED,
              licenseTermsId: String(existing + 1),
              terms: wanted,
            };
          terms.push(wanted);
          const id = String(terms.length);
          return {
            status: OperationStatus.PROCESSING,
            transactionHash: txHash(`terms:${id}`),
            licenseTermsId: id,
            terms: wanted,
          };
        });
      },
      async getLicenseTerms(req, ctx) {
        await observe('GetLicenseTerms', ctx);
        return { licenseTermsId: req.licenseTermsId, terms: termsById(req.licenseTermsId) };
      },
      async attachLicenseTerms(req, ctx) {
        await observe('AttachLicenseTerms', ctx, req.idempotencyKey);
        const asset = assetById(req.ipAssetId);
        const t = termsById(req.licenseTermsId);
        if (asset.parents.length > 0)
          throw new ConnectError('a derivative has its parents’ terms', Code.FailedPrecondition);
        return once(
          'AttachLicenseTerms',
          req.idempotencyKey,
          `${req.ipAssetId}|${req.licenseTermsId}`,
          () => {
            const reply = { ipAssetId: req.ipAssetId, licenseTermsId: req.licenseTermsId };
            if (asset.licenseTerms.some((a) => a.licenseTermsId === req.licenseTermsId))
              return { ...reply, status: OperationStatus.CONFIRMED };
            asset.licenseTerms.push(
              create(AttachedLicenseTermsSchema, { licenseTermsId: req.licenseTermsId, terms: t }),
            );
            return {
              ...reply,
              status: OperationStatus.PROCESSING,
              transactionHash: txHash(`attach:${req.ipAssetId}:${req.licenseTermsId}`),
            };
          },
        );
      },
      async mintLicenseTokens(req, ctx) {
        await observe('MintLicenseTokens', ctx, req.idempotencyKey);
        if (req.amount < 1) throw badRequest(['amount', 'must be at least 1']);
        const asset = assetById(req.licensorIpAssetId);
        const t = termsById(req.licenseTermsId);
        if (!asset.licenseTerms.some((a) => a.licenseTermsId === req.licenseTermsId))
          throw new ConnectError(
            'the terms are not attached to the asset',
            Code.FailedPrecondition,
          );
        const fee = BigInt(t.mintingFeeWei) * BigInt(req.amount);
        if (req.maxMintingFeeWei !== undefined && fee > BigInt(req.maxMintingFeeWei))
          throw new ConnectError(
            `the fee ${fee} exceeds max_minting_fee_wei`,
            Code.FailedPrecondition,
          );
        const fingerprint = `${req.licensorIpAssetId}|${req.licenseTermsId}|${req.amount}|${req.receiverAddress}`;
        return once('MintLicenseTokens', req.idempotencyKey, fingerprint, () => {
          const ids = Array.from({ length: req.amount }, () => String(++tokens));
          return {
            licensorIpAssetId: req.licensorIpAssetId,
            licenseTermsId: req.licenseTermsId,
            status: OperationStatus.PROCESSING,
            transactionHash: txHash(`tokens:${ids[0]}`),
            licenseTokenIds: ids,
            receiverAddress: req.receiverAddress || SIGNER,
            mintingFeePaidWei: fee.toString(),
          };
        });
      },
    });

    router.service(IpAssetService, {
      async mintAndRegisterIpAsset(req, ctx) {
        await observe('MintAndRegisterIpAsset', ctx, req.idempotencyKey);
        const bad: [string, string][] = [];
        if (!req.contentId) bad.push(['content_id', 'must not be empty']);
        req.royaltyShares.forEach((s, i) => {
          if (!ADDRESS.test(s.walletAddress))
            bad.push([
              `royalty_shares[${i}].wallet_address`,
              'must be 0x followed by 40 hex digits',
            ]);
        });
        const sum = req.royaltyShares.reduce((n, s) => n + s.shareBasisPoints, 0);
        if (sum !== 10000) bad.push(['royalty_shares', `shares sum to ${sum}, not 10000`]);
        if (bad.length) throw badRequest(...bad);
        const ipMetadata = metadata(req.ipMetadata, 'ip_metadata');
        const nftMetadata = metadata(req.nftMetadata, 'nft_metadata');
        const parents = req.parents.map((p) => ({ parent: assetById(p.ipAssetId), link: p }));
        for (const { parent, link } of parents) {
          const attached = parent.licenseTerms.find(
            (a) => a.licenseTermsId === link.licenseTermsId,
          );
          if (!attached?.terms?.derivativesAllowed)
            throw new ConnectError(
              `terms ${link.licenseTermsId} of ${link.ipAssetId} do not allow derivatives here`,
              Code.FailedPrecondition,
            );
        }
        const fingerprint = toJsonString(
          IpAssetSchema,
          create(IpAssetSchema, {
            contentId: req.contentId,
            royaltyShares: req.royaltyShares,
            parents: req.parents,
          }),
        );
        return once('MintAndRegisterIpAsset', req.idempotencyKey, fingerprint, () => {
          if ([...assets.values()].some((a) => a.contentId === req.contentId))
            throw new ConnectError(
              `content ${req.contentId} is registered already`,
              Code.AlreadyExists,
            );
          const ipAssetId = address('a5', assets.size + 1);
          const asset = create(IpAssetSchema, {
            ipAssetId,
            contentId: req.contentId,
            status: OperationStatus.PROCESSING,
            transactionHash: txHash(ipAssetId),
            collectionAddress: req.collectionAddress || address('c0', 0),
            nftTokenId: String(assets.size + 1),
            ownerAddress: SIGNER,
            ipMetadata,
            nftMetadata,
            royaltyShares: req.royaltyShares,
            parents: req.parents,
            licenseTerms: parents.map(
              ({ parent, link }) =>
                parent.licenseTerms.find((a) => a.licenseTermsId === link.licenseTermsId)!,
            ),
            registeredAt: at(),
          });
          assets.set(ipAssetId, asset);
          for (const { parent, link } of parents) {
            parent.children.push(
              create(DerivativeLinkSchema, { ipAssetId, licenseTermsId: link.licenseTermsId }),
            );
            parent.childCount++;
          }
          return {
            contentId: req.contentId,
            status: OperationStatus.PROCESSING,
            transactionHash: asset.transactionHash,
            ipAssetId,
            collectionAddress: asset.collectionAddress,
            nftTokenId: asset.nftTokenId,
            ipMetadata,
            nftMetadata,
            parents: req.parents,
            registeredAt: at(),
          };
        });
      },
      async getIpAsset(req, ctx) {
        await observe('GetIpAsset', ctx);
        const a = req.asset;
        if (a.case === 'ipAssetId') return { ipAsset: assetById(a.value) };
        if (a.case === 'contentId') {
          const found = [...assets.values()].find((x) => x.contentId === a.value);
          if (!found) throw new ConnectError(`content ${a.value} is not registered`, Code.NotFound);
          return { ipAsset: found };
        }
        throw badRequest(['asset', 'exactly one of ip_asset_id or content_id must be set']);
      },
    });
  };
}

/** Serves the fake ChainService and the fake IP services together on one port, as the server does. */
export async function serveFakeWithIp(
  opts: FakeOptions = {},
  serverOptions: Parameters<typeof serve>[1] = {},
): Promise<RunningServer> {
  const observed = serverOptions.observed ?? [];
  const chain = fakeRoutes(opts, observed);
  const ip = fakeIpRoutes(opts, observed);
  return serve(
    (router) => {
      chain(router);
      ip(router);
    },
    { ...serverOptions, observed },
  );
}
