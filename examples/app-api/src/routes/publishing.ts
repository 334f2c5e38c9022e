/**
 * Publishing and royalties: thin HTTP over the publishing service (src/publishing). The service
 * owns idempotency and the chain; its typed errors become problems in problems.ts.
 *
 * Who may: the author publishes; anyone follows a published story's registration (the author
 * also a draft's); the `payer` role pays royalties; the story's contributors (the owners of the
 * accounts in its split) see the split and their balances, and each claims to their own wallet.
 */
import type { FastifyInstance } from 'fastify';
import { forbidden } from '../auth/authenticate.ts';
import type { LicensePreset } from '../domain.ts';
import {
  ClaimResponse,
  ClaimRoyaltiesBody,
  IdParams,
  PublishBody,
  problems,
  RoyaltiesResponse,
} from '../schemas.ts';
import { publicRegistration } from '../views.ts';
import { abortSignalOf, etag } from './http.ts';
import { royaltyPaymentRoute } from './royalty-payments.ts';
import { type StoryRouteDeps, storyRouteKit } from './story-route-kit.ts';

type IdRoute = { Params: { id: string } };

export function publishingRoutes(
  app: FastifyInstance,
  { publisher, stories, ownership }: StoryRouteDeps,
): void {
  const { signedInOnly, anyone, signedInProblems, callerAndStory } = storyRouteKit(stories);

  app.post<
    IdRoute & {
      Body: { license?: { preset: LicensePreset; revSharePercent?: number } };
    }
  >(
    '/v1/stories/:id/publish',
    {
      schema: {
        security: signedInOnly.security,
        tags: ['publishing'],
        summary: 'Register the story on the chain (idempotent)',
        description:
          '202 with the registration (pending, submitted or confirmed) when this call moved it; ' +
          '200 with the story unchanged when it was already submitted or confirmed. A pending ' +
          'story is completed with the same idempotency key. 503 (retryable) when the chain is ' +
          'down: the story stays pending. `license` chooses the story’s license terms (default: ' +
          'the configured ones, e.g. Commercial Remix with 10 %); they are attached to its IP ' +
          'asset once the registration is confirmed.',
        params: IdParams,
        body: PublishBody,
        response: {
          200: { $ref: 'Story#' },
          202: { $ref: 'Story#' },
          ...signedInProblems,
        },
      },
      preValidation: [
        signedInOnly.hook,
        // A POST without a body is the same as `{}` (the default license).
        async (req) => {
          req.body ??= {};
        },
      ],
    },
    async (req, reply) => {
      const { caller, signal, story: before } = await callerAndStory(req, reply);
      await ownership.requireAuthor(caller, before, signal);
      const state = before.registration?.state;
      const alreadyDone = state === 'submitted' || state === 'confirmed';
      const license = req.body.license;
      const story = await publisher.publish(req.params.id, {
        signal,
        ...(license ? { license } : {}),
      });
      return reply
        .code(alreadyDone ? 200 : 202)
        .header('etag', etag(story.version))
        .send(story);
    },
  );

  app.get<IdRoute>(
    '/v1/stories/:id/registration',
    {
      preValidation: anyone.hook,
      schema: {
        tags: ['publishing'],
        summary: 'The registration, refreshed from the chain while submitted',
        description:
          'For anyone once the story is published; the author also sees the key and error.',
        security: anyone.security,
        params: IdParams,
        response: {
          200: { $ref: 'StoryRegistration#' },
          403: problems[403],
          404: problems[404],
          409: problems[409],
          ...anyone.responses,
        },
      },
    },
    async (req, reply) => {
      const signal = abortSignalOf(reply);
      const view = await ownership.viewOf(
        req,
        reply,
        await stories.get(req.params.id, signal),
        signal,
      );
      const registration = await publisher.refreshRegistration(req.params.id, { signal });
      return view === 'full' ? registration : publicRegistration(registration);
    },
  );

  royaltyPaymentRoute<{ id: string }>(app, {
    url: '/v1/stories/:id/royalties/payments',
    summary: 'Pay royalties to the story (safe to retry with an Idempotency-Key)',
    description: 'Needs the "payer" role.',
    params: IdParams,
    pay: ({ id }, input, options) => publisher.payRoyalties(id, input, options),
  });

  app.get<IdRoute>(
    '/v1/stories/:id/royalties',
    {
      preValidation: signedInOnly.hook,
      schema: {
        tags: ['royalties'],
        summary: 'Royalty recipients and what each can claim',
        description: 'For the story’s contributors (its author included).',
        security: signedInOnly.security,
        params: IdParams,
        response: {
          200: RoyaltiesResponse,
          ...signedInProblems,
        },
      },
    },
    async (req, reply) => {
      const { caller, signal, story } = await callerAndStory(req, reply);
      if ((await ownership.contributorsOwnedBy(caller, story, signal)).length === 0)
        throw forbidden('only the contributors of this story see its royalties');
      return publisher.royalties(req.params.id, { signal });
    },
  );

  app.post<IdRoute & { Body: { walletAddress: string } }>(
    '/v1/stories/:id/royalties/claims',
    {
      preValidation: signedInOnly.hook,
      schema: {
        tags: ['royalties'],
        summary: "Claim a wallet's royalties from the story",
        description:
          'The wallet must be that of a contributor account of yours in the story’s split.',
        security: signedInOnly.security,
        params: IdParams,
        body: ClaimRoyaltiesBody,
        response: {
          201: ClaimResponse,
          400: problems[400],
          ...signedInProblems,
        },
      },
    },
    async (req, reply) => {
      const { caller, signal, story } = await callerAndStory(req, reply);
      const wallet = req.body.walletAddress.toLowerCase();
      const mine = await ownership.contributorsOwnedBy(caller, story, signal);
      if (!mine.some((c) => c.walletAddress.toLowerCase() === wallet))
        throw forbidden('you may claim only to the wallet of one of your accounts in this story');
      const claim = await publisher.claim(req.params.id, req.body, { signal });
      return reply.code(201).send(claim);
    },
  );
}
