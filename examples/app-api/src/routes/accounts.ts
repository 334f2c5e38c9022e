/**
 * POST /v1/accounts, GET /v1/accounts/:id. An account is created by a signed-in caller and owned
 * by their token's subject; only the owner reads it (there is no public view of an account).
 */
import type { FastifyInstance } from 'fastify';
import { CreateAccountBody, type CreateAccountInput } from '../account.ts';
import { guard, signedIn } from '../auth/authenticate.ts';
import type { Ownership } from '../auth/ownership.ts';
import { IdParams, problems } from '../schemas.ts';
import type { AccountService } from '../services/accounts.ts';
import { abortSignalOf, etag } from './http.ts';

export function accountRoutes(
  app: FastifyInstance,
  accounts: AccountService,
  ownership: Ownership,
): void {
  const owner = guard('signed-in');

  app.post<{ Body: CreateAccountInput }>(
    '/v1/accounts',
    {
      preValidation: owner.hook,
      schema: {
        tags: ['accounts'],
        summary: 'Create an account owned by the caller',
        description:
          'The account belongs to the subject (`sub`) of the bearer token. An email is unique ' +
          'per owner: 409 only when you already have an account with it; an email another ' +
          'person registered is never revealed.',
        security: owner.security,
        body: CreateAccountBody,
        response: {
          201: { $ref: 'Account#' },
          400: problems[400],
          409: problems[409],
          ...owner.responses,
        },
      },
    },
    async (req, reply) => {
      const caller = signedIn(req, reply);
      const account = await accounts.create(req.body, caller.subject, abortSignalOf(reply));
      reply.header('location', `/v1/accounts/${account.id}`).header('etag', etag(account.version));
      return reply.code(201).send(account);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/accounts/:id',
    {
      preValidation: owner.hook,
      schema: {
        tags: ['accounts'],
        summary: 'Read one of your accounts',
        security: owner.security,
        params: IdParams,
        response: { 200: { $ref: 'Account#' }, 404: problems[404], ...owner.responses },
      },
    },
    async (req, reply) => {
      const caller = signedIn(req, reply);
      const account = await accounts.get(req.params.id, abortSignalOf(reply));
      ownership.requireAccount(caller, account);
      return reply
        .header('etag', etag(account.version))
        .header('cache-control', 'private, no-cache')
        .send(account);
    },
  );
}
