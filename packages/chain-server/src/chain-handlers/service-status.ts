/**
 * What ChainService says about itself: HealthCheck (the ledger's serving state, NOT_SERVING once
 * shutdown starts) and GetServiceInfo (version, network, contracts and the RPCs served).
 */
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  ChainService,
  HealthCheckResponse_ServingStatus,
  HealthCheckResponseSchema,
  ServiceInfoResponseSchema,
} from '@mystira/chain-protos';
import type { ChainHandlers } from '../handlers.js';
import { ipServices } from '../ip-services.js';
import type { ResolvedHandlerOptions } from './options.js';

/** The handlers of the two status RPCs. */
export type ServiceStatusHandlers = Pick<ChainHandlers, 'healthCheck' | 'getServiceInfo'>;

/** ChainService's RPCs as GetServiceInfo has always named them: bare, e.g. "RegisterIpAsset". */
const CHAIN_OPERATIONS: readonly string[] = ChainService.methods.map((m) => m.name);

/**
 * The mystira.chain.ip.v1 RPCs, listed when the ledger has `ip`: qualified by their service
 * (`mystira.chain.ip.v1.CollectionService/CreateCollection`, as gRPC and the call spans name a
 * method), since they are not ChainService's; ChainService's own keep their bare names, which
 * clients already read.
 */
const IP_OPERATIONS: readonly string[] = ipServices.flatMap((s) =>
  s.methods.map((m) => `${s.typeName}/${m.name}`),
);

/** Creates HealthCheck and GetServiceInfo over the resolved options. */
export function serviceStatusHandlers(options: ResolvedHandlerOptions): ServiceStatusHandlers {
  const { ledger, now, version, serviceName, shutdown } = options;
  return {
    async healthCheck(_req, _call) {
      const h = await ledger
        .health()
        .catch(() => ({ serving: false, details: { ledger: 'health check failed' } }));
      const serving = h.serving && !shutdown?.aborted;
      return create(HealthCheckResponseSchema, {
        status: serving
          ? HealthCheckResponse_ServingStatus.SERVING
          : HealthCheckResponse_ServingStatus.NOT_SERVING,
        version,
        timestamp: timestampFromDate(now()),
        details: { ...h.details, ...(shutdown?.aborted ? { server: 'shutting down' } : {}) },
      });
    },

    async getServiceInfo(_req, _call) {
      const info = ledger.info();
      return create(ServiceInfoResponseSchema, {
        serviceName,
        version,
        network: info.network,
        rpcEndpoint: info.rpcEndpoint,
        // A new array per response: a message is the caller's to change.
        supportedOperations: [...CHAIN_OPERATIONS, ...(ledger.ip ? IP_OPERATIONS : [])],
        contractAddresses: info.contractAddresses,
      });
    },
  };
}
