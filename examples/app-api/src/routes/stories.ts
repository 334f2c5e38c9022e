/** POST/GET /v1/stories, GET/PATCH /v1/stories/:id */
import type { FastifyInstance } from 'fastify';
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
import type { CreateStoryInput, PatchStoryInput, StoryService } from '../services/stories.ts';
import { abortSignalOf, etag, matchesIfNoneMatch, versionFromIfMatch } from './http.ts';

interface ListQuery {
  authorId?: string;
  status?: 'draft' | 'published';
  limit: number;
  cursor?: string;
}

export function storyRoutes(app: FastifyInstance, stories: StoryService): void {
  app.post<{ Body: CreateStoryInput }>(
    '/v1/stories',
    {
      schema: {
        tags: ['stories'],
        summary: 'Create a draft story',
        description:
          'Contributors default to the author with 10 000 basis points (role "author"); each ' +
          "contributor's walletAddress is copied from their account.",
        body: CreateStoryBody,
        response: { 201: { $ref: 'Story#' }, 400: problems[400] },
      },
    },
    async (req, reply) => {
      const story = await stories.create(req.body, abortSignalOf(reply));
      reply.header('location', `/v1/stories/${story.id}`).header('etag', etag(story.version));
      return reply.code(201).send(story);
    },
  );

  app.get<{ Querystring: ListQuery }>(
    '/v1/stories',
    {
      schema: {
        tags: ['stories'],
        summary: 'List stories, newest first (keyset paging: pass `cursor` back)',
        querystring: StoryListQuery,
        response: { 200: StoryPage, 400: problems[400] },
      },
    },
    async (req) => {
      const { cursor, ...filter } = req.query;
      return stories.list(filter, cursor);
    },
  );

  app.get<{ Params: { id: string }; Headers: { 'if-none-match'?: string } }>(
    '/v1/stories/:id',
    {
      schema: {
        tags: ['stories'],
        summary: 'Read a story (served through the cache)',
        description: 'Send If-None-Match with the ETag you hold to get 304 when it is unchanged.',
        params: IdParams,
        response: {
          200: { $ref: 'Story#' },
          304: { description: 'unchanged since the ETag in If-None-Match', type: 'null' },
          404: problems[404],
        },
      },
    },
    async (req, reply) => {
      const story = await stories.get(req.params.id, abortSignalOf(reply));
      reply.header('etag', etag(story.version));
      if (matchesIfNoneMatch(req.headers['if-none-match'], story.version))
        return reply.code(304).send();
      return reply.send(story);
    },
  );

  app.patch<{ Params: { id: string }; Body: PatchStoryInput; Headers: { 'if-match'?: string } }>(
    '/v1/stories/:id',
    {
      schema: {
        tags: ['stories'],
        summary: 'Edit a draft (send If-Match with the ETag you read to avoid lost updates)',
        params: IdParams,
        headers: IfMatchHeaders,
        body: PatchStoryBody,
        response: {
          200: { $ref: 'Story#' },
          400: problems[400],
          404: problems[404],
          409: problems[409],
          412: problems[412],
        },
      },
    },
    async (req, reply) => {
      const expected = versionFromIfMatch(req.headers['if-match']);
      if (Number.isNaN(expected))
        throw new ApiError(400, 'validation', 'Invalid request', 'If-Match must be an ETag', {
          errors: [{ field: '/if-match', message: 'must be an ETag such as "3"' }],
        });
      const story = await stories.patch(req.params.id, req.body, expected, abortSignalOf(reply));
      return reply.header('etag', etag(story.version)).send(story);
    },
  );
}
