/** POST /v1/accounts, GET /v1/accounts/:id */
import type { FastifyInstance } from 'fastify';
import { CreateAccountBody, IdParams, problems } from '../schemas.ts';
import type { AccountService, CreateAccountInput } from '../services/accounts.ts';
import { abortSignalOf, etag } from './http.ts';

export function accountRoutes(app: FastifyInstance, accounts: AccountService): void {
  app.post<{ Body: CreateAccountInput }>(
    '/v1/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Create an account',
        body: CreateAccountBody,
        response: { 201: { $ref: 'Account#' }, 400: problems[400], 409: problems[409] },
      },
    },
    async (req, reply) => {
      const account = await accounts.create(req.body, abortSignalOf(reply));
      reply.header('location', `/v1/accounts/${account.id}`).header('etag', etag(account.version));
      return reply.code(201).send(account);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/accounts/:id',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Read an account',
        params: IdParams,
        response: { 200: { $ref: 'Account#' }, 404: problems[404] },
      },
    },
    async (req, reply) => {
      const account = await accounts.get(req.params.id, abortSignalOf(reply));
      return reply.header('etag', etag(account.version)).send(account);
    },
  );
}
