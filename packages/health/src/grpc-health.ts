import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type ConnectRouter, type ServiceImpl } from '@connectrpc/connect';
import {
  Health,
  type HealthCheckResponse,
  HealthCheckResponse_ServingStatus,
  HealthCheckResponseSchema,
  HealthListResponseSchema,
} from './gen/grpc/health/v1/health_pb.js';
import type { HealthRegistry, HealthStatus } from './registry.js';

/** Options of {@link createGrpcHealthService} and {@link grpcHealthRoutes}. */
export interface GrpcHealthOptions {
  /**
   * Tags of the registry checks that decide the overall (`""`) status while it is not set by hand
   * on the status board. Default `['ready']`: a gRPC probe is a readiness question.
   */
  overallTags?: readonly string[];
  /**
   * Which report statuses count as SERVING for `""`. Default: `healthy` and `degraded` (a
   * degraded server still takes traffic; only `unhealthy` is NOT_SERVING).
   */
  servingWhen?: readonly HealthStatus[];
  /**
   * Services whose status is derived from registry checks (while not set by hand), as service name
   * to check tags, e.g. `{ 'mystira.chain.v1.ChainService': ['ledger'] }`: SERVING when the checks
   * with those tags report a status in `servingWhen`. Other services are only what was set.
   */
  serviceTags?: Readonly<Record<string, readonly string[]>>;
  /** How often an open Watch on a derived service re-runs its checks to notice changes. Default 5000 ms. */
  watchIntervalMs?: number;
}

type StatusValue = HealthCheckResponse_ServingStatus;

const toEnum = {
  UNKNOWN: HealthCheckResponse_ServingStatus.UNKNOWN,
  SERVING: HealthCheckResponse_ServingStatus.SERVING,
  NOT_SERVING: HealthCheckResponse_ServingStatus.NOT_SERVING,
} as const;

/**
 * The grpc.health.v1 Health implementation over a registry, for hosts that register services
 * themselves (`router.service(Health, createGrpcHealthService(registry))`).
 *
 * - A service's status is what was set on `registry.statusBoard` (`setServiceStatus`).
 * - `""` (the server as a whole) is the board's `""` entry when set (e.g. NOT_SERVING after
 *   `statusBoard.shutdown()`), otherwise derived by running the registry's checks; so is every
 *   service listed in `serviceTags`.
 * - Check on an unknown service fails with NOT_FOUND, as the protocol says; Watch on one
 *   streams SERVICE_UNKNOWN and stays open until the service appears.
 */
export function createGrpcHealthService(
  registry: HealthRegistry,
  options: GrpcHealthOptions = {},
): ServiceImpl<typeof Health> {
  const overallTags = options.overallTags ?? ['ready'];
  const servingWhen = options.servingWhen ?? ['healthy', 'degraded'];
  const watchIntervalMs = options.watchIntervalMs ?? 5000;
  const board = registry.statusBoard;

  const serviceTags = options.serviceTags ?? {};
  /** The check tags that decide a service's status, or undefined when only the board does. */
  const tagsOf = (service: string): readonly string[] | undefined =>
    service === ''
      ? overallTags
      : Object.hasOwn(serviceTags, service)
        ? serviceTags[service]
        : undefined;
  const derived = (service: string) =>
    board.get(service) === undefined && tagsOf(service) !== undefined;

  /** The current status, or undefined for an unknown service. */
  async function current(service: string, signal: AbortSignal): Promise<StatusValue | undefined> {
    const set = board.get(service);
    if (set !== undefined) return toEnum[set];
    const tags = tagsOf(service);
    if (tags === undefined) return undefined;
    const report = await registry.run({ tags, signal });
    return servingWhen.includes(report.status)
      ? HealthCheckResponse_ServingStatus.SERVING
      : HealthCheckResponse_ServingStatus.NOT_SERVING;
  }

  return {
    async check(req, ctx) {
      const status = await current(req.service, ctx.signal);
      if (status === undefined) {
        throw new ConnectError(`unknown service "${req.service}"`, Code.NotFound);
      }
      return { status };
    },

    async list(_req, ctx) {
      const statuses: Record<string, HealthCheckResponse> = {};
      for (const [service, status] of board.entries()) {
        statuses[service] = create(HealthCheckResponseSchema, { status: toEnum[status] });
      }
      // Derived services run their checks concurrently, like a report does.
      const derivedServices = ['', ...Object.keys(serviceTags)].filter(
        (s) => statuses[s] === undefined,
      );
      const derivedStatuses = await Promise.all(derivedServices.map((s) => current(s, ctx.signal)));
      derivedServices.forEach((service, i) => {
        statuses[service] = create(HealthCheckResponseSchema, { status: derivedStatuses[i] });
      });
      return create(HealthListResponseSchema, { statuses });
    },

    async *watch(req, ctx) {
      const service = req.service;
      let dirty = true;
      let wake: (() => void) | undefined;
      const poke = () => {
        dirty = true;
        wake?.();
      };
      const unsubscribe = board.subscribe((changed) => {
        if (changed === service) poke();
      });
      ctx.signal.addEventListener('abort', poke, { once: true });
      try {
        let last: StatusValue | undefined;
        while (!ctx.signal.aborted) {
          dirty = false;
          let status: StatusValue;
          try {
            status =
              (await current(service, ctx.signal)) ??
              HealthCheckResponse_ServingStatus.SERVICE_UNKNOWN;
          } catch (err) {
            if (ctx.signal.aborted) return;
            throw err;
          }
          // The protocol sends only changes after the first message.
          if (status !== last) {
            last = status;
            yield { status };
          }
          if (dirty || ctx.signal.aborted) continue;
          // Wait for a board change for this service, the poll interval (only while its status is
          // derived from checks, whose results nobody pushes), or the client going away.
          await new Promise<void>((resolve) => {
            let timer: ReturnType<typeof setTimeout> | undefined;
            wake = () => {
              clearTimeout(timer);
              wake = undefined;
              resolve();
            };
            if (derived(service)) timer = setTimeout(() => wake?.(), watchIntervalMs);
          });
        }
      } finally {
        unsubscribe();
        ctx.signal.removeEventListener('abort', poke);
      }
    },
  };
}

/**
 * Registers the standard `grpc.health.v1.Health` service (Check, List, Watch) on a Connect
 * router: `connectNodeAdapter({ routes: (router) => { grpcHealthRoutes(registry)(router); ... } })`.
 * Kubernetes gRPC probes and grpc_health_probe ask for service `""` or a service name.
 */
export function grpcHealthRoutes(
  registry: HealthRegistry,
  options: GrpcHealthOptions = {},
): (router: ConnectRouter) => void {
  const impl = createGrpcHealthService(registry, options);
  return (router) => {
    router.service(Health, impl);
  };
}
