/**
 * POST/GET /v1/stories, GET/PATCH /v1/stories/:id. Signed-in callers create stories for their own
 * accounts and edit their own drafts; anyone reads published stories in their public view (see
 * views.ts), the author reads everything of theirs.
 */
import type { FastifyInstance } from 'fastify';
import { forbidden, guard, signedIn } from '../auth/authenticate.ts';
import type { Ownership } from '../auth/ownership.ts';
import { ApiError } from '../problems.ts';
import {
  CreateStoryBody,
  IdParams,
  IfMatchHeaders,
  PatchStoryBody,
  problems,
  StoryListQuery,
  StoryPage,
} from '../schemas.ts';
import type { AccountService } from '../services/accounts.ts';
import type { CreateStoryInput, PatchStoryInput, StoryService } from '../services/stories.ts';
import { storyAs } from '../views.ts';
import { abortSignalOf, etag, matchesIfNoneMatch, versionFromIfMatch } from './http.ts';

interface ListQuery {
  authorId?: string;
  status?: 'draft' | 'published';
  limit: number;
  cursor?: string;
}

export function storyRoutes(
  app: FastifyInstance,
  stories: StoryService,
  accounts: AccountService,
  ownership: Ownership,
): void {
  const author = guard('signed-in');
  const anyone = guard('public');

  app.post<{ Body: CreateStoryInput }>(
    '/v1/stories',
    {
      preValidation: author.hook,
      schema: {
        tags: ['stories'],
        summary: 'Create a draft story for one of your accounts',
        description:
          'authorId must be one of your accounts (403 otherwise). Contributors default to the ' +
          'author with 10 000 basis points (role "author"); each contributor’s walletAddress ' +
          'is copied from their account (name a contributor by the account id its owner gave you).',
        security: author.security,
        body: CreateStoryBody,
        response: { 201: { $ref: 'Story#' }, 400: problems[400], ...author.responses },
      },
    },
    async (req, reply) => {
      const caller = signedIn(req, reply);
      const signal = abortSignalOf(reply);
      // An author account that does not exist is the body's fault (400, from the service); one
      // that exists and is someone else's is 403.
      const account = await accounts.find(req.body.authorId, signal);
      if (account) ownership.requireAccount(caller, account);
      const story = await stories.create(req.body, signal);
      reply.header('location', `/v1/stories/${story.id}`).header('etag', etag(story.version));
      return reply.code(201).send(story);
    },
  );

  app.get<{ Querystring: ListQuery }>(
    '/v1/stories',
    {
      preValidation: anyone.hook,
      schema: {
        tags: ['stories'],
        summary: 'List stories, newest first (keyset paging: pass `cursor` back)',
        description:
          'Published stories in their public view; with `authorId` of one of your own accounts, ' +
          'that account’s stories in full, drafts included (`status=draft` needs that).',
        security: anyone.security,
        querystring: StoryListQuery,
        response: { 200: StoryPage, 400: problems[400], 403: problems[403], ...anyone.responses },
      },
    },
    async (req, reply) => {
      const { cursor, ...filter } = req.query;
      const signal = abortSignalOf(reply);
      const own =
        filter.authorId !== undefined &&
        (await ownership.ownsAccount(req.caller, filter.authorId, signal));
      if (!own && filter.status === 'draft') {
        signedIn(req, reply);
        throw forbidden('drafts are listed only for your own accounts (authorId)');
      }
      const page = await stories.list(
        own ? filter : { ...filter, status: 'published' },
        cursor,
        signal,
      );
      reply.header('vary', 'authorization');
      return {
        items: page.items.map((s) => storyAs(own ? 'full' : 'public', s)),
        cursor: page.cursor,
      };
    },
  );

  app.get<{ Params: { id: string }; Headers: { 'if-none-match'?: string } }>(
    '/v1/stories/:id',
    {
      preValidation: anyone.hook,
      schema: {
        tags: ['stories'],
        summary: 'Read a story (served through the cache)',
        description:
          'A published story for anyone (public view), any of yours in full; someone else’s ' +
          'draft is 403 (401 without a token). Send If-None-Match with the ETag you hold to ' +
          'get 304 when it is unchanged.',
        security: anyone.security,
        params: IdParams,
        response: {
          200: { $ref: 'Story#' },
          304: { description: 'unchanged since the ETag in If-None-Match', type: 'null' },
          403: problems[403],
          404: problems[404],
          ...anyone.responses,
        },
      },
    },
    async (req, reply) => {
      const signal = abortSignalOf(reply);
      const story = await stories.get(req.params.id, signal);
      const view = await ownership.viewOf(req, reply, story, signal);
      // The same URL answers differently per caller: no shared cache may serve one to another.
      reply.header('etag', etag(story.version)).header('vary', 'authorization');
      if (view === 'full') reply.header('cache-control', 'private, no-cache');
      if (matchesIfNoneMatch(req.headers['if-none-match'], story.version))
        return reply.code(304).send();
      return reply.send(storyAs(view, story));
    },
  );

  app.patch<{ Params: { id: string }; Body: PatchStoryInput; Headers: { 'if-match'?: string } }>(
    '/v1/stories/:id',
    {
      preValidation: author.hook,
      schema: {
        tags: ['stories'],
        summary: 'Edit your draft (send If-Match with the ETag you read to avoid lost updates)',
        security: author.security,
        params: IdParams,
        headers: IfMatchHeaders,
        body: PatchStoryBody,
        response: {
          200: { $ref: 'Story#' },
          400: problems[400],
          404: problems[404],
          409: problems[409],
          412: problems[412],
          ...author.responses,
        },
      },
    },
    async (req, reply) => {
      const caller = signedIn(req, reply);
      const expected = versionFromIfMatch(req.headers['if-match']);
      if (Number.isNaN(expected))
        throw new ApiError(400, 'validation', 'Invalid request', 'If-Match must be an ETag', {
          errors: [{ field: '/if-match', message: 'must be an ETag such as "3"' }],
        });
      const signal = abortSignalOf(reply);
      await ownership.requireAuthor(caller, await stories.get(req.params.id, signal), signal);
      const story = await stories.patch(req.params.id, req.body, expected, signal);
      return reply.header('etag', etag(story.version)).send(story);
    },
  );
}
