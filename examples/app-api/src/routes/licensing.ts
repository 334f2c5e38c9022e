/**
 * Licensing: a story's license terms, its scenarios as derivatives of its IP asset, and the
 * assets' terms, parents and children. Thin HTTP over the publisher (src/publishing/licensing.ts).
 *
 * Who may, as for publishing: the author registers a story's scenarios (as it publishes the
 * story); anyone reads the licensing of a published story and of its scenarios (the chain's
 * licensing is public anyway), the author also of a draft; the `payer` role pays royalties to a
 * scenario, as to a story. A scenario's royalties reach the story's contributors through the
 * story's own royalty routes (GET /v1/stories/:id/royalties, claims).
 */
import type { FastifyInstance } from 'fastify';
import type { ScenarioRegistration } from '../domain.ts';
import { AssetLicensingResponse, ScenarioParams } from '../licensing-schemas.ts';
import { LicensingStateError } from '../publishing/index.ts';
import { IdParams, problems, storyOnChainProblems } from '../schemas.ts';
import { abortSignalOf } from './http.ts';
import { royaltyPaymentRoute } from './royalty-payments.ts';
import { type StoryRouteDeps, storyRouteKit } from './story-route-kit.ts';

type IdRoute = { Params: { id: string } };
type ScenarioRoute = { Params: { id: string; scenarioId: string } };

/** What a non-author sees of a scenario's registration: the on-chain facts, not key or error. */
export function publicScenarioRegistration(
  registration: ScenarioRegistration,
): Omit<ScenarioRegistration, 'idempotencyKey' | 'error'> {
  const { idempotencyKey: _key, error: _error, ...onChain } = registration;
  return onChain;
}

export function licensingRoutes(
  app: FastifyInstance,
  { publisher, stories, ownership }: StoryRouteDeps,
): void {
  const { signedInOnly, anyone, signedInProblems, callerAndStory } = storyRouteKit(stories);
  const readResponses = {
    403: problems[403],
    ...storyOnChainProblems,
    ...anyone.responses,
  };

  app.get<IdRoute>(
    '/v1/stories/:id/license',
    {
      preValidation: anyone.hook,
      schema: {
        tags: ['licensing'],
        summary: 'The story’s license terms (attached now if the registration is confirmed)',
        description:
          'For anyone once the story is published. Terms still pending on a confirmed story are ' +
          'attached by this call (idempotent); when the chain cannot do it now, the stored ' +
          'license is answered as it is.',
        security: anyone.security,
        params: IdParams,
        response: { 200: { $ref: 'StoryLicense#' }, ...readResponses },
      },
    },
    async (req, reply) => {
      const signal = abortSignalOf(reply);
      let story = await stories.get(req.params.id, signal);
      const view = await ownership.viewOf(req, reply, story, signal);
      if (!story.license) throw notLicensed(story.id);
      if (story.license.state === 'pending' && story.registration?.state === 'confirmed') {
        // Completing the publish workflow is not this read's failure: answer what is stored.
        story = await publisher.attachLicense(story.id, { signal }).catch(() => story);
      }
      const license = story.license ?? { state: 'pending' };
      if (view === 'full') return license;
      const { error: _error, ...shown } = license as { error?: string };
      return shown;
    },
  );

  app.get<IdRoute>(
    '/v1/stories/:id/ip-asset',
    {
      preValidation: anyone.hook,
      schema: {
        tags: ['licensing'],
        summary: 'The story’s IP asset on chain: license terms, parents, children',
        description: 'For anyone once the story is published; 409 before it has an asset.',
        security: anyone.security,
        params: IdParams,
        response: { 200: AssetLicensingResponse, ...readResponses },
      },
    },
    async (req, reply) => {
      const signal = abortSignalOf(reply);
      await ownership.viewOf(req, reply, await stories.get(req.params.id, signal), signal);
      return publisher.assetLicensing(req.params.id, undefined, { signal });
    },
  );

  app.post<ScenarioRoute>(
    '/v1/stories/:id/scenarios/:scenarioId/registration',
    {
      preValidation: signedInOnly.hook,
      schema: {
        tags: ['licensing'],
        summary: 'Register a scenario as a derivative of the story’s IP asset (idempotent)',
        description:
          'The author only, once the story’s registration is confirmed. Attaches the story’s ' +
          'license terms first if needed. 202 when this call registered it, 200 when it was ' +
          'already submitted or confirmed; a failed registration is tried again. 409 before ' +
          'confirmation or when the terms allow no derivatives (commercialUse).',
        security: signedInOnly.security,
        params: ScenarioParams,
        response: {
          200: { $ref: 'ScenarioRegistration#' },
          202: { $ref: 'ScenarioRegistration#' },
          ...signedInProblems,
        },
      },
    },
    async (req, reply) => {
      const { caller, signal, story } = await callerAndStory(req, reply);
      await ownership.requireAuthor(caller, story, signal);
      const before = story.scenarios.find((s) => s.id === req.params.scenarioId)?.registration;
      const alreadyDone = before !== undefined && before.state !== 'failed';
      const registration = await publisher.registerScenario(story.id, req.params.scenarioId, {
        signal,
      });
      return reply.code(alreadyDone ? 200 : 202).send(registration);
    },
  );

  app.get<ScenarioRoute>(
    '/v1/stories/:id/scenarios/:scenarioId/registration',
    {
      preValidation: anyone.hook,
      schema: {
        tags: ['licensing'],
        summary: 'A scenario’s registration, refreshed from the chain while submitted',
        description: 'For anyone once the story is published; the author also sees key and error.',
        security: anyone.security,
        params: ScenarioParams,
        response: { 200: { $ref: 'ScenarioRegistration#' }, ...readResponses },
      },
    },
    async (req, reply) => {
      const signal = abortSignalOf(reply);
      const story = await stories.get(req.params.id, signal);
      const view = await ownership.viewOf(req, reply, story, signal);
      const registration = await publisher.scenarioRegistration(story.id, req.params.scenarioId, {
        signal,
      });
      return view === 'full' ? registration : publicScenarioRegistration(registration);
    },
  );

  app.get<ScenarioRoute>(
    '/v1/stories/:id/scenarios/:scenarioId/ip-asset',
    {
      preValidation: anyone.hook,
      schema: {
        tags: ['licensing'],
        summary: 'A scenario’s IP asset on chain: the terms it derives under, its parents',
        security: anyone.security,
        params: ScenarioParams,
        response: { 200: AssetLicensingResponse, ...readResponses },
      },
    },
    async (req, reply) => {
      const signal = abortSignalOf(reply);
      await ownership.viewOf(req, reply, await stories.get(req.params.id, signal), signal);
      return publisher.assetLicensing(req.params.id, req.params.scenarioId, { signal });
    },
  );

  royaltyPaymentRoute<ScenarioRoute['Params']>(app, {
    url: '/v1/stories/:id/scenarios/:scenarioId/royalties/payments',
    summary: 'Pay royalties to a scenario (safe to retry with an Idempotency-Key)',
    description:
      'Needs the "payer" role and a confirmed scenario registration. The story’s share by ' +
      'its license terms reaches the story’s contributors (GET /v1/stories/{id}/royalties).',
    params: ScenarioParams,
    pay: ({ id, scenarioId }, input, options) =>
      publisher.payScenarioRoyalties(id, scenarioId, input, options),
  });
}

function notLicensed(storyId: string): Error {
  return new LicensingStateError(`story ${storyId} has not been published with a license`);
}
