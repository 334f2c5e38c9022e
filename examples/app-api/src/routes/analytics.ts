/**
 * Analytics over the App's game data, the aggregates of `@mystira/domain`: scores per scenario
 * and sessions per status per day, run by the store (`runAggregate` through the domain's
 * `mapped()` repositories, so legacy and current documents count as one). They cover every
 * player, so only callers with the `admin` role may read them.
 */
import {
  type ScenarioScores,
  SessionStatus,
  type SessionsOnDay,
  scoresPerScenario,
  sessionsPerStatusPerDay,
} from '@mystira/domain';
import { runAggregate } from '@mystira/repository';
import type { Pipeline } from '@mystira/resilience';
import type { FastifyInstance } from 'fastify';
import type { AnalyticsStores } from '../analytics-stores.ts';
import { guard } from '../auth/authenticate.ts';
import { ApiError } from '../problems.ts';
import { problems } from '../schemas.ts';
import { readPolicy } from '../services/accounts.ts';
import { abortSignalOf } from './http.ts';

const count = { type: 'integer', minimum: 0 } as const;
const nullableNumber = { type: 'number', nullable: true } as const;

/** `components.schemas.ScenarioScores`: one row of scores per scenario. */
export const ScenarioScoresSchema = {
  $id: 'ScenarioScores',
  type: 'object',
  description: 'One scenario: the profiles that played it, their attempts, completions and scores',
  properties: {
    scenarioId: { type: 'string', nullable: true },
    players: { ...count, description: 'score records, one per profile that played it' },
    attempts: { ...nullableNumber, description: 'attempts, summed over the players' },
    completions: { ...nullableNumber, description: 'completions, summed over the players' },
    bestScore: { ...nullableNumber, description: 'the best of the players’ best scores' },
    averageBestScore: { ...nullableNumber, description: 'the mean of the players’ best scores' },
  },
  required: ['scenarioId', 'players', 'attempts', 'completions', 'bestScore', 'averageBestScore'],
} as const;

/** `components.schemas.SessionsOnDay`: sessions of one status that started on one UTC day. */
export const SessionsOnDaySchema = {
  $id: 'SessionsOnDay',
  type: 'object',
  description: 'Sessions of one status started on one UTC day',
  properties: {
    status: { type: 'string', enum: Object.keys(SessionStatus) },
    startedAt: {
      type: 'string',
      format: 'date-time',
      nullable: true,
      description: 'the UTC day (its first instant); null for sessions never started',
    },
    sessions: count,
    durationSeconds: { ...nullableNumber, description: 'recorded durations, summed' },
  },
  required: ['status', 'startedAt', 'sessions', 'durationSeconds'],
} as const;

const rows = (ref: string) =>
  ({
    type: 'object',
    properties: { items: { type: 'array', items: { $ref: `${ref}#` } } },
    required: ['items'],
  }) as const;

const SessionRangeQuery = {
  type: 'object',
  properties: {
    from: { type: 'string', format: 'date-time', description: 'started at or after (inclusive)' },
    to: { type: 'string', format: 'date-time', description: 'started before (exclusive)' },
  },
  additionalProperties: false,
} as const;

export function analyticsRoutes(
  app: FastifyInstance,
  stores: AnalyticsStores,
  reads: Pipeline = readPolicy(),
): void {
  const admin = guard({ role: 'admin' });
  // Components of the OpenAPI document, named after their $id like the shared ones.
  app.addSchema(ScenarioScoresSchema);
  app.addSchema(SessionsOnDaySchema);

  app.get(
    '/v1/analytics/scores-per-scenario',
    {
      preValidation: admin.hook,
      schema: {
        tags: ['analytics'],
        summary: 'Scores per scenario (the App’s PlayerScenarioScores)',
        security: admin.security,
        response: { 200: rows('ScenarioScores'), ...admin.responses },
      },
    },
    async (_req, reply): Promise<{ items: ScenarioScores[] }> => ({
      items: await reads.execute(
        ({ signal }) => runAggregate(stores.playerScenarioScores, scoresPerScenario(), { signal }),
        abortSignalOf(reply),
      ),
    }),
  );

  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/v1/analytics/sessions-per-status-per-day',
    {
      preValidation: admin.hook,
      schema: {
        tags: ['analytics'],
        summary: 'Sessions per status per UTC day they started (the App’s GameSessions)',
        security: admin.security,
        querystring: SessionRangeQuery,
        response: { 200: rows('SessionsOnDay'), 400: problems[400], ...admin.responses },
      },
    },
    async (req, reply): Promise<{ items: SessionsOnDay[] }> => {
      // The day buckets and the bounds compare ISO instants in UTC, as the App writes them.
      const range = { from: utc(req.query.from), to: utc(req.query.to) };
      if (range.from && range.to && range.from >= range.to)
        throw new ApiError(400, 'invalid-range', 'Bad request', '`from` must be before `to`');
      return {
        items: await reads.execute(
          ({ signal }) =>
            runAggregate(
              stores.gameSessions,
              sessionsPerStatusPerDay({
                ...(range.from ? { from: range.from } : {}),
                ...(range.to ? { to: range.to } : {}),
              }),
              { signal },
            ),
          abortSignalOf(reply),
        ),
      };
    },
  );
}

/** An ISO date-time with any offset as the UTC instant `Date#toISOString()` writes. */
function utc(value: string | undefined): string | undefined {
  return value === undefined ? undefined : new Date(value).toISOString();
}
