/**
 * POST …/royalties/payments, for a story (routes/publishing.ts) and for one of its scenarios
 * (routes/licensing.ts): one contract, the `payer` role, an optional Idempotency-Key that makes a
 * retry safe, 201 with the payment. Only what is paid differs, so only that is passed in.
 */
import type { FastifyInstance } from 'fastify';
import { guard } from '../auth/authenticate.ts';
import type { PublishCallOptions, RoyaltyPayment, RoyaltyPaymentInput } from '../publisher-port.ts';
import {
  IdempotencyKeyHeaders,
  PayRoyaltiesBody,
  problems,
  RoyaltyPaymentResponse,
  storyOnChainProblems,
} from '../schemas.ts';
import { abortSignalOf } from './http.ts';

type PaymentRoute<Params> = {
  Params: Params;
  Body: Omit<RoyaltyPaymentInput, 'idempotencyKey'>;
  Headers: { 'idempotency-key'?: string };
};

export interface RoyaltyPaymentRoute<Params> {
  url: string;
  summary: string;
  description: string;
  /** The path parameters' schema. */
  params: object;
  /** Pays the target the route's parameters name. */
  pay(
    params: Params,
    input: RoyaltyPaymentInput,
    options: PublishCallOptions,
  ): Promise<RoyaltyPayment>;
}

export function royaltyPaymentRoute<Params>(
  app: FastifyInstance,
  route: RoyaltyPaymentRoute<Params>,
): void {
  const payer = guard({ role: 'payer' });
  app.post<PaymentRoute<Params>>(
    route.url,
    {
      preValidation: payer.hook,
      schema: {
        tags: ['royalties'],
        summary: route.summary,
        description: route.description,
        security: payer.security,
        params: route.params,
        headers: IdempotencyKeyHeaders,
        body: PayRoyaltiesBody,
        response: {
          201: RoyaltyPaymentResponse,
          400: problems[400],
          ...storyOnChainProblems,
          ...payer.responses,
        },
      },
    },
    async (req, reply) => {
      const idempotencyKey = req.headers['idempotency-key'];
      const payment = await route.pay(
        // Fastify's request typing cannot resolve a generic Params; `params` validated it.
        req.params as Params,
        { ...req.body, ...(idempotencyKey ? { idempotencyKey } : {}) },
        { signal: abortSignalOf(reply) },
      );
      return reply.code(201).send(payment);
    },
  );
}
