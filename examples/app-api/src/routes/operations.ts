/**
 * Operations: /healthz and /readyz (from @mystira/health) and the admin route that moves the
 * accounts entity between polyglot phases at runtime (callers with the `admin` role).
 */
import type { CheckEntry, HealthRegistry, HealthReport } from '@mystira/health';
import { healthHttpHandler } from '@mystira/health';
import type { Phase, Polyglot } from '@mystira/polyglot';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { guard } from '../auth/authenticate.ts';
import { ApiError } from '../problems.ts';
import { HealthResponse, PhaseBody, problems } from '../schemas.ts';

export interface HealthRouteOptions {
  /**
   * Whether `?verbose=1` may show every check's error and detail (HEALTH_VERBOSE=1: the probe
   * port is private). Callers with the `admin` role see them either way.
   */
  verbose: boolean;
}

/**
 * The probes are public (load balancers, anyone who can reach the port), and a failing check's
 * error names hosts, ports and driver messages. So the public answer lists each check by name and
 * status only; the full @mystira/health report is served for `?verbose=1` when allowed.
 */
export function healthRoutes(
  app: FastifyInstance,
  registry: HealthRegistry,
  options: HealthRouteOptions = { verbose: false },
): void {
  // The package's handler writes the response itself (status, JSON, cache-control: no-store,
  // 503 { draining } during shutdown). Its own `verbose: false` drops the check list entirely;
  // the public view keeps the names, so a caller still sees which dependency is down.
  const detailed = healthHttpHandler(registry);
  const summarized = healthHttpHandler(withoutCheckDetails(registry));
  // Probes never fail on a token: a bad or missing one only means the public answer.
  const mayShowDetails = (req: FastifyRequest) =>
    options.verbose || req.caller?.roles.has('admin') === true;
  const serve = async (
    req: FastifyRequest<{ Querystring: { verbose?: string } }>,
    reply: FastifyReply,
  ) => {
    const verbose = req.query.verbose === '1' || req.query.verbose === 'true';
    reply.hijack();
    (verbose && mayShowDetails(req) ? detailed : summarized)(req.raw, reply.raw);
  };
  const response = {
    200: { ...HealthResponse, description: 'healthy or degraded' },
    503: { ...HealthResponse, description: 'unhealthy, or draining during shutdown' },
  };
  const querystring = {
    type: 'object',
    properties: {
      verbose: {
        type: 'string',
        enum: ['0', '1', 'true', 'false'],
        description:
          "1: each check's error and detail (only with HEALTH_VERBOSE=1 or the admin role)",
      },
    },
  } as const;
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process serves requests',
        querystring,
        response,
      },
    },
    serve,
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: PostgreSQL, Cosmos DB, Redis (when configured) and the Chain service',
        querystring,
        response,
      },
    },
    serve,
  );
}

/** The registry as the public probe sees it: each check's name and status, nothing else. */
function withoutCheckDetails(registry: HealthRegistry): HealthRegistry {
  return {
    register: (check) => registry.register(check),
    names: registry.names,
    statusBoard: registry.statusBoard,
    setServiceStatus: (service, status) => registry.setServiceStatus(service, status),
    async run(runOptions) {
      const report: HealthReport = await registry.run(runOptions);
      return {
        ...report,
        // Only name and status go out; the report type still says CheckEntry.
        checks: report.checks.map(({ name, status }) => ({ name, status }) as CheckEntry),
      };
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: any entity map; only phase operations are used
type AnyPolyglot = Polyglot<any>;

/** For callers whose token carries the `admin` role (401 without a token, 403 without the role). */
export function adminRoutes(app: FastifyInstance, polyglot: AnyPolyglot): void {
  const admin = guard({ role: 'admin' });
  const phaseView = () => ({ phases: polyglot.phases() as Record<string, string> });
  const PhasesResponse = {
    type: 'object',
    properties: { phases: { type: 'object', additionalProperties: { type: 'string' } } },
    required: ['phases'],
  } as const;

  app.get(
    '/v1/admin/polyglot/phases',
    {
      preValidation: admin.hook,
      schema: {
        tags: ['admin'],
        summary: 'Polyglot phase of each entity',
        security: admin.security,
        response: { 200: PhasesResponse, ...admin.responses },
      },
    },
    async () => phaseView(),
  );

  app.put<{ Params: { entity: string }; Body: { phase: Phase; force?: boolean } }>(
    '/v1/admin/polyglot/:entity/phase',
    {
      preValidation: admin.hook,
      schema: {
        tags: ['admin'],
        summary: 'Move an entity to another polyglot phase (drains the outbox first when needed)',
        params: {
          type: 'object',
          properties: { entity: { type: 'string', enum: ['accounts'] } },
          required: ['entity'],
        },
        security: admin.security,
        body: PhaseBody,
        response: {
          200: PhasesResponse,
          400: problems[400],
          409: problems[409],
          ...admin.responses,
        },
      },
    },
    async (req) => {
      try {
        await polyglot.setPhase(req.params.entity, req.body.phase, { force: req.body.force });
      } catch (err) {
        if ((err as Error).name === 'PhaseChangeError')
          throw new ApiError(409, 'phase-change', 'Conflict', (err as Error).message);
        throw err;
      }
      return phaseView();
    },
  );
}
