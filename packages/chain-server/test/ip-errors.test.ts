/**
 * How the IpLedger port's refusals and failures reach a client of the mystira.chain.ip.v1
 * services, as for ChainService: LedgerError codes become the same gRPC codes with their message,
 * any other error is INTERNAL without its message (reported to onInternalError), and a
 * transaction that failed on chain is an answer with status FAILED, not an error.
 */
import { Code, ConnectError } from '@connectrpc/connect';
import { OperationStatus } from '@mystira/chain-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unique } from './helpers.js';
import {
  commercialRemix,
  type IpRunning,
  ipClients,
  mintAndRegister,
  startIpServer,
} from './support/ip-server.js';

const internalErrors: [unknown, string][] = [];
let r: IpRunning;
beforeAll(async () => {
  r = await startIpServer({ onInternalError: (e, method) => internalErrors.push([e, method]) });
});
afterAll(() => r.close());

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected an error');
    },
    (e: unknown) => ConnectError.from(e),
  );

describe.each(['grpc', 'connect-json'] as const)('%s', (protocol) => {
  it('maps ALREADY_EXISTS, NOT_FOUND, FAILED_PRECONDITION and UNAVAILABLE with their messages', async () => {
    const { assets, licensing } = ipClients(protocol, r.baseUrl);
    const first = await assets.mintAndRegisterIpAsset(mintAndRegister());
    const again = await failure(
      assets.mintAndRegisterIpAsset(mintAndRegister(first.contentId, unique('key'))),
    );
    expect([again.code, again.rawMessage]).toEqual([
      Code.AlreadyExists,
      `content ${first.contentId} is registered`,
    ]);

    const noCollection = await failure(
      assets.mintAndRegisterIpAsset({
        ...mintAndRegister(),
        collectionAddress: `0x${'7'.repeat(40)}`,
      }),
    );
    expect(noCollection.code).toBe(Code.NotFound);

    // Terms not attached to the licensor: the port refuses, nothing is minted.
    const terms = await licensing.registerLicenseTerms(commercialRemix());
    const notAttached = await failure(
      licensing.mintLicenseTokens({
        licensorIpAssetId: first.ipAssetId as string,
        licenseTermsId: terms.licenseTermsId as string,
        amount: 1,
        idempotencyKey: unique('mint'),
      }),
    );
    expect([notAttached.code, notAttached.rawMessage]).toEqual([
      Code.FailedPrecondition,
      'terms not attached',
    ]);

    const down = await failure(assets.mintAndRegisterIpAsset(mintAndRegister(unique('down'))));
    expect([down.code, down.rawMessage]).toEqual([Code.Unavailable, 'node down']);
  });

  it('hides any other error as INTERNAL and reports its cause', async () => {
    const { assets } = ipClients(protocol, r.baseUrl);
    const before = internalErrors.length;
    const boom = await failure(assets.mintAndRegisterIpAsset(mintAndRegister(unique('boom'))));
    expect([boom.code, boom.rawMessage]).toEqual([Code.Internal, 'internal error']);
    expect(internalErrors.length).toBe(before + 1);
    const [cause, method] = internalErrors.at(-1) ?? [];
    expect((cause as Error).message).toBe('secret detail of a bug');
    expect(method).toBe('mintAndRegisterIpAsset');
  });

  it('answers a transaction that failed on chain as status FAILED with its reason', async () => {
    const { assets } = ipClients(protocol, r.baseUrl);
    const res = await assets.mintAndRegisterIpAsset(mintAndRegister(unique('fail')));
    expect(res.status).toBe(OperationStatus.FAILED);
    expect(res.errorMessage).toBe('execution reverted');
    expect(res.transactionHash).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('lets an empty receiver stand for the signing wallet, as the ledger reports it', async () => {
    const { assets, licensing } = ipClients(protocol, r.baseUrl);
    const asset = await assets.mintAndRegisterIpAsset(mintAndRegister());
    const terms = await licensing.registerLicenseTerms(commercialRemix());
    await licensing.attachLicenseTerms({
      ipAssetId: asset.ipAssetId as string,
      licenseTermsId: terms.licenseTermsId as string,
      idempotencyKey: unique('attach'),
    });
    const tokens = await licensing.mintLicenseTokens({
      licensorIpAssetId: asset.ipAssetId as string,
      licenseTermsId: terms.licenseTermsId as string,
      amount: 1,
      idempotencyKey: unique('mint'),
    });
    expect(tokens.receiverAddress).toMatch(/^0x[0-9a-f]{40}$/);
  });
});
