/**
 * What the publishing and licensing routes (routes about a story on chain) share: their two
 * guards, the problems a signed-in caller's route may answer besides success, and the caller with
 * the story a route names.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { guard, signedIn } from '../auth/authenticate.ts';
import type { Ownership } from '../auth/ownership.ts';
import type { Publisher } from '../publisher-port.ts';
import { storyOnChainProblems } from '../schemas.ts';
import type { StoryService } from '../services/stories.ts';
import { abortSignalOf } from './http.ts';

/** What the publishing and licensing routes are registered with. */
export interface StoryRouteDeps {
  publisher: Publisher;
  stories: StoryService;
  ownership: Ownership;
}

export function storyRouteKit(stories: StoryService) {
  const signedInOnly = guard('signed-in');
  return {
    signedInOnly,
    anyone: guard('public'),
    signedInProblems: { ...storyOnChainProblems, ...signedInOnly.responses },
    /** The signed-in caller, the request's abort signal and the story `:id` names. */
    async callerAndStory(req: FastifyRequest & { params: { id: string } }, reply: FastifyReply) {
      const caller = signedIn(req, reply);
      const signal = abortSignalOf(reply);
      return { caller, signal, story: await stories.get(req.params.id, signal) };
    },
  };
}
