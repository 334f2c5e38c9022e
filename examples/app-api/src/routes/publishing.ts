/**
 * Publishing and royalties: thin HTTP over the publishing service (src/publishing). The service
 * owns idempotency and the chain; its typed errors become problems in problems.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { Publisher } from '../publisher-port.ts';
import {
  ClaimResponse,
  ClaimRoyaltiesBody,
  IdempotencyKeyHeaders,
  IdParams,
  PayRoyaltiesBody,
  PublishBody,
  problems,
  RoyaltiesResponse,
  RoyaltyPaymentResponse,
} from '../schemas.ts';
import type { StoryService } from '../services/stories.ts';
import { abortSignalOf, etag } from './http.ts';

type IdRoute = { Params: { id: string } };

export function publishingRoutes(
  app: FastifyInstance,
  publisher: Publisher,
  stories: StoryService,
): void {
  app.post<IdRoute & { Body: Record<string, never> }>(
    '/v1/stories/:id/publish',
    {
      schema: {
        tags: ['publishing'],
        summary: 'Register the story on the chain (idempotent)',
        description:
          '202 with the registration (pending, submitted or confirmed) when this call moved it; ' +
          '200 with the story unchanged when it was already submitted or confirmed. A pending ' +
          'story is completed with the same idempotency key. 503 (retryable) when the chain is ' +
          'down: the story stays pending.',
        params: IdParams,
        body: PublishBody,
        response: {
          200: { $ref: 'Story#' },
          202: { $ref: 'Story#' },
          404: problems[404],
          409: problems[409],
          503: problems[503],
        },
      },
      // The body carries nothing yet: a POST without one is the same as `{}`.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req, reply) => {
      const signal = abortSignalOf(reply);
      const before = await stories.get(req.params.id, signal);
      const state = before.registration?.state;
      const alreadyDone = state === 'submitted' || state === 'confirmed';
      const story = await publisher.publish(req.params.id, { signal });
      return reply
        .code(alreadyDone ? 200 : 202)
        .header('etag', etag(story.version))
        .send(story);
    },
  );

  app.get<IdRoute>(
    '/v1/stories/:id/registration',
    {
      schema: {
        tags: ['publishing'],
        summary: 'The registration, refreshed from the chain while submitted',
        params: IdParams,
        response: { 200: { $ref: 'StoryRegistration#' }, 404: problems[404], 409: problems[409] },
      },
    },
    async (req, reply) =>
      publisher.refreshRegistration(req.params.id, { signal: abortSignalOf(reply) }),
  );

  app.post<
    IdRoute & {
      Body: { amountWei: string; payerReference?: string };
      Headers: { 'idempotency-key'?: string };
    }
  >(
    '/v1/stories/:id/royalties/payments',
    {
      schema: {
        tags: ['royalties'],
        summary: 'Pay royalties to the story (safe to retry with an Idempotency-Key)',
        params: IdParams,
        headers: IdempotencyKeyHeaders,
        body: PayRoyaltiesBody,
        response: {
          201: RoyaltyPaymentResponse,
          400: problems[400],
          404: problems[404],
          409: problems[409],
          503: problems[503],
        },
      },
    },
    async (req, reply) => {
      const idempotencyKey = req.headers['idempotency-key'];
      const payment = await publisher.payRoyalties(
        req.params.id,
        { ...req.body, ...(idempotencyKey ? { idempotencyKey } : {}) },
        { signal: abortSignalOf(reply) },
      );
      return reply.code(201).send(payment);
    },
  );

  app.get<IdRoute>(
    '/v1/stories/:id/royalties',
    {
      schema: {
        tags: ['royalties'],
        summary: 'Royalty recipients and what each can claim',
        params: IdParams,
        response: {
          200: RoyaltiesResponse,
          404: problems[404],
          409: problems[409],
          503: problems[503],
        },
      },
    },
    async (req, reply) => publisher.royalties(req.params.id, { signal: abortSignalOf(reply) }),
  );

  app.post<IdRoute & { Body: { walletAddress: string } }>(
    '/v1/stories/:id/royalties/claims',
    {
      schema: {
        tags: ['royalties'],
        summary: "Claim a wallet's royalties from the story",
        params: IdParams,
        body: ClaimRoyaltiesBody,
        response: {
          201: ClaimResponse,
          400: problems[400],
          404: problems[404],
          409: problems[409],
          503: problems[503],
        },
      },
    },
    async (req, reply) => {
      const claim = await publisher.claim(req.params.id, req.body, {
        signal: abortSignalOf(reply),
      });
      return reply.code(201).send(claim);
    },
  );
}
