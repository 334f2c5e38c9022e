/**
 * The mystira.chain.ip.v1 services on a Connect router: the handlers when the ledger has an `ip`
 * port, otherwise every method answers UNIMPLEMENTED saying why (rather than the router's bare
 * "not found" for an unknown path), so a client can tell "this server's ledger cannot do it"
 * from "wrong address".
 */
import type { DescService } from '@bufbuild/protobuf';
import { Code, ConnectError, type ConnectRouter, type ServiceImpl } from '@connectrpc/connect';
import { CollectionService, IpAssetService, LicensingService } from '@mystira/chain-protos';
import { callContextOf } from './handlers.js';
import type { IpHandlers } from './ip-handlers.js';

/** The three services of mystira.chain.ip.v1, as reflection and health name them. */
export const ipServices: readonly DescService[] = [
  CollectionService,
  LicensingService,
  IpAssetService,
];

/** The Connect implementations of the three services over {@link IpHandlers}. */
export function ipServiceImpls(h: IpHandlers): {
  /** CollectionService. */
  collection: ServiceImpl<typeof CollectionService>;
  /** LicensingService. */
  licensing: ServiceImpl<typeof LicensingService>;
  /** IpAssetService. */
  ipAsset: ServiceImpl<typeof IpAssetService>;
} {
  return {
    collection: {
      createCollection: (req, ctx) => h.createCollection(req, callContextOf(ctx)),
      getCollection: (req, ctx) => h.getCollection(req, callContextOf(ctx)),
    },
    licensing: {
      registerLicenseTerms: (req, ctx) => h.registerLicenseTerms(req, callContextOf(ctx)),
      getLicenseTerms: (req, ctx) => h.getLicenseTerms(req, callContextOf(ctx)),
      attachLicenseTerms: (req, ctx) => h.attachLicenseTerms(req, callContextOf(ctx)),
      mintLicenseTokens: (req, ctx) => h.mintLicenseTokens(req, callContextOf(ctx)),
    },
    ipAsset: {
      mintAndRegisterIpAsset: (req, ctx) => h.mintAndRegisterIpAsset(req, callContextOf(ctx)),
      getIpAsset: (req, ctx) => h.getIpAsset(req, callContextOf(ctx)),
    },
  };
}

/** Every method of `service` answering UNIMPLEMENTED with the reason. */
function unimplemented(service: DescService): ServiceImpl<DescService> {
  const fail = (): never => {
    throw new ConnectError(
      `${service.typeName} is not available: this server's ledger does not support the ` +
        'mystira.chain.ip.v1 operations (Ledger.ip is not set)',
      Code.Unimplemented,
    );
  };
  return Object.fromEntries(
    service.methods.map((m) => [m.localName, fail]),
  ) as unknown as ServiceImpl<DescService>;
}

/** Registers the three services: served by `handlers`, or UNIMPLEMENTED when there are none. */
export function registerIpServices(router: ConnectRouter, handlers: IpHandlers | undefined): void {
  if (!handlers) {
    for (const service of ipServices) router.service(service, unimplemented(service));
    return;
  }
  const impl = ipServiceImpls(handlers);
  router.service(CollectionService, impl.collection);
  router.service(LicensingService, impl.licensing);
  router.service(IpAssetService, impl.ipAsset);
}
