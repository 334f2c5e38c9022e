/**
 * Operations: /healthz and /readyz (from @mystira/health) and the admin route that moves the
 * accounts entity between polyglot phases at runtime.
 */
import { timingSafeEqual } from 'node:crypto';
import type { HealthRegistry } from '@mystira/health';
import { healthHttpHandler } from '@mystira/health';
import type { Phase, Polyglot } from '@mystira/repository';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../problems.ts';
import { HealthResponse, PhaseBody, problems } from '../schemas.ts';

export function healthRoutes(app: FastifyInstance, registry: HealthRegistry): void {
  const handler = healthHttpHandler(registry);
  // The package's handler writes the response itself (status, JSON, cache-control: no-store).
  const serve = async (req: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    handler(req.raw, reply.raw);
  };
  const response = {
    200: { ...HealthResponse, description: 'healthy or degraded' },
    503: { ...HealthResponse, description: 'unhealthy, or draining during shutdown' },
  };
  app.get(
    '/healthz',
    {
      schema: { tags: ['operations'], summary: 'Liveness: the process serves requests', response },
    },
    serve,
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: PostgreSQL, Cosmos DB, Redis (when configured) and the Chain service',
        response,
      },
    },
    serve,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: any entity map; only phase operations are used
type AnyPolyglot = Polyglot<any>;

/** Registered only when ADMIN_TOKEN is set; callers send `Authorization: Bearer <token>`. */
export function adminRoutes(app: FastifyInstance, polyglot: AnyPolyglot, token: string): void {
  const expected = Buffer.from(`Bearer ${token}`);
  const authorize = async (req: FastifyRequest) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new ApiError(401, 'unauthorized', 'Unauthorized', 'an admin token is required');
  };
  const phaseView = () => ({ phases: polyglot.phases() as Record<string, string> });
  const PhasesResponse = {
    type: 'object',
    properties: { phases: { type: 'object', additionalProperties: { type: 'string' } } },
    required: ['phases'],
  } as const;

  app.get(
    '/v1/admin/polyglot/phases',
    {
      onRequest: authorize,
      schema: {
        tags: ['admin'],
        summary: 'Polyglot phase of each entity',
        security: [{ adminToken: [] }],
        response: { 200: PhasesResponse, 401: problems[401] },
      },
    },
    async () => phaseView(),
  );

  app.put<{ Params: { entity: string }; Body: { phase: Phase; force?: boolean } }>(
    '/v1/admin/polyglot/:entity/phase',
    {
      onRequest: authorize,
      schema: {
        tags: ['admin'],
        summary: 'Move an entity to another polyglot phase (drains the outbox first when needed)',
        params: {
          type: 'object',
          properties: { entity: { type: 'string', enum: ['accounts'] } },
          required: ['entity'],
        },
        security: [{ adminToken: [] }],
        body: PhaseBody,
        response: {
          200: PhasesResponse,
          400: problems[400],
          401: problems[401],
          409: problems[409],
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
